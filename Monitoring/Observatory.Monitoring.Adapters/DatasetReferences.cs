using Microsoft.Extensions.Logging;
using Observatory.DataService.Core.Annotations;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Remotes;
using Observatory.DataService.Core.Store;
using Observatory.DataService.Core.Workspace;
using Observatory.DataService.Storage;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Onnx.Caching;

namespace Observatory.Monitoring.Adapters;

/// <summary>Where reference embeddings are kept and which repositories the service may open.</summary>
/// <param name="EmbeddingCacheDirectory">The service's own cache of reference embeddings (one entry per tree + encoder).</param>
/// <param name="Roots">Folders (full paths) under which a reference repository may lie; empty refuses every repository.</param>
public sealed record ReferenceDatasetsSettings(string EmbeddingCacheDirectory, IReadOnlyList<string> Roots);

/// <summary>
/// <see cref="IReferenceDatasets"/> over DataService's library: the repository is opened where it lies (git repo + pointer +
/// revision), the image bytes are read from its content-addressed cache (no checkout), and the embeddings are kept per tree +
/// encoder, so later drift runs only read them. Entries `obs embed` wrote in the repository are used as they are. Objects the
/// repository's cache lacks (cloned, never pulled) are fetched first from its default remote, as `obs fetch` would.
/// </summary>
public sealed class DatasetReferences(IImageEmbedder embedder, ReferenceDatasetsSettings settings, TimeProvider time, ILogger<DatasetReferences> log)
    : IReferenceDatasets, IDisposable
{
    // Fetches are serialised apart from embedding, so uploads keep being embedded while a reference downloads.
    private readonly SemaphoreSlim fetchGate = new(1, 1);

    public string? Refuse(ReferenceDataset reference)
    {
        var full = Path.GetFullPath(reference.RepoPath);
        // A link inside a root may lead anywhere: judge where it leads.
        if (Directory.Exists(full) && new DirectoryInfo(full).ResolveLinkTarget(returnFinalTarget: true) is { } target) full = target.FullName;
        if (settings.Roots.Any(r => RepoPath.IsUnder(full, r))) return null;
        return settings.Roots.Count == 0
            ? "no reference root is configured (the service runs from the file system root); set Monitoring:ReferenceRoots"
            : $"is outside Monitoring:ReferenceRoots ({string.Join(", ", settings.Roots)})";
    }

    public Task<ReferenceEmbeddings> GetEmbeddingsAsync(ReferenceDataset reference, bool nameFiles, CancellationToken cancellationToken) =>
        GetEmbeddingsAsync(reference, embedder, nameFiles, cancellationToken);

    public async Task<ReferenceEmbeddings> GetEmbeddingsAsync(ReferenceDataset reference, IImageEmbedder encoder, bool nameFiles, CancellationToken cancellationToken)
    {
        // Checked again here: the roots may have narrowed since the model was registered.
        if (Refuse(reference) is { } outside) throw new ReferenceUnavailableException($"reference repository '{reference.RepoPath}' {outside}");
        try
        {
            return await EmbedAsync(reference, encoder, nameFiles, cancellationToken);
        }
        catch (Exception ex) when (ex is ObsException or IOException or UnauthorizedAccessException or ImageDecodeException)
        {
            throw new ReferenceUnavailableException(
                $"reference dataset '{reference.PointerPath}' at '{reference.Revision}' of {reference.RepoPath}: {ex.Message}", ex);
        }
    }

    private async Task<ReferenceEmbeddings> EmbedAsync(ReferenceDataset reference, IImageEmbedder embedder, bool nameFiles, CancellationToken ct)
    {
        using var repo = ObsRepository.Open(reference.RepoPath, ObsEnvironments.Create(time));
        var dataset = Datasets.AtRevision(repo, reference.Revision).FirstOrDefault(d => d.PointerPath == reference.PointerPath)
            ?? throw new ReferenceUnavailableException($"no dataset pointer '{reference.PointerPath}' at revision '{reference.Revision}' of {reference.RepoPath}");
        var treeHash = dataset.Pointer.Tree.Hex;
        var cache = new EmbeddingCache(Path.GetFullPath(settings.EmbeddingCacheDirectory));
        // Already embedded, by this service or by `obs embed` in the repository: neither the tree nor the images are read, so a
        // repository whose objects were never pulled still serves it. The tree alone (one small object) still names the files.
        var hit = await cache.TryGetAsync(treeHash, embedder.CacheKey, ct)
            ?? await new EmbeddingCache(EmbeddingCache.RepositoryFolder(repo.ObsDir)).TryGetAsync(treeHash, embedder.CacheKey, ct);
        if (hit is not null) return Result(treeHash, embedder, hit, nameFiles ? await TryLoadItemsAsync(repo, dataset, ct) : null);
        var tree = await CompleteTreeAsync(repo, dataset, ct) ?? await FetchAsync(repo, dataset, reference, ct);
        var entries = ImageFiles.ToEmbed(tree);
        if (entries.Count == 0) throw new ReferenceUnavailableException($"dataset '{dataset.DatasetPath}' at '{reference.Revision}' of {reference.RepoPath} has no images");
        var images = entries.Select(e => ImageSource.FromFile(repo.Cache.PathOf(e.Hash))).ToList();
        var embedded = await cache.GetOrCreateAsync(treeHash, embedder.CacheKey, c => embedder.EmbedAsync(images, c), ct);
        return Result(treeHash, embedder, embedded, Items(entries));
    }

    private static List<ReferenceItem> Items(IReadOnlyList<TreeEntry> entries) => entries.Select(e => new ReferenceItem(e.Path, e.Hash.Hex)).ToList();

    /// <summary>The files behind cached embeddings when the tree object is cached and sound; null otherwise (items unknown).</summary>
    private static async Task<List<ReferenceItem>?> TryLoadItemsAsync(ObsRepository repo, TrackedDataset dataset, CancellationToken ct)
    {
        if (!repo.Cache.Contains(dataset.Pointer.Tree)) return null;
        try { return Items(ImageFiles.ToEmbed(await Datasets.LoadTreeAsync(repo, dataset, ct))); }
        catch (Exception ex) when (ex is ObsException or IOException) { return null; }
    }

    private static ReferenceEmbeddings Result(string treeHash, IImageEmbedder embedder, ImageEmbeddings embeddings, IReadOnlyList<ReferenceItem>? items) =>
        new(treeHash, embedder.CacheKey, embeddings.Vectors, embeddings.Statistics.Select(s => s.ToFeatures()).ToArray(),
            // A count that disagrees (should not happen: the cache is keyed by tree) would misname every image.
            items is not null && items.Count == embeddings.Count ? items : null);

    /// <summary>
    /// Fetches the dataset version's objects (tree, files) missing from the repository's cache from its default remote, and returns
    /// the tree. A cache that cannot be written (read-only mount) or a repository without a remote fails with a message naming
    /// both, which the job run records.
    /// </summary>
    private async Task<TreeObject> FetchAsync(ObsRepository repo, TrackedDataset dataset, ReferenceDataset reference, CancellationToken ct)
    {
        var what = $"reference dataset '{dataset.DatasetPath}' at '{reference.Revision}' of {repo.Root}";
        string remoteName;
        DataService.Core.Config.RemoteConfig remoteConfig;
        try { (remoteName, remoteConfig) = RemoteSelection.Resolve(repo.Config, null); }
        catch (UsageException ex) { throw new ReferenceUnavailableException($"{what}: objects are missing from the repository's cache and cannot be fetched: {ex.Message}", ex); }
        var from = $"remote '{remoteName}' ({remoteConfig.Url})";
        if (CacheNotWritable(repo) is { } why)
            throw new ReferenceUnavailableException(
                $"{what}: objects are missing from the repository's cache and cannot be fetched from {from}: the cache is not writable ({why}); " +
                "run 'obs pull' in the repository, or mount it writable for the service");

        await fetchGate.WaitAsync(ct);
        try
        {
            using var _ = await repo.LockForWriteAsync(ct);
            // Another process (or an earlier job) may have fetched while this one waited.
            if (await CompleteTreeAsync(repo, dataset, ct) is { } tree) return tree;
            // The remote resolved above, opened with the environment's factory (no second lookup).
            using var remote = repo.Environment.RemoteFactory!.Open(remoteName, remoteConfig, repo.Root);
            var result = await FetchOperation.RunAsync(repo, remote, new TransferOptions
            {
                Revision = reference.Revision,
                // Absolute: the library resolves user paths against the current directory, which is not the repository here.
                Paths = [Path.Combine(repo.Root, dataset.DatasetPath)],
                Packing = PackingOptions.From(remoteConfig),
            }, ct);
            log.LogInformation("fetched {Objects} object(s), {Bytes} bytes of {Dataset} from {Remote}", result.Transferred, result.Bytes, what, from);
            return await Datasets.LoadTreeAsync(repo, dataset, ct);
        }
        catch (Exception ex) when (ex is ObsException or IOException or UnauthorizedAccessException)
        {
            throw new ReferenceUnavailableException($"{what}: fetching its missing objects from {from} failed: {ex.Message}", ex);
        }
        finally { fetchGate.Release(); }
    }

    /// <summary>The tree when it and every file it names are in the repository's cache; null when something must be fetched.</summary>
    private static async Task<TreeObject?> CompleteTreeAsync(ObsRepository repo, TrackedDataset dataset, CancellationToken ct)
    {
        if (!repo.Cache.Contains(dataset.Pointer.Tree)) return null;
        var tree = await Datasets.LoadTreeAsync(repo, dataset, ct);
        return tree.Entries.All(e => repo.Cache.Contains(e.Hash)) ? tree : null;
    }

    /// <summary>Why the cache cannot take new objects (a probe file in its scratch and object folders), or null when it can.</summary>
    private static string? CacheNotWritable(ObsRepository repo)
    {
        foreach (var dir in new[] { repo.Cache.TempDirectory, repo.Cache.ObjectsDirectory })
        {
            var probe = AtomicFile.TempPath(dir);
            try
            {
                Directory.CreateDirectory(dir);
                using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return ex.Message;
            }
        }
        return null;
    }

    public void Dispose() => fetchGate.Dispose();
}
