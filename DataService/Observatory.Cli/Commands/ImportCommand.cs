using System.CommandLine;
using Observatory.DataService.Core.Remotes;

namespace Observatory.Cli.Commands;

internal static class ImportCommand
{
    public static Command Create()
    {
        var args = new RegistryArguments();
        var command = args.Command("import", "Import a registry dataset: its files, and a pointer that records the source so 'obs update' can move it");
        CommandAction.Set(command, async (parse, ct) =>
        {
            var request = args.Request(parse);
            var result = await CliProgress.RunAsync(async progress =>
            {
                using var ws = CliEnvironment.OpenRepository(progress);
                using var _ = await ws.LockForWriteAsync(ct);
                return await RegistryOperations.ImportAsync(ws, request, parse.GetValue(args.Out), ct);
            });
            Console.Out.WriteLine($"imported {request.Path} at {result.Commit[..10]} into {result.DatasetPath}: {result.Files} files, {Format.Bytes(result.Bytes)}");
            Console.Out.WriteLine($"next: git add {result.DatasetPath}.obs (or 'obs commit -m MSG')");
            return ExitCodes.Ok;
        });
        return command;
    }
}
