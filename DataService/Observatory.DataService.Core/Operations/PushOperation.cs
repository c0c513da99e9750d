using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Remotes;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Operations;

/// <summary>
/// `obs push`: uploads the objects of the selected versions that the remote lacks. Files go first (small ones in packs), trees
/// last, so a remote that has a tree also has its files; each object or pack appears on the remote whole or not at all, so a
/// killed push resumes by listing what is there and sending the rest.
/// </summary>
public static class PushOperation
{
    public static async Task<TransferResult> RunAsync(ObsRepository repo, IRemoteStore remote, TransferOptions options, CancellationToken ct)
    {
        var selection = await TransferSelection.ReadAsync(repo, options, fetchTree: null, ct);
        var (files, trees) = (selection.Files, selection.Trees);
        repo.Progress.Begin($"listing {remote.DisplayUrl}", 1);
        var catalog = await RemoteCatalog.LoadAsync(repo, remote, listLoose: true, ct);
        repo.Progress.Advance(1);
        repo.Progress.End();
        var missingFiles = files.Where(h => !catalog.Contains(h)).ToList();
        var missingTrees = trees.Where(h => !catalog.Contains(h)).ToList();
        var notLocal = missingFiles.Concat(missingTrees).Where(h => !repo.Cache.Contains(h)).ToList();
        if (notLocal.Count > 0)
            throw new StoreException($"{notLocal.Count} object(s) to push are not in the local cache (e.g. {notLocal[0].Hex}); run 'obs fetch' from a machine that has them, or push from there — nothing was sent");

        // Files go in packs (small) or loose (large); trees always loose and last, so a tree on the remote implies its files.
        var (loose, packs) = PackPlanner.PlanPush(missingFiles.Select(h => (h, repo.Cache.SizeOf(h))), options.Packing);
        var total = missingFiles.Sum(h => repo.Cache.SizeOf(h));
        repo.Progress.Begin($"pushing {missingFiles.Count} file(s) to {remote.DisplayUrl}" + (packs.Count > 0 ? $" ({packs.Count} pack(s))" : ""), total, unitsAreBytes: true);
        try
        {
            var work = packs.Select(p => (Func<CancellationToken, Task>)(token => RemoteUploader.UploadPackAsync(repo, remote, p, token)))
                .Concat(loose.Select(h => (Func<CancellationToken, Task>)(token => RemoteUploader.UploadLooseAsync(repo, remote, h, token))));
            await Parallel.ForEachAsync(work, options.Parallel(ct), async (item, token) => await item(token));
        }
        finally
        {
            repo.Progress.End();
        }
        repo.Progress.Begin("pushing trees", missingTrees.Sum(h => repo.Cache.SizeOf(h)), unitsAreBytes: true);
        try
        {
            await Parallel.ForEachAsync(missingTrees, options.Parallel(ct), async (h, token) => await RemoteUploader.UploadLooseAsync(repo, remote, h, token));
        }
        finally
        {
            repo.Progress.End();
        }
        var bytes = total + missingTrees.Sum(h => repo.Cache.SizeOf(h));
        return new TransferResult(missingFiles.Count + missingTrees.Count, bytes, files.Count + trees.Count - missingFiles.Count - missingTrees.Count);
    }

    /// <summary>How many objects the workspace pointers need that the remote lacks (for `status -r`): what a push would send.</summary>
    public static async Task<int> CountMissingAsync(ObsRepository repo, IRemoteStore remote, CancellationToken ct)
    {
        var selection = await TransferSelection.ReadAsync(repo, new TransferOptions(), fetchTree: null, ct, tolerateMissingTrees: true);
        var catalog = await RemoteCatalog.LoadAsync(repo, remote, listLoose: true, ct);
        return selection.Files.Concat(selection.Trees).Count(h => !catalog.Contains(h));
    }
}
