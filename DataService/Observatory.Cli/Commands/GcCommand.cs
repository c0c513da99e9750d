using System.CommandLine;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Remotes;

namespace Observatory.Cli.Commands;

internal static class GcCommand
{
    public static Command Create()
    {
        var keep = new Option<string>("--keep") { Description = "Versions to keep: workspace, tags (workspace + HEAD + every branch, remote-tracking branch, tag and stash) or all-commits", DefaultValueFactory = _ => "tags" };
        keep.AcceptOnlyFromAmong("workspace", "tags", "all-commits");
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "List what would be deleted, delete nothing" };
        var remote = new Option<string?>("--remote", "-r") { Description = "Collect garbage on this remote (no value: the default) instead of the local cache", Arity = ArgumentArity.ZeroOrOne };
        var force = new Option<bool>("--force") { Description = "With --remote: really delete; without it the objects are only listed" };
        var grace = new Option<string>("--grace") { Description = "With --remote: never delete objects or packs written within this time (a push may be committing them), e.g. 24h, 30m, 7d, 0", DefaultValueFactory = _ => "24h" };
        var noFetch = new Option<bool>("--no-fetch") { Description = "With --remote: decide from the git refs this clone has, without fetching its git remotes first" };
        var json = CommonOptions.Json();
        var command = new Command("gc", "Delete cache objects that no kept version references") { keep, dryRun, remote, force, grace, noFetch, json };
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
                var options = new RemoteGcOptions { Grace = ParseDuration(parse.GetValue(grace)!), FetchGit = !parse.GetValue(noFetch) };
                var report = await RemoteGcOperation.RunAsync(repo, store, scope, delete, options, ct);
                var remoteResult = report.Result;
                if (parse.GetValue(json))
                {
                    CliEnvironment.WriteJson(new
                    {
                        remote = store.DisplayUrl,
                        kept = remoteResult.Kept,
                        removed = remoteResult.Removed.Select(h => h.Hex),
                        dry_run = !delete,
                        kept_refs = report.KeptRefs.Select(r => new { name = r.Name, kind = r.Kind, commit = r.Sha }),
                        fetched_git_remotes = report.FetchedGitRemotes,
                        spared_objects = report.SparedObjects,
                        spared_packs = report.SparedPacks,
                        grace_seconds = (long)report.Grace.TotalSeconds,
                    });
                    return ExitCodes.Ok;
                }
                foreach (var h in remoteResult.Removed) Console.Out.WriteLine($"{(delete ? "deleted" : "would delete")} {h.Hex}");
                Console.Out.WriteLine(KeptBecause(report));
                if (report.SparedObjects + report.SparedPacks > 0)
                    Console.Out.WriteLine($"kept {report.SparedObjects} unreferenced object(s) and {report.SparedPacks} pack(s) written within the last {Format.Duration(report.Grace)}: a push may still be committing them (--grace 0 includes them)");
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

    /// <summary>One line that says which versions were kept and where they came from.</summary>
    private static string KeptBecause(RemoteGcResult report)
    {
        var kinds = report.KeptRefs.Where(r => r.Kind != "HEAD").GroupBy(r => r.Kind)
            .Select(g => $"{g.Count()} {g.Key}{(g.Count() == 1 ? "" : g.Key.EndsWith("ch", StringComparison.Ordinal) ? "es" : "s")}");
        var fetched = report.FetchedGitRemotes.Count == 0 ? " (git not fetched)" : $" (after fetching git from {string.Join(", ", report.FetchedGitRemotes)})";
        return $"kept what the workspace{(report.KeptRefs.Any(r => r.Kind == "HEAD") ? ", HEAD" : "")}{string.Concat(kinds.Select(k => ", " + k))} reference{fetched}";
    }

    /// <summary>"24h", "30m", "7d", "45s", "0", or a TimeSpan ("1.00:00:00").</summary>
    internal static TimeSpan ParseDuration(string text)
    {
        var t = text.Trim();
        if (t == "0") return TimeSpan.Zero;
        if (t.Length > 1 && double.TryParse(t[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 0)
        {
            switch (t[^1])
            {
                case 's': return TimeSpan.FromSeconds(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'd': return TimeSpan.FromDays(n);
            }
        }
        if (TimeSpan.TryParse(t, System.Globalization.CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero) return span;
        throw new UsageException($"--grace '{text}' is not a duration; use e.g. 24h, 30m, 7d or 0");
    }
}
