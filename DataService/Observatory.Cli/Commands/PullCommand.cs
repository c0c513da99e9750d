using System.CommandLine;
using Observatory.DataService.Core.Remotes;

namespace Observatory.Cli.Commands;

internal static class PullCommand
{
    public static Command Create()
    {
        var args = new TransferArguments();
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite workspace changes that are not saved in the cache" };
        var command = args.Command("pull", "Fetch, then check out (a dataset, or a folder inside one for a partial pull)");
        command.Options.Add(force);
        CommandAction.Set(command, async (parse, ct) =>
        {
            await CliProgress.RunAsync(async progress =>
            {
                using var repo = CliEnvironment.OpenRepository(progress);
                using var _ = await repo.LockForWriteAsync(ct);
                using var store = RemoteOptions.Open(repo, parse.GetValue(args.Remote));
                var options = args.Options(parse, PackingOptions.From(RemoteSelection.Resolve(repo.Config, parse.GetValue(args.Remote)).Config));
                var (r, checkout) = await TransferOperations.PullAsync(repo, store, options, parse.GetValue(force), ct);
                if (parse.GetValue(args.Json))
                {
                    CliEnvironment.WriteJson(new { transferred = r.Transferred, bytes = r.Bytes, already_there = r.AlreadyThere, remote = store.DisplayUrl, checkout });
                    return 0;
                }
                TransferArguments.Report(false, "fetched", r, store.DisplayUrl);
                foreach (var c in checkout) Console.Out.WriteLine($"{c.DatasetPath}: {c.Written} written, {c.Deleted} deleted, {c.Unchanged} unchanged");
                return 0;
            }, args.Silent(parse));
            return ExitCodes.Ok;
        });
        return command;
    }
}
