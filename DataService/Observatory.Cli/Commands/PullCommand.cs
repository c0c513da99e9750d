using System.CommandLine;
using Observatory.DataService.Core.Operations;

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
                using var remote = RemoteOptions.Connect(repo, parse.GetValue(args.Remote));
                var (r, checkout) = await PullOperation.RunAsync(repo, remote.Store, args.Options(parse, remote.Packing), parse.GetValue(force), ct);
                if (parse.GetValue(args.Json))
                {
                    CliEnvironment.WriteJson(new { transferred = r.Transferred, bytes = r.Bytes, already_there = r.AlreadyThere, remote = remote.Store.DisplayUrl, checkout });
                    return 0;
                }
                TransferArguments.Report(false, "fetched", r, remote.Store.DisplayUrl);
                foreach (var c in checkout) Console.Out.WriteLine($"{c.DatasetPath}: {c.Written} written, {c.Deleted} deleted, {c.Unchanged} unchanged");
                return 0;
            }, args.Silent(parse));
            return ExitCodes.Ok;
        });
        return command;
    }
}
