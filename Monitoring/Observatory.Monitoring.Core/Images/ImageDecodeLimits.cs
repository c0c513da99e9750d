namespace Observatory.Monitoring.Core.Images;

/// <summary>
/// What one decode may cost, checked from the image header before any pixel memory is allocated (decompression bombs:
/// a 250 KB PNG can declare 16000×16000 pixels, a 1 GB bitmap). The defaults are `obs validate`'s (ValidationRules
/// max_side, max_pixels, max_image_bytes), so a dataset version that validates also embeds; hosts pass the values they
/// are configured with. <see cref="DecodeMemoryBytes"/> bounds the bitmaps of all decodes in flight on one embedder at once.
/// </summary>
public sealed record ImageDecodeLimits
{
    public static ImageDecodeLimits Default { get; } = new();

    public int MaxSide { get; init; } = 30_000;
    public long MaxPixels { get; init; } = 200_000_000;
    /// <summary>Largest encoded file read into memory.</summary>
    public long MaxEncodedBytes { get; init; } = 100L * 1024 * 1024;
    /// <summary>Pixel memory (4 bytes a pixel at the decoded size) of every decode in flight together; a decode waits for room.</summary>
    public long DecodeMemoryBytes { get; init; } = 1024L * 1024 * 1024;

    public void Validate()
    {
        if (MaxSide < 1) throw new ArgumentException($"image limit MaxSide must be at least 1 (got {MaxSide})");
        if (MaxPixels < 1) throw new ArgumentException($"image limit MaxPixels must be at least 1 (got {MaxPixels})");
        if (MaxEncodedBytes < 1) throw new ArgumentException($"image limit MaxEncodedBytes must be at least 1 (got {MaxEncodedBytes})");
        if (DecodeMemoryBytes < 4L * 1024 * 1024) throw new ArgumentException($"image limit DecodeMemoryBytes must be at least 4 MiB (got {DecodeMemoryBytes})");
    }

    /// <summary>Why a header's dimensions are refused, or null when they are within the limits.</summary>
    public string? Refuse(int width, int height) =>
        width > MaxSide || height > MaxSide || (long)width * height > MaxPixels
            ? $"{width}×{height} exceeds max_side {MaxSide} or max_pixels {MaxPixels}; not decoded"
            : null;
}
