using System.CommandLine;
using Observatory.DataService.Core.Operations;

namespace Observatory.Cli.Commands;

internal static class GcCommand
{
    public static Command Create()
    {
        var keep = new Option<string>("--keep") { Description = "Versions to keep: workspace, tags (workspace + HEAD + every tag) or all-commits", DefaultValueFactory = _ => "tags" };
        keep.AcceptOnlyFromAmong("workspace", "tags", "all-commits");
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "List what would be deleted, delete nothing" };
        var remote = new Option<string?>("--remote", "-r") { Description = "Collect garbage on this remote (no value: the default) instead of the local cache", Arity = ArgumentArity.ZeroOrOne };
        var force = new Option<bool>("--force") { Description = "With --remote: really delete; without it the objects are only listed" };
        var json = CommonOptions.Json();
        var command = new Command("gc", "Delete cache objects that no kept version references") { keep, dryRun, remote, force, json };
        CommandAction.Set(command, async (parse, ct) =>
        {
            var scope = parse.GetValue(keep) switch { "workspace" => GcScope.Workspace, "all-commits" => GcScope.AllCommits, _ => GcScope.Tags };
            using var repo = CliEnvironment.OpenRepository();
            using var _ = await repo.LockForWriteAsync(ct);
            if (parse.GetResult(remote) is not null)
            {
                using var connection = RemoteOptions.Connect(repo, parse.GetValue(remote));
                var store = connection.Store;
                var delete = parse.GetValue(force) && !parse.GetValue(dryRun);
                var remoteResult = await Observatory.DataService.Core.Remotes.RemoteGcOperation.RunAsync(repo, store, scope, delete, ct);
                if (parse.GetValue(json))
                {
                    CliEnvironment.WriteJson(new { remote = store.DisplayUrl, kept = remoteResult.Kept, removed = remoteResult.Removed.Select(h => h.Hex), dry_run = !delete });
                    return ExitCodes.Ok;
                }
                foreach (var h in remoteResult.Removed) Console.Out.WriteLine($"{(delete ? "deleted" : "would delete")} {h.Hex}");
                Console.Out.WriteLine(delete
                    ? $"deleted {remoteResult.Removed.Count} object(s) from {store.DisplayUrl}; kept {remoteResult.Kept}"
                    : $"{remoteResult.Removed.Count} object(s) on {store.DisplayUrl} are unreferenced; run again with --force to delete them (kept {remoteResult.Kept})");
                return ExitCodes.Ok;
            }
            var result = await GcOperation.RunAsync(repo, scope, parse.GetValue(dryRun), ct);
            if (parse.GetValue(json))
                CliEnvironment.WriteJson(new { kept = result.Kept, removed = result.Removed.Select(h => h.Hex), bytes_removed = result.BytesRemoved, dry_run = parse.GetValue(dryRun) });
            else
                Console.Out.WriteLine($"{(parse.GetValue(dryRun) ? "would remove" : "removed")} {result.Removed.Count} object(s), {Format.Bytes(result.BytesRemoved)}; kept {result.Kept}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
