namespace Observatory.Monitoring.Core.Ports;

/// <summary>
/// Where the service keeps the images production sent it, content-addressed by SHA-256 in the layout of a dataset cache
/// (<c>objects/ab/cdef…</c>): what production saw can later become a dataset version without copying anything by hand.
/// </summary>
public interface IImageArchive
{
    /// <summary>Where the images are, for messages (no credentials).</summary>
    string DisplayUrl { get; }

    /// <summary>Keeps <paramref name="image"/> under <paramref name="sha256"/> (its hash, lower-case hex); whole or not at all, idempotent.</summary>
    Task KeepAsync(string sha256, ReadOnlyMemory<byte> image, CancellationToken cancellationToken);

    /// <summary>True when an image with this hash is kept.</summary>
    Task<bool> ContainsAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>
    /// The kept image's bytes, verified against <paramref name="sha256"/>; null when no such image is kept.
    /// </summary>
    /// <exception cref="KeptImageException">The image is larger than <paramref name="maxBytes"/>, or its bytes no longer match its hash.</exception>
    Task<byte[]?> ReadAsync(string sha256, long maxBytes, CancellationToken cancellationToken);

    /// <summary>
    /// A URL that downloads the image without credentials until <paramref name="expiry"/> has passed, when the store hands them
    /// out (S3); null when it does not (a folder), and the service serves the image itself.
    /// </summary>
    Task<Uri?> PresignReadAsync(string sha256, TimeSpan expiry, CancellationToken cancellationToken);

    /// <summary>Deletes the image kept under <paramref name="sha256"/>; idempotent (an image not kept is no error).</summary>
    Task DeleteAsync(string sha256, CancellationToken cancellationToken);
}

/// <summary>A kept image cannot be served: too large for the configured bound, or damaged (its bytes do not match its hash).</summary>
public sealed class KeptImageException(string message) : Exception(message);
