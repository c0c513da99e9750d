using Microsoft.Extensions.Options;
using Observatory.DataService.Core.Workspace;
using Observatory.DataService.Git;
using Observatory.DataService.Storage;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Onnx;
using Observatory.Monitoring.Onnx.Caching;

namespace Observatory.Monitoring.Api.Services;

/// <summary>The reference embeddings of a dataset version and the encoder that made them.</summary>
public sealed record ReferenceEmbeddings(string TreeHash, string ModelKey, float[][] Vectors, double[][] ImageFeatures, int Images);

/// <summary>
/// Embeds the images of a model's reference dataset version (git repo + pointer + revision, resolved through DataService's
/// library; bytes read from the content-addressed cache, no checkout) with the shipped encoder, once per tree + encoder:
/// the result is cached on disk, so later drift runs only read it.
/// </summary>
public sealed class ReferenceEmbeddingService(IOptions<MonitoringOptions> options) : IDisposable
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png"];
    private readonly Lazy<ImageEmbedder> _embedder = new(() => new ImageEmbedder(EmbeddingModelOptions.Default));
    private readonly SemaphoreSlim _gate = new(1, 1);

    public int Dimension => _embedder.Value.Dimension ?? EncoderDimension;

    private static int EncoderDimension => Observatory.Monitoring.Onnx.Model.EncoderSpec.Default.OutputDimension;

    public async Task<ReferenceEmbeddings> GetAsync(ReferenceDataset reference, CancellationToken ct)
    {
        var env = new ObsEnvironment(path => LibGit2VersionControl.Discover(path), path => new SqliteStatCache(path), TimeProvider.System);
        using var repo = ObsRepository.Open(reference.RepoPath, env);
        var dataset = Datasets.AtRevision(repo, reference.Revision).FirstOrDefault(d => d.PointerPath == reference.PointerPath)
            ?? throw new InvalidOperationException($"no dataset pointer '{reference.PointerPath}' at revision '{reference.Revision}' of {reference.RepoPath}");
        var tree = await Datasets.LoadTreeAsync(repo, dataset, ct);
        var images = tree.Entries.Where(e => ImageExtensions.Contains(Path.GetExtension(e.Path).ToLowerInvariant()))
            .OrderBy(e => e.Path, StringComparer.Ordinal)
            .Select(e => ImageSource.FromFile(repo.Cache.PathOf(e.Hash))).ToList();
        if (images.Count == 0) throw new InvalidOperationException($"dataset '{dataset.DatasetPath}' at '{reference.Revision}' has no images");
        var treeHash = dataset.Pointer.Tree.Hex;
        var embedder = _embedder.Value;
        var cache = new EmbeddingCache(Path.GetFullPath(options.Value.EmbeddingCacheDirectory));
        // One embedding run at a time: the encoder already uses every core.
        await _gate.WaitAsync(ct);
        try
        {
            var embeddings = await cache.GetOrCreateAsync(treeHash, embedder.CacheKey, c => embedder.EmbedAsync(images, c), ct);
            return new ReferenceEmbeddings(treeHash, embedder.CacheKey, embeddings.Vectors, embeddings.Statistics.Select(s => s.ToFeatures()).ToArray(), images.Count);
        }
        finally { _gate.Release(); }
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
    }
}
