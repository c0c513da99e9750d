using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Remotes;

/// <summary>`obs gc -r REMOTE`: objects on the remote that no kept version references; deleted only when asked to.</summary>
public static class RemoteGcOperation
{
    public static async Task<GcResult> RunAsync(ObsRepository repo, IRemoteStore remote, GcScope scope, bool delete, CancellationToken ct)
    {
        var present = await remote.ListAsync(ct);
        // Kept versions' trees may only be on the remote: fetch those first so their files are not mistaken for garbage.
        await FetchMissingTreesAsync(repo, remote, scope, present, ct);
        var referenced = await GcOperation.ReferencedAsync(repo, scope, ct);
        var garbage = present.Where(h => !referenced.Contains(h)).OrderBy(h => h).ToList();
        if (delete)
        {
            await Parallel.ForEachAsync(garbage, new ParallelOptions { MaxDegreeOfParallelism = TransferOperations.DefaultJobs, CancellationToken = ct },
                async (hash, token) => await remote.DeleteAsync(hash, token));
        }
        return new GcResult(present.Count - garbage.Count, garbage, 0);
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
                    await remote.DownloadAsync(d.Pointer.Tree, (s, c) => repo.Cache.AddVerifiedAsync(s, d.Pointer.Tree, remote.DisplayUrl, c), ct);
    }
}
