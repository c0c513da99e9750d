using System.Collections.Concurrent;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Store;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Remotes;

public sealed record TransferOptions
{
    /// <summary>Git revision whose pointers select the objects; null = the workspace pointers.</summary>
    public string? Revision { get; init; }
    /// <summary>Datasets or sub-folders (partial pull); empty = every dataset.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];
    /// <summary>Concurrent transfers; null = 4 × cores (at least 8).</summary>
    public int? Jobs { get; init; }
    /// <summary>How small objects are bundled (from the remote's pack_max_object / pack_size).</summary>
    public PackingOptions Packing { get; init; } = new();
}

public sealed record TransferResult(int Transferred, long Bytes, int AlreadyThere);

/// <summary>
/// push / fetch / pull. Files go before trees, so a remote (or cache) that has a tree also has its files. Each object is
/// verified by SHA-256 when it enters the cache; nothing partial is ever visible, so a killed transfer resumes by
/// listing what is already there and sending the rest.
/// </summary>
public static class TransferOperations
{
    private const int Attempts = 5;

    public static int DefaultJobs => Math.Max(8, Environment.ProcessorCount * 4);

    public static async Task<TransferResult> PushAsync(ObsRepository repo, IRemoteStore remote, TransferOptions options, CancellationToken ct)
    {
        var (files, trees) = await ReferencedAsync(repo, options, fetchTrees: null, ct);
        repo.Progress.Begin($"listing {remote.DisplayUrl}", 1);
        var catalog = await LoadCatalogAsync(repo, remote, listLoose: true, ct);
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
            var work = packs.Select(p => (Func<CancellationToken, Task>)(token => UploadPackAsync(repo, remote, p, token)))
                .Concat(loose.Select(h => (Func<CancellationToken, Task>)(token => UploadLooseAsync(repo, remote, h, token))));
            await Parallel.ForEachAsync(work, ParallelFor(options, ct), async (item, token) => await item(token));
        }
        finally
        {
            repo.Progress.End();
        }
        repo.Progress.Begin("pushing trees", missingTrees.Sum(h => repo.Cache.SizeOf(h)), unitsAreBytes: true);
        try
        {
            await Parallel.ForEachAsync(missingTrees, ParallelFor(options, ct), async (h, token) => await UploadLooseAsync(repo, remote, h, token));
        }
        finally
        {
            repo.Progress.End();
        }
        var bytes = total + missingTrees.Sum(h => repo.Cache.SizeOf(h));
        return new TransferResult(missingFiles.Count + missingTrees.Count, bytes, files.Count + trees.Count - missingFiles.Count - missingTrees.Count);
    }

    private static async Task UploadLooseAsync(ObsRepository repo, IRemoteStore remote, ContentHash hash, CancellationToken ct)
    {
        var size = repo.Cache.SizeOf(hash);
        await Retry.RunAsync(c => remote.UploadAsync(hash, repo.Cache.PathOf(hash), size, c), IsTransient, Attempts, repo.Time, ct);
        repo.Progress.Advance(size);
    }

    internal static async Task<PackIndex> UploadPackAsync(ObsRepository repo, IRemoteStore remote, IReadOnlyList<(ContentHash Hash, long Length)> objects, CancellationToken ct)
    {
        var (index, bytes) = PackIndex.Build(objects);
        var parts = objects.Select(o => new PackPart(repo.Cache.PathOf(o.Hash), o.Length)).ToList();
        await Retry.RunAsync(c => remote.UploadPackAsync(index.Id, parts, bytes, c), IsTransient, Attempts, repo.Time, ct);
        await RemoteCatalog.RememberAsync(repo.PackIndexDir, repo.TempDir, index.Id, bytes, ct);
        repo.Progress.Advance(index.DataLength);
        return index;
    }

    internal static Task<RemoteCatalog> LoadCatalogAsync(ObsRepository repo, IRemoteStore remote, bool listLoose, CancellationToken ct) =>
        RemoteCatalog.LoadAsync(remote, listLoose, repo.PackIndexDir, repo.TempDir, repo.Time, ct);

    public static Task<TransferResult> FetchAsync(ObsRepository repo, IRemoteStore remote, TransferOptions options, CancellationToken ct) =>
        FetchAsync(repo, remote, options, null, null, ct);

    /// <summary>Small files are staged (written twice in one pass, saving a create and a copy per file); a large file is copied by the kernel afterwards, which is faster than a second user-space write.</summary>
    private const long StageUpTo = 4L << 20;

    private static async Task<TransferResult> FetchAsync(ObsRepository repo, IRemoteStore remote, TransferOptions options,
        ConcurrentDictionary<ContentHash, string>? staged, HashSet<ContentHash>? fetched, CancellationToken ct)
    {
        var fetchedTrees = 0;
        var sizes = new Dictionary<ContentHash, long>();
        var (files, trees) = await ReferencedAsync(repo, options, async (hash, where, c) =>
        {
            await RemoteFetcher.DownloadLooseAsync(remote, repo.Cache, hash, $"{remote.DisplayUrl} ({where})", repo.Time, c);
            fetchedTrees++;
        }, ct, sizes: sizes);
        var missing = files.Where(h => !repo.Cache.Contains(h)).ToList();
        long bytes = 0;
        if (missing.Count > 0)
        {
            var catalog = await LoadCatalogAsync(repo, remote, listLoose: false, ct);
            repo.Progress.Begin($"fetching {missing.Count} file(s) from {remote.DisplayUrl}", missing.Sum(h => sizes.GetValueOrDefault(h)), unitsAreBytes: true);
            try
            {
                var request = new RemoteFetcher.Request(remote, catalog, repo.Cache, options.Jobs ?? DefaultJobs, repo.Progress, repo.Time)
                {
                    Packing = options.Packing,
                    StagePath = staged is null ? null : h => sizes.GetValueOrDefault(h) <= StageUpTo ? staged[h] = AtomicFile.TempPath(repo.TempDir) : null,
                    Stored = fetched is null ? null : h => { lock (fetched) fetched.Add(h); },
                };
                bytes = await RemoteFetcher.FetchAsync(request, missing, ct);
            }
            finally
            {
                repo.Progress.End();
            }
        }
        return new TransferResult(missing.Count + fetchedTrees, bytes, files.Count - missing.Count + trees.Count - fetchedTrees);
    }

    /// <summary>
    /// Fetch, then check out the same selection (whole datasets or the named sub-folders). Each downloaded file is written to
    /// the cache and to a staged workspace copy in one pass; checkout renames the staged copies into place (nothing reaches the
    /// workspace unless the whole fetch succeeded), and whatever checkout did not take is deleted.
    /// </summary>
    public static async Task<(TransferResult Fetch, IReadOnlyList<CheckoutResult> Checkout)> PullAsync(ObsRepository repo, IRemoteStore remote, TransferOptions options, bool force, CancellationToken ct)
    {
        var staged = new ConcurrentDictionary<ContentHash, string>();
        var justFetched = new HashSet<ContentHash>();
        try
        {
            var fetched = await FetchAsync(repo, remote, options, staged, justFetched, ct);
            var checkout = await CheckoutOperation.RunAsync(repo, options.Paths, new CheckoutOptions
            {
                Revision = options.Revision, Force = force, JustVerified = justFetched, Staged = staged,
            }, ct);
            return (fetched, checkout);
        }
        finally
        {
            foreach (var path in staged.Values) AtomicFile.TryDelete(path);
        }
    }

    /// <summary>How many objects the workspace pointers need that the remote lacks (for `status -r`).</summary>
    public static async Task<int> CountMissingAsync(ObsRepository repo, IRemoteStore remote, CancellationToken ct)
    {
        var (files, trees) = await ReferencedAsync(repo, new TransferOptions(), fetchTrees: null, ct, tolerateMissingTrees: true);
        var catalog = await LoadCatalogAsync(repo, remote, listLoose: true, ct);
        return files.Concat(trees).Count(h => !catalog.Contains(h));
    }

    /// <summary>Objects the selected pointers reference: files (and validation reports) and trees, each set de-duplicated.</summary>
    private static async Task<(IReadOnlyList<ContentHash> Files, IReadOnlyList<ContentHash> Trees)> ReferencedAsync(
        ObsRepository repo, TransferOptions options, Func<ContentHash, string, CancellationToken, Task>? fetchTrees, CancellationToken ct, bool tolerateMissingTrees = false,
        Dictionary<ContentHash, long>? sizes = null)
    {
        var selection = Datasets.Select(repo, Datasets.At(repo, options.Revision), options.Paths);
        if (selection.Count == 0) throw new UsageException("no dataset is tracked" + (options.Revision is null ? "" : $" at revision '{options.Revision}'"));
        // Lists keep tree order (files of one folder adjacent, so packs and partial pulls line up); the sets de-duplicate.
        var files = new List<ContentHash>();
        var trees = new List<ContentHash>();
        var seen = new HashSet<ContentHash>();
        foreach (var (dataset, subPath) in selection)
        {
            if (seen.Add(dataset.Pointer.Tree)) trees.Add(dataset.Pointer.Tree);
            if (dataset.Pointer.Validation?.Report is { } report && seen.Add(report)) files.Add(report);
            if (!repo.Cache.Contains(dataset.Pointer.Tree))
            {
                if (fetchTrees is not null) await fetchTrees(dataset.Pointer.Tree, $"tree of {dataset.PointerPath}", ct);
                else if (tolerateMissingTrees) continue;
            }
            var tree = await Datasets.LoadTreeAsync(repo, dataset, ct);
            foreach (var e in tree.Entries)
                if ((subPath is null || e.Path == subPath || e.Path.StartsWith(subPath + "/", StringComparison.Ordinal)) && seen.Add(e.Hash))
                {
                    files.Add(e.Hash);
                    if (sizes is not null) sizes[e.Hash] = e.Size;
                }
        }
        return (files, trees);
    }

    private static ParallelOptions ParallelFor(TransferOptions options, CancellationToken ct) =>
        new() { MaxDegreeOfParallelism = options.Jobs ?? DefaultJobs, CancellationToken = ct };

    /// <summary>Network and server hiccups are retried; a missing object or a hash mismatch is not.</summary>
    public static bool IsTransient(Exception ex) => ex is RemoteTransientException or HttpRequestException or IOException and not FileNotFoundException;
}

/// <summary>
/// A remote failure worth retrying (timeouts, 5xx, connection resets); adapters wrap their own exceptions in it. When the
/// retries are spent it reaches the user as an I/O error (exit 3).
/// </summary>
public sealed class RemoteTransientException(string message, Exception? inner = null) : ObsException(message, inner)
{
    public override int ExitCode => 3;
}
