using System.CommandLine;
using Observatory.DataService.Core.Remotes;

namespace Observatory.Cli.Commands;

internal static class FetchCommand
{
    public static Command Create()
    {
        var args = new TransferArguments();
        var command = args.Command("fetch", "Download the objects of the selected versions into the cache (no checkout)");
        CommandAction.Set(command, async (parse, ct) =>
        {
            await CliProgress.RunAsync(async progress =>
            {
                using var repo = CliEnvironment.OpenRepository(progress);
                using var _ = await repo.LockForWriteAsync(ct);
                using var store = RemoteOptions.Open(repo, parse.GetValue(args.Remote));
                var options = args.Options(parse, PackingOptions.From(RemoteSelection.Resolve(repo.Config, parse.GetValue(args.Remote)).Config));
                var r = await TransferOperations.FetchAsync(repo, store, options, ct);
                TransferArguments.Report(parse.GetValue(args.Json), "fetched", r, store.DisplayUrl);
                return 0;
            }, args.Silent(parse));
            return ExitCodes.Ok;
        });
        return command;
    }
}
