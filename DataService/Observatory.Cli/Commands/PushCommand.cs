using System.CommandLine;
using Observatory.DataService.Core.Remotes;

namespace Observatory.Cli.Commands;

internal static class PushCommand
{
    public static Command Create()
    {
        var args = new TransferArguments();
        var command = args.Command("push", "Upload the objects of the selected versions that the remote lacks");
        CommandAction.Set(command, async (parse, ct) =>
        {
            await CliProgress.RunAsync(async progress =>
            {
                using var repo = CliEnvironment.OpenRepository(progress);
                using var _ = await repo.LockForWriteAsync(ct);
                using var store = RemoteOptions.Open(repo, parse.GetValue(args.Remote));
                var options = args.Options(parse, PackingOptions.From(RemoteSelection.Resolve(repo.Config, parse.GetValue(args.Remote)).Config));
                var r = await TransferOperations.PushAsync(repo, store, options, ct);
                TransferArguments.Report(parse.GetValue(args.Json), "pushed", r, store.DisplayUrl);
                return 0;
            }, args.Silent(parse));
            return ExitCodes.Ok;
        });
        return command;
    }
}
