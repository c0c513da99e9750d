using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Onnx;

namespace Observatory.Monitoring.Adapters;

/// <summary>
/// <see cref="IImageEmbedder"/> over Monitoring.Onnx's <see cref="ImageEmbedder"/>. The model is loaded on first use, not at
/// start-up: a host that never embeds (most test hosts, a service fed only with client embeddings) never pays for the session.
/// The options were validated at start-up, so a missing file or bad field fails there; a model that loads but does not match
/// its options fails on first use with a message naming the field.
/// </summary>
internal sealed class OnnxImageEmbedder(EmbeddingModelOptions options, ImageDecodeLimits limits) : IImageEmbedder, IDisposable
{
    private readonly Lazy<ImageEmbedder> embedder = new(() => new ImageEmbedder(options, limits));

    public string Name => options.Name;

    public string CacheKey => embedder.Value.CacheKey;

    public int? Dimension => embedder.Value.Dimension;

    public Task<ImageEmbeddings> EmbedAsync(IReadOnlyList<ImageSource> images, CancellationToken cancellationToken) =>
        embedder.Value.EmbedAsync(images, cancellationToken);

    public void Dispose()
    {
        if (embedder.IsValueCreated) embedder.Value.Dispose();
    }
}
