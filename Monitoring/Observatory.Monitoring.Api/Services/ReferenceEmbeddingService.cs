using Microsoft.Extensions.Options;
using Observatory.Monitoring.Contracts;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Remotes;
using Observatory.DataService.Core.Store;
using Observatory.DataService.Core.Workspace;
using Observatory.DataService.Storage;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Onnx;
using Observatory.Monitoring.Onnx.Caching;

namespace Observatory.Monitoring.Api.Services;

/// <summary>
/// The reference embeddings of a dataset version and the encoder that made them. <paramref name="Items"/> names the file behind each
/// vector (same order), or is null when the tree could not be read (embeddings served from the cache, tree object not pulled).
/// </summary>
public sealed record ReferenceEmbeddings(string TreeHash, string ModelKey, float[][] Vectors, double[][] ImageFeatures, int Images,
    IReadOnlyList<ReferenceItem>? Items = null);

/// <summary>One embedded file of a reference dataset version: its path inside the dataset and its content hash.</summary>
public sealed record ReferenceItem(string Path, string Sha256);

/// <summary>
/// Embeds the images of a model's reference dataset version (git repo + pointer + revision, resolved through DataService's
/// library; bytes read from the content-addressed cache, no checkout) with the shipped encoder, once per tree + encoder:
/// the result is cached on disk, so later drift runs only read it. Objects the repository's cache lacks (cloned, never pulled)
/// are fetched first from the workspace's default remote, as `obs fetch` would.
/// </summary>
public sealed class ReferenceEmbeddingService(IOptions<MonitoringOptions> options, ILogger<ReferenceEmbeddingService> log) : IDisposable
{
    private readonly Lazy<ImageEmbedder> _embedder = new(() => new ImageEmbedder(EmbeddingModelOptions.Default, options.Value.Images.ToLimits()));
    private readonly SemaphoreSlim _gate = new(1, 1);
    // Fetches are serialised apart from embedding, so uploads keep being embedded while a reference downloads.
    private readonly SemaphoreSlim _fetchGate = new(1, 1);

    public int Dimension => _embedder.Value.Dimension ?? EncoderDimension;

    private static int EncoderDimension => Observatory.Monitoring.Onnx.Model.EncoderSpec.Default.OutputDimension;

    public Task<ReferenceEmbeddings> GetAsync(ReferenceDataset reference, CancellationToken ct) => GetAsync(reference, nameFiles: false, ct);

    /// <param name="nameFiles">Also name the file behind each vector (<see cref="ReferenceEmbeddings.Items"/>). Only the outliers view
    /// needs them; on cached embeddings they cost a parse of the tree, which drift runs skip.</param>
    public async Task<ReferenceEmbeddings> GetAsync(ReferenceDataset reference, bool nameFiles, CancellationToken ct)
    {
        // Checked again here: the roots may have narrowed since the model was registered.
        if (options.Value.RefuseReference(reference.RepoPath) is { } outside)
            throw new InvalidOperationException($"reference repository '{reference.RepoPath}' {outside}");
        var env = ObsEnvironments.Create(TimeProvider.System);
        using var repo = ObsRepository.Open(reference.RepoPath, env);
        var dataset = Datasets.AtRevision(repo, reference.Revision).FirstOrDefault(d => d.PointerPath == reference.PointerPath)
            ?? throw new InvalidOperationException($"no dataset pointer '{reference.PointerPath}' at revision '{reference.Revision}' of {reference.RepoPath}");
        var treeHash = dataset.Pointer.Tree.Hex;
        var embedder = _embedder.Value;
        var cache = new EmbeddingCache(Path.GetFullPath(options.Value.EmbeddingCacheDirectory));
        // Already embedded: neither the tree nor the images are read, so a repository whose objects were never pulled still serves it.
        // The tree alone (one small object) still names the files when it is cached.
        if (await cache.TryGetAsync(treeHash, embedder.CacheKey, ct) is { } hit)
            return Result(treeHash, embedder.CacheKey, hit, nameFiles ? await TryLoadItemsAsync(repo, dataset, ct) : null);
        var tree = await CompleteTreeAsync(repo, dataset, ct) ?? await FetchAsync(repo, dataset, reference, ct);
        var entries = ImageEntries(tree);
        var items = entries.Select(e => new ReferenceItem(e.Path, e.Hash.Hex)).ToList();
        var images = entries.Select(e => ImageSource.FromFile(repo.Cache.PathOf(e.Hash))).ToList();
        if (images.Count == 0) throw new InvalidOperationException($"dataset '{dataset.DatasetPath}' at '{reference.Revision}' has no images");
        // One embedding run at a time: the encoder already uses every core.
        await _gate.WaitAsync(ct);
        try
        {
            return Result(treeHash, embedder.CacheKey, await cache.GetOrCreateAsync(treeHash, embedder.CacheKey, c => embedder.EmbedAsync(images, c), ct), items);
        }
        finally { _gate.Release(); }
    }

    /// <summary>The embedded entries of a tree, in embedding order: image files by ordinal path.</summary>
    private static List<TreeEntry> ImageEntries(TreeObject tree) =>
        tree.Entries.Where(e => Observatory.DataService.Core.Annotations.ImageFiles.IsEmbeddable(e.Path)) // the same selection as `obs embed`
            .OrderBy(e => e.Path, StringComparer.Ordinal).ToList();

    /// <summary>The files behind cached embeddings when the tree object is cached and sound; null otherwise (items unknown).</summary>
    private static async Task<List<ReferenceItem>?> TryLoadItemsAsync(ObsRepository repo, TrackedDataset dataset, CancellationToken ct)
    {
        if (!repo.Cache.Contains(dataset.Pointer.Tree)) return null;
        try { return ImageEntries(await Datasets.LoadTreeAsync(repo, dataset, ct)).Select(e => new ReferenceItem(e.Path, e.Hash.Hex)).ToList(); }
        catch (Exception ex) when (ex is ObsException or IOException) { return null; }
    }

    private static ReferenceEmbeddings Result(string treeHash, string modelKey, ImageEmbeddings embeddings, IReadOnlyList<ReferenceItem>? items) =>
        new(treeHash, modelKey, embeddings.Vectors, embeddings.Statistics.Select(s => s.ToFeatures()).ToArray(), embeddings.Count,
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
        catch (UsageException ex) { throw new InvalidOperationException($"{what}: objects are missing from the repository's cache and cannot be fetched: {ex.Message}", ex); }
        var from = $"remote '{remoteName}' ({remoteConfig.Url})";
        if (CacheNotWritable(repo) is { } why)
            throw new InvalidOperationException(
                $"{what}: objects are missing from the repository's cache and cannot be fetched from {from}: the cache is not writable ({why}); " +
                "run 'obs pull' in the repository, or mount it writable for the service");

        await _fetchGate.WaitAsync(ct);
        try
        {
            using var _ = await repo.LockForWriteAsync(ct);
            // Another process (or an earlier job) may have fetched while this one waited.
            if (await CompleteTreeAsync(repo, dataset, ct) is { } tree) return tree;
            // The remote resolved above, opened with the environment's factory (no second lookup).
            using var remote = repo.Environment.RemoteFactory!.Open(remoteName, remoteConfig, repo.Root);
            var result = await DataService.Core.Operations.FetchOperation.RunAsync(repo, remote, new TransferOptions
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
            throw new InvalidOperationException($"{what}: fetching its missing objects from {from} failed: {ex.Message}", ex);
        }
        finally { _fetchGate.Release(); }
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

    /// <summary>Embeds uploaded production images with the same encoder as the references.</summary>
    /// <exception cref="ImageDecodeException">An image could not be decoded; it is named.</exception>
    public async Task<ImageEmbeddings> EmbedAsync(IReadOnlyList<ImageSource> images, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try { return await _embedder.Value.EmbedAsync(images, ct); }
        finally { _gate.Release(); }
    }

    public void Dispose()
    {
        if (_embedder.IsValueCreated) _embedder.Value.Dispose();
        _gate.Dispose();
        _fetchGate.Dispose();
    }
}
