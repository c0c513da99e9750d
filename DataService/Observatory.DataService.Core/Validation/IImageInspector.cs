namespace Observatory.DataService.Core.Validation;

/// <summary>Format found from the file's magic bytes (never from its name).</summary>
public enum ImageFormat
{
    Unknown,
    Jpeg,
    Png,
    Gif,
    Bmp,
    Webp,
    Tiff,
    Ico,
    Heif,
    Avif,
}

/// <summary>Colour model as encoded in the file.</summary>
public enum ColourMode
{
    Unknown,
    Grayscale,
    GrayscaleAlpha,
    Rgb,
    Rgba,
    Palette,
    Cmyk,
}

/// <summary>Outcome of inspecting one image file.</summary>
public enum InspectionStatus
{
    /// <summary>Header read and every row decoded.</summary>
    Ok,
    /// <summary>Bytes match no known image format.</summary>
    NotAnImage,
    /// <summary>Recognised format the decoder cannot decode (header facts may still be set).</summary>
    Unsupported,
    /// <summary>Header dimensions beyond the limits; nothing was decoded.</summary>
    TooLarge,
    /// <summary>Data ended before the last row.</summary>
    Truncated,
    /// <summary>Header unreadable or an error in the data.</summary>
    Corrupt,
}

/// <summary>Limits the inspector applies before it allocates any pixel memory.</summary>
public sealed record ImageInspectionLimits(int MaxSide, long MaxPixels)
{
    public static ImageInspectionLimits From(ValidationRules rules) => new(rules.MaxSide, rules.MaxPixels);
}

/// <summary>
/// What an <see cref="IImageInspector"/> learnt about one image. Pixel statistics (<see cref="LumaMean"/>, <see cref="PixelVariance"/>,
/// <see cref="PerceptualHash"/>, <see cref="HasTransparency"/>) are only meaningful when <see cref="Status"/> is Ok.
/// </summary>
public sealed record ImageInspection
{
    public InspectionStatus Status { get; init; }
    public ImageFormat Format { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public int Channels { get; init; }
    public ColourMode ColourMode { get; init; }
    public int BitDepth { get; init; }
    /// <summary>An alpha channel exists and at least one pixel is not fully opaque.</summary>
    public bool HasTransparency { get; init; }
    /// <summary>EXIF orientation swaps width and height when displayed.</summary>
    public bool Transposed { get; init; }
    /// <summary>JPEG whose last bytes are not the FF D9 end-of-image marker.</summary>
    public bool MissingJpegEoi { get; init; }
    public double LumaMean { get; init; }
    public double LumaVariance { get; init; }
    /// <summary>Mean of the R, G, B channel variances (grey images: the luma variance); the near-constant rule uses it.</summary>
    public double PixelVariance { get; init; }
    /// <summary>Mean colour (0..255 per channel); near-duplicates must also agree on it.</summary>
    public double MeanRed { get; init; }
    public double MeanGreen { get; init; }
    public double MeanBlue { get; init; }
    /// <summary>64-bit DCT perceptual hash (pHash of a 32×32 luma thumbnail, 8×8 low frequencies vs their median).</summary>
    public ulong PerceptualHash { get; init; }
    /// <summary>
    /// 16×16 luma thumbnail (see <see cref="LumaStatistics.Thumbnail16"/>); verifies near-duplicate candidates. Bytes, not the base64
    /// text JSON carries (the cache's format is unchanged): 280 bytes where the string took about 710, times every image a
    /// validation holds. Compared by reference in this record's equality.
    /// </summary>
    public byte[]? Thumbnail { get; init; }
    /// <summary>Why the status is not Ok (decoder message, rows decoded...).</summary>
    public string? Error { get; init; }
}

/// <summary>
/// Port to an image decoder. Implementations sniff the format by magic bytes, read the header, refuse dimensions beyond
/// <see cref="ImageInspectionLimits"/> before allocating pixels, then decode every row and compute luma statistics and a perceptual hash.
/// Must never throw on malformed input: it returns a status instead. Thread-safe: called in parallel.
/// </summary>
public interface IImageInspector
{
    /// <summary>Changes whenever the inspection of the same bytes could change (decoder, hash algorithm); part of the cache key.</summary>
    string Version { get; }

    ImageInspection Inspect(byte[] content, ImageInspectionLimits limits);
}
