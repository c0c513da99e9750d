using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Remotes;

/// <summary>
/// `obs gc -r REMOTE`: objects on the remote that no kept version references; deleted only when asked to. A pack whose objects
/// are all garbage is deleted; a pack holding some live objects is rewritten with only those (uploaded before the old one is
/// deleted, so a live object is never unreachable); packs left without an index by an interrupted push are removed too.
/// </summary>
public static class RemoteGcOperation
{
    public static async Task<GcResult> RunAsync(ObsRepository repo, IRemoteStore remote, GcScope scope, bool delete, CancellationToken ct)
    {
        var catalog = await RemoteCatalog.LoadAsync(repo, remote, listLoose: true, ct);
        var present = catalog.All();
        // Kept versions' trees may only be on the remote: fetch those first so their files are not mistaken for garbage.
        await FetchMissingTreesAsync(repo, remote, scope, present, ct);
        var referenced = await GcOperation.ReferencedAsync(repo, scope, ct);
        var garbage = present.Where(h => !referenced.Contains(h)).OrderBy(h => h).ToList();
        long bytesRemoved = 0;
        if (delete)
        {
            var jobs = new ParallelOptions { MaxDegreeOfParallelism = TransferOptions.DefaultJobs, CancellationToken = ct };
            var looseGarbage = catalog.Loose.Where(h => !referenced.Contains(h)).ToList();
            await Parallel.ForEachAsync(looseGarbage, jobs, async (hash, token) => await remote.DeleteAsync(hash, token));

            foreach (var pack in catalog.Packs)
            {
                var live = pack.Entries.Where(e => referenced.Contains(e.Hash)).ToList();
                if (live.Count == pack.Entries.Count) continue;
                bytesRemoved += pack.Entries.Where(e => !referenced.Contains(e.Hash)).Sum(e => e.Length);
                if (live.Count > 0) await RepackAsync(repo, remote, catalog, pack, live, ct);
                await remote.DeletePackAsync(pack.Id, ct);
            }
            await Parallel.ForEachAsync(catalog.Orphans, jobs, async (id, token) => await remote.DeletePackAsync(id, token));
        }
        return new GcResult(present.Count - garbage.Count, garbage, bytesRemoved);
    }

    /// <summary>Writes the live objects of a pack as a new pack: they come from the local cache, fetched (verified) if absent.</summary>
    private static async Task RepackAsync(ObsRepository repo, IRemoteStore remote, RemoteCatalog catalog, PackIndex pack, IReadOnlyList<PackEntry> live, CancellationToken ct)
    {
        var request = new RemoteFetcher.Request(remote, catalog, repo.Cache, TransferOptions.DefaultJobs, NullProgress.Instance, repo.Time);
        await RemoteFetcher.FetchAsync(request, live.Select(e => e.Hash), ct);
        await RemoteUploader.UploadPackAsync(repo, remote, live.Select(e => (e.Hash, e.Length)).ToList(), ct);
    }

    private static async Task FetchMissingTreesAsync(ObsRepository repo, IRemoteStore remote, GcScope scope, IReadOnlySet<ContentHash> present, CancellationToken ct)
    {
        var revisions = new List<string?> { null };
        if (scope >= GcScope.Tags && repo.Git.Head() is { } head)
        {
            revisions.Add(head);
            revisions.AddRange(repo.Git.Tags().Values);
            if (scope == GcScope.AllCommits) revisions.AddRange(repo.Git.AllCommits());
        }
        foreach (var rev in revisions.Distinct())
            foreach (var d in Datasets.At(repo, rev))
                if (!repo.Cache.Contains(d.Pointer.Tree) && present.Contains(d.Pointer.Tree))
                    await RemoteFetcher.DownloadLooseAsync(remote, repo.Cache, d.Pointer.Tree, remote.DisplayUrl, repo.Time, ct);
    }
}
