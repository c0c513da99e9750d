using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Remotes;
using Observatory.DataService.Core.Store;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Operations;

/// <summary>
/// `obs fetch`: downloads the objects of the selected versions that the cache lacks — missing trees first (they name the files),
/// then the files, packed ones by ranged reads. Each object is verified by SHA-256 as it enters the cache and appears whole or
/// not at all, so a killed fetch resumes where it stopped.
/// </summary>
public static class FetchOperation
{
    public static async Task<TransferResult> RunAsync(ObsRepository repo, IRemoteStore remote, TransferOptions options, CancellationToken ct) =>
        (await RunAsync(repo, remote, options, staging: null, ct)).Result;

    /// <param name="staging">A pull's hand-off to checkout: small files are also written to staged workspace copies in the same pass.</param>
    internal static async Task<(TransferSelection Selection, TransferResult Result)> RunAsync(ObsRepository repo, IRemoteStore remote, TransferOptions options,
        StagedCopies? staging, CancellationToken ct)
    {
        var fetchedTrees = 0;
        // Bytes are the objects' own sizes, trees included, whether they travel loose or in packs: what push reports for the same objects.
        long bytes = 0;
        var selection = await TransferSelection.ReadAsync(repo, options, async (hash, where, c) =>
        {
            await RemoteFetcher.DownloadLooseAsync(remote, repo.Cache, hash, $"{remote.DisplayUrl} ({where})", repo.Time, c);
            fetchedTrees++;
            bytes += repo.Cache.SizeOf(hash);
        }, ct);
        var missing = selection.Files.Where(h => !repo.Cache.Contains(h)).ToList();
        if (missing.Count > 0)
        {
            var catalog = await RemoteCatalog.LoadAsync(repo, remote, listLoose: false, ct);
            repo.Progress.Begin($"fetching {missing.Count} file(s) from {remote.DisplayUrl}", missing.Sum(selection.SizeOf), unitsAreBytes: true);
            try
            {
                var request = new RemoteFetcher.Request(remote, catalog, repo.Cache, options.Jobs ?? TransferOptions.DefaultJobs, repo.Progress, repo.Time)
                {
                    Packing = options.Packing,
                    // Only files a tree lists can be checked out; a validation report is not staged.
                    StagePath = staging is null ? null : h => selection.TryGetSize(h, out var size) ? staging.PathFor(h, size) : null,
                    Stored = staging is null ? null : staging.Verified,
                };
                bytes += await RemoteFetcher.FetchAsync(request, missing, ct);
            }
            finally
            {
                repo.Progress.End();
            }
        }
        var alreadyThere = selection.Files.Count - missing.Count + selection.Trees.Count - fetchedTrees;
        return (selection, new TransferResult(missing.Count + fetchedTrees, bytes, alreadyThere));
    }
}
