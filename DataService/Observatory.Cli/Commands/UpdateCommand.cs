using System.CommandLine;
using Observatory.DataService.Core.Remotes;

namespace Observatory.Cli.Commands;

internal static class UpdateCommand
{
    public static Command Create()
    {
        var paths = CommonOptions.Paths("Imported datasets (default: all imported)");
        var rev = new Option<string?>("--rev") { Description = "Move to this registry revision instead of the newest commit of the recorded one" };
        var command = new Command("update", "Move imported datasets to a newer version of their registry") { paths, rev };
        CommandAction.Set(command, async (parse, ct) =>
        {
            var results = await CliProgress.RunAsync(async progress =>
            {
                using var ws = CliEnvironment.OpenRepository(progress);
                using var _ = await ws.LockForWriteAsync(ct);
                return await RegistryOperations.UpdateAsync(ws, parse.GetValue(paths)!, parse.GetValue(rev), ct);
            });
            foreach (var (dataset, from, to) in results)
                Console.Out.WriteLine(from == to ? $"{dataset}: up to date ({to[..10]})" : $"{dataset}: {from?[..10]} → {to[..10]}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
