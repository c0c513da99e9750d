using System.CommandLine;
using Observatory.DataService.Core.Operations;

namespace Observatory.Cli.Commands;

internal static class CheckoutCommand
{
    public static Command Create()
    {
        var paths = CommonOptions.Paths("Datasets (or folders inside them) to restore (default: all)");
        var rev = CommonOptions.Rev();
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite or delete changes that are not saved in the cache" };
        var quiet = CommonOptions.Quiet();
        var command = new Command("checkout", "Make dataset folders match their pointer, at the workspace or any git revision") { paths, rev, force, quiet };
        CommandAction.Set(command, async (parse, ct) =>
        {
            var results = await CliProgress.RunAsync(async progress =>
            {
                using var repo = CliEnvironment.OpenRepository(progress);
                using var _ = await repo.LockForWriteAsync(ct);
                return await CheckoutOperation.RunAsync(repo, parse.GetValue(paths)!, new CheckoutOptions { Revision = parse.GetValue(rev), Force = parse.GetValue(force) }, ct);
            }, parse.GetValue(quiet));
            foreach (var r in results)
            {
                Console.Out.WriteLine($"{r.DatasetPath}: {r.Written} written, {r.Deleted} deleted, {r.Unchanged} unchanged");
                if (r.PointerMovedTo is "HEAD")
                    Console.Out.WriteLine($"pointer {r.PointerPath} back at HEAD");
                else if (r.PointerMovedTo is { } moved)
                    Console.Out.WriteLine($"pointer {r.PointerPath} now at {moved} (a plain 'obs checkout' stays there); 'obs checkout --rev HEAD {r.DatasetPath}' returns");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
