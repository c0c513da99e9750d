namespace Observatory.Monitoring.Core.Images;

/// <summary>
/// The format of image bytes from their magic numbers, never from a client's file name or header: what the service declares
/// when it serves a kept image, and the extension an exported file gets.
/// </summary>
public static class ImageFormats
{
    public sealed record Format(string ContentType, string Extension);

    public static readonly Format Unknown = new("application/octet-stream", ".bin");

    public static Format Sniff(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return new("image/png", ".png");
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return new("image/jpeg", ".jpg");
        if (bytes.StartsWith("GIF87a"u8) || bytes.StartsWith("GIF89a"u8)) return new("image/gif", ".gif");
        if (bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8)) return new("image/webp", ".webp");
        if (bytes.StartsWith("BM"u8)) return new("image/bmp", ".bmp");
        return Unknown;
    }
}
