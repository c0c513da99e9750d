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

    /// <summary>Deletes the image kept under <paramref name="sha256"/>; idempotent (an image not kept is no error).</summary>
    Task DeleteAsync(string sha256, CancellationToken cancellationToken);
}
