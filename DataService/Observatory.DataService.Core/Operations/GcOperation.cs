using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Operations;

/// <summary>Which versions `gc` keeps. Each scope includes the ones before it: the workspace is always kept.</summary>
public enum GcScope
{
    Workspace,
    /// <summary>The workspace, HEAD and the commit every branch, remote-tracking branch, tag and stash entry names (the default).</summary>
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

    /// <summary>
    /// The commits whose versions <paramref name="scope"/> keeps, each with why: HEAD, then every branch, remote-tracking branch,
    /// tag and stash entry (a teammate's pushed branch or a version parked in a stash is as real as a tag), then every commit.
    /// </summary>
    public static IReadOnlyList<GitRef> KeptRevisions(ObsRepository repo, GcScope scope)
    {
        if (scope < GcScope.Tags || repo.Git.Head() is not { } head) return [];
        var kept = new List<GitRef> { new("HEAD", "HEAD", head) };
        kept.AddRange(repo.Git.Refs());
        if (scope == GcScope.AllCommits) kept.AddRange(repo.Git.AllCommits().Select(sha => new GitRef(sha, "commit", sha)));
        return kept;
    }

    /// <summary>A dataset version gc keeps; <paramref name="Optional"/> when only others' refs name it (its tree may not be here).</summary>
    public sealed record KeptDataset(TrackedDataset Dataset, bool Optional);

    /// <summary>The workspace's datasets and those of every kept revision, each pointer read once per revision.</summary>
    public static IReadOnlyList<KeptDataset> KeptDatasets(ObsRepository repo, IReadOnlyList<GitRef> kept)
    {
        // A version this clone only knows from someone else (a remote-tracking branch never pulled) has no tree here, and so no
        // object here that another version does not name: it is skipped rather than stopping gc.
        var datasets = Datasets.InWorkspace(repo).Select(d => new KeptDataset(d, Optional: false)).ToList();
        foreach (var rev in kept.GroupBy(r => r.Sha, StringComparer.Ordinal))
        {
            var optional = rev.All(r => r.Kind is "remote-tracking branch" or "commit");
            datasets.AddRange(Datasets.AtRevision(repo, rev.Key).Select(d => new KeptDataset(d, optional)));
        }
        return datasets;
    }

    /// <summary>Every object (trees, files, validation reports) that the kept versions name.</summary>
    public static Task<HashSet<ContentHash>> ReferencedAsync(ObsRepository repo, GcScope scope, CancellationToken ct) =>
        ReferencedAsync(repo, KeptDatasets(repo, KeptRevisions(repo, scope)), ct);

    /// <summary>Every object (trees, files, validation reports) that <paramref name="datasets"/> name.</summary>
    public static async Task<HashSet<ContentHash>> ReferencedAsync(ObsRepository repo, IReadOnlyList<KeptDataset> datasets, CancellationToken ct)
    {
        var referenced = new HashSet<ContentHash>();
        foreach (var (dataset, optional) in datasets.OrderBy(d => d.Optional).DistinctBy(d => (d.Dataset.PointerPath, d.Dataset.Pointer.Tree)))
        {
            ct.ThrowIfCancellationRequested();
            if (dataset.Pointer.Validation?.Report is { } report) referenced.Add(report);
            if (referenced.Contains(dataset.Pointer.Tree)) continue;
            if (!repo.Cache.Contains(dataset.Pointer.Tree))
            {
                if (optional) continue;
                throw new StoreException($"tree {dataset.Pointer.Tree.Hex} of {dataset.PointerPath} (a kept version) is not in the cache, so gc cannot tell which objects it needs; run 'obs fetch' first — nothing was deleted");
            }
            referenced.Add(dataset.Pointer.Tree);
            var tree = await Datasets.LoadTreeAsync(repo, dataset, ct);
            foreach (var e in tree.Entries) referenced.Add(e.Hash);
        }
        return referenced;
    }
}
