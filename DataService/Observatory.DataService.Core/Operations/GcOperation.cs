using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Operations;

/// <summary>Which versions `gc` keeps. Each scope includes the ones before it: the workspace is always kept.</summary>
public enum GcScope
{
    Workspace,
    Tags,
    AllCommits,
}

public sealed record GcResult(int Kept, IReadOnlyList<ContentHash> Removed, long BytesRemoved);

/// <summary>
/// `obs gc`: deletes cache objects no kept version references. Kept versions: the workspace pointers, plus HEAD and every tag
/// (<see cref="GcScope.Tags"/>, the default), plus every commit (<see cref="GcScope.AllCommits"/>). A kept pointer whose tree
/// object is missing stops gc before anything is deleted, since its files cannot be told apart from garbage.
/// </summary>
public static class GcOperation
{
    public static async Task<GcResult> RunAsync(ObsRepository repo, GcScope scope, bool dryRun, CancellationToken ct)
    {
        var referenced = await ReferencedAsync(repo, scope, ct);
        var removed = new List<ContentHash>();
        long bytes = 0;
        var kept = 0;
        foreach (var hash in repo.Cache.EnumerateAll().ToList())
        {
            if (referenced.Contains(hash)) { kept++; continue; }
            bytes += repo.Cache.SizeOf(hash);
            removed.Add(hash);
            if (!dryRun) repo.Cache.Delete(hash);
        }
        return new GcResult(kept, removed, bytes);
    }

    /// <summary>Every object (trees, files, validation reports) that the kept versions name.</summary>
    public static async Task<HashSet<ContentHash>> ReferencedAsync(ObsRepository repo, GcScope scope, CancellationToken ct)
    {
        var datasets = new List<TrackedDataset>(Datasets.InWorkspace(repo));
        if (scope >= GcScope.Tags && repo.Git.Head() is not null)
        {
            var revisions = new HashSet<string>(StringComparer.Ordinal) { repo.Git.Head()! };
            foreach (var sha in repo.Git.Tags().Values) revisions.Add(sha);
            if (scope == GcScope.AllCommits) foreach (var sha in repo.Git.AllCommits()) revisions.Add(sha);
            foreach (var rev in revisions) datasets.AddRange(Datasets.AtRevision(repo, rev));
        }
        var referenced = new HashSet<ContentHash>();
        foreach (var dataset in datasets.DistinctBy(d => (d.PointerPath, d.Pointer.Tree)))
        {
            ct.ThrowIfCancellationRequested();
            if (dataset.Pointer.Validation?.Report is { } report) referenced.Add(report);
            if (!referenced.Add(dataset.Pointer.Tree)) continue;
            if (!repo.Cache.Contains(dataset.Pointer.Tree))
                throw new StoreException($"tree {dataset.Pointer.Tree.Hex} of {dataset.PointerPath} (a kept version) is not in the cache, so gc cannot tell which objects it needs; run 'obs fetch' first — nothing was deleted");
            var tree = await Datasets.LoadTreeAsync(repo, dataset, ct);
            foreach (var e in tree.Entries) referenced.Add(e.Hash);
        }
        return referenced;
    }
}
