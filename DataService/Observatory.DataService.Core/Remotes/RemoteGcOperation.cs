using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Remotes;

/// <summary>What remote gc is told beyond the scope: whether to fetch git first, and how young an object is still spared.</summary>
public sealed record RemoteGcOptions
{
    /// <summary>Fetch every git remote first, so a version a teammate pushed since this clone last fetched counts as kept.</summary>
    public bool FetchGit { get; init; } = true;
    /// <summary>Objects and packs written more recently than this are never deleted: a push may still be committing them.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromHours(24);
}

/// <summary>Remote gc's result with why things were kept: the refs it read, the git remotes it fetched, what the grace period spared.</summary>
public sealed record RemoteGcResult(GcResult Result, IReadOnlyList<GitRef> KeptRefs, IReadOnlyList<string> FetchedGitRemotes,
    int SparedObjects, int SparedPacks, TimeSpan Grace);

/// <summary>
/// `obs gc -r REMOTE`: objects on the remote that no kept version references; deleted only when asked to. A remote is shared, so
/// what "kept" means is decided from everyone's refs, not this clone's: git is fetched first, and every branch, remote-tracking
/// branch, tag and stash entry counts. A concurrent push uploads files before trees and packs before their index, and pushes
/// git last, so its objects look unreferenced for a while: nothing written within <see cref="RemoteGcOptions.Grace"/> is deleted.
/// A pack whose objects are all garbage is deleted; a pack holding some live objects is rewritten with only those (uploaded before
/// the old one is deleted, so a live object is never unreachable); packs left without an index by an interrupted push are removed.
/// </summary>
public static class RemoteGcOperation
{
    public static async Task<RemoteGcResult> RunAsync(ObsRepository repo, IRemoteStore remote, GcScope scope, bool delete, RemoteGcOptions options,
        CancellationToken ct)
    {
        var fetched = options.FetchGit ? repo.Git.FetchAll() : [];
        // One listing of the loose objects, with their write times (the grace period needs them).
        var looseWritten = await remote.ListWrittenAsync(ct);
        var catalog = await RemoteCatalog.LoadAsync(repo, remote, looseWritten.Keys.ToHashSet(), ct);
        var present = catalog.All();
        var kept = GcOperation.KeptRevisions(repo, scope);
        var datasets = GcOperation.KeptDatasets(repo, kept);
        // Kept versions' trees may only be on the remote: fetch those first so their files are not mistaken for garbage.
        await FetchMissingTreesAsync(repo, remote, datasets, present, ct);
        var referenced = await GcOperation.ReferencedAsync(repo, datasets, ct);

        var cutoff = repo.Time.GetUtcNow() - options.Grace;
        bool Young(DateTimeOffset? written) => written is null || written > cutoff;
        var youngPacks = catalog.PackWritten.Where(kv => Young(kv.Value)).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        bool Spared(ContentHash h) =>
            (catalog.Loose.Contains(h) && Young(looseWritten.TryGetValue(h, out var w) ? w : null))
            || (catalog.TryFindPacked(h, out var pack, out _) && youngPacks.Contains(pack.Id));

        var unreferenced = present.Where(h => !referenced.Contains(h)).ToList();
        var garbage = unreferenced.Where(h => !Spared(h)).OrderBy(h => h).ToList();
        var garbageSet = garbage.ToHashSet();
        var sparedPacks = catalog.Packs.Count(p => youngPacks.Contains(p.Id) && p.Entries.Any(e => !referenced.Contains(e.Hash)))
            + catalog.Orphans.Count(youngPacks.Contains);
        long bytesRemoved = 0;
        if (delete)
        {
            var jobs = new ParallelOptions { MaxDegreeOfParallelism = TransferOptions.DefaultJobs, CancellationToken = ct };
            var looseGarbage = catalog.Loose.Where(garbageSet.Contains).ToList();
            await Parallel.ForEachAsync(looseGarbage, jobs, async (hash, token) => await remote.DeleteAsync(hash, token));

            foreach (var pack in catalog.Packs.Where(p => !youngPacks.Contains(p.Id)))
            {
                var live = pack.Entries.Where(e => referenced.Contains(e.Hash)).ToList();
                if (live.Count == pack.Entries.Count) continue;
                bytesRemoved += pack.Entries.Where(e => !referenced.Contains(e.Hash)).Sum(e => e.Length);
                if (live.Count > 0) await RepackAsync(repo, remote, catalog, pack, live, ct);
                await remote.DeletePackAsync(pack.Id, ct);
            }
            var oldOrphans = catalog.Orphans.Where(id => !youngPacks.Contains(id)).ToList();
            await Parallel.ForEachAsync(oldOrphans, jobs, async (id, token) => await remote.DeletePackAsync(id, token));
        }
        var result = new GcResult(present.Count - garbage.Count, garbage, bytesRemoved);
        return new RemoteGcResult(result, kept, fetched, unreferenced.Count - garbage.Count, sparedPacks, options.Grace);
    }

    /// <summary>Writes the live objects of a pack as a new pack: they come from the local cache, fetched (verified) if absent.</summary>
    private static async Task RepackAsync(ObsRepository repo, IRemoteStore remote, RemoteCatalog catalog, PackIndex pack, IReadOnlyList<PackEntry> live, CancellationToken ct)
    {
        var request = new RemoteFetcher.Request(remote, catalog, repo.Cache, TransferOptions.DefaultJobs, NullProgress.Instance, repo.Time);
        await RemoteFetcher.FetchAsync(request, live.Select(e => e.Hash), ct);
        await RemoteUploader.UploadPackAsync(repo, remote, live.Select(e => (e.Hash, e.Length)).ToList(), ct);
    }

    private static async Task FetchMissingTreesAsync(ObsRepository repo, IRemoteStore remote, IReadOnlyList<GcOperation.KeptDataset> datasets,
        IReadOnlySet<ContentHash> present, CancellationToken ct)
    {
        foreach (var tree in datasets.Select(d => d.Dataset.Pointer.Tree).Distinct())
            if (!repo.Cache.Contains(tree) && present.Contains(tree))
                await RemoteFetcher.DownloadLooseAsync(remote, repo.Cache, tree, remote.DisplayUrl, repo.Time, ct);
    }
}
