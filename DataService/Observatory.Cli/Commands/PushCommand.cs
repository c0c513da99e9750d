using System.CommandLine;
using Observatory.DataService.Core.Operations;

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
                using var remote = RemoteOptions.Connect(repo, parse.GetValue(args.Remote));
                var r = await PushOperation.RunAsync(repo, remote.Store, args.Options(parse, remote.Packing), ct);
                TransferArguments.Report(parse.GetValue(args.Json), "pushed", r, remote.Store.DisplayUrl);
                return 0;
            }, args.Silent(parse));
            return ExitCodes.Ok;
        });
        return command;
    }
}
