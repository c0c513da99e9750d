using Observatory.DataService.Core.Queries;

namespace Observatory.Reports;

/// <summary>
/// An image a report embeds as a <c>data:</c> URI (never a link: the file must open anywhere, offline), with the YOLO boxes to draw
/// over it in normalised coordinates. <see cref="Highlight"/> is the label-file row a finding is about.
/// </summary>
public sealed record ReportImage(string Name, byte[] Bytes)
{
    public IReadOnlyList<YoloBox> Boxes { get; init; } = [];
    public int? Highlight { get; init; }

    /// <summary>Larger images are left out of a report (an icon-sized thumbnail is all a reader needs, and the file stays mailable).</summary>
    public const int MaxBytes = 512 * 1024;

    /// <summary>The raster type the bytes start with, or null: only these become <c>data:</c> URIs (an SVG could carry script).</summary>
    public string? ContentType => Sniff(Bytes);

    public static string? Sniff(ReadOnlySpan<byte> b) =>
        b.StartsWith(PngMagic) ? "image/png"
        : b.StartsWith(JpegMagic) ? "image/jpeg"
        : b.StartsWith("GIF8"u8) ? "image/gif"
        : b.Length >= 12 && b.StartsWith("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8) ? "image/webp"
        : b.StartsWith("BM"u8) ? "image/bmp"
        : null;

    // Byte arrays, not u8 strings: "\x89" in a u8 literal is the UTF-8 of U+0089 (two bytes), not the byte 0x89.
    private static ReadOnlySpan<byte> PngMagic => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> JpegMagic => [0xFF, 0xD8, 0xFF];

    /// <summary>An image of the catalog with its boxes, when its bytes are embeddable; null when too large or not a browser raster.</summary>
    public static ReportImage? From(AnnotatedImage image, byte[]? bytes, int? highlight = null) =>
        bytes is null || bytes.Length > MaxBytes || Sniff(bytes) is null ? null
            : new ReportImage(image.Path, bytes) { Boxes = image.Boxes, Highlight = highlight };
}
