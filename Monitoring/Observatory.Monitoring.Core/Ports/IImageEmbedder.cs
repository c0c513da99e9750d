using Observatory.Monitoring.Core.Images;

namespace Observatory.Monitoring.Core.Ports;

/// <summary>
/// The image encoder a host embeds with: production uploads and reference dataset versions go through the same one, so
/// their vectors are comparable. One per host, chosen at start-up from options; the adapter is Monitoring.Onnx's
/// <c>ImageEmbedder</c>, composed by Monitoring.Adapters.
/// </summary>
public interface IImageEmbedder
{
    /// <summary>How the encoder is named in messages: its model file, or the name of a shipped model.</summary>
    string Name { get; }

    /// <summary>SHA-256 (hex) of the model bytes and every preprocessing setting: equal keys give equal embeddings (the cache key).</summary>
    string CacheKey { get; }

    /// <summary>Embedding dimension when the model declares it; null until a first run otherwise.</summary>
    int? Dimension { get; }

    /// <summary>Embeds <paramref name="images"/>; vectors and statistics come back in input order.</summary>
    /// <exception cref="ImageDecodeException">An image could not be decoded or is over the limits; the exception names it.</exception>
    Task<ImageEmbeddings> EmbedAsync(IReadOnlyList<ImageSource> images, CancellationToken cancellationToken);
}

/// <summary>
/// Runs one embedding at a time on the encoder it wraps: an encoder already uses every core, so a second run in parallel
/// only makes both slower and doubles the memory in flight. Uploads and reference jobs queue here in arrival order.
/// </summary>
public sealed class OneAtATimeEmbedder(IImageEmbedder inner) : IImageEmbedder, IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);

    public string Name => inner.Name;

    public string CacheKey => inner.CacheKey;

    public int? Dimension => inner.Dimension;

    public async Task<ImageEmbeddings> EmbedAsync(IReadOnlyList<ImageSource> images, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try { return await inner.EmbedAsync(images, cancellationToken).ConfigureAwait(false); }
        finally { gate.Release(); }
    }

    public void Dispose()
    {
        gate.Dispose();
        (inner as IDisposable)?.Dispose();
    }
}
