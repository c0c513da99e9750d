using System.Buffers.Binary;

namespace Observatory.DataService.Core.Validation;

/// <summary>
/// Facts read from an image header without decoding: format by magic bytes, dimensions, colour mode and bit depth.
/// Pure byte parsing, so dimension limits are enforced before any decoder allocates memory.
/// </summary>
public sealed record ImageHeader(ImageFormat Format, int Width, int Height, ColourMode ColourMode, int Channels, int BitDepth)
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Format by magic bytes only.</summary>
    public static ImageFormat Sniff(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return ImageFormat.Jpeg;
        if (b.Length >= 8 && b[..8].SequenceEqual(PngSignature)) return ImageFormat.Png;
        if (b.Length >= 6 && (b[..6].SequenceEqual("GIF87a"u8) || b[..6].SequenceEqual("GIF89a"u8))) return ImageFormat.Gif;
        if (b.Length >= 18 && b[0] == (byte)'B' && b[1] == (byte)'M' && BinaryPrimitives.ReadInt32LittleEndian(b[14..]) is 12 or 40 or 52 or 56 or 64 or 108 or 124) return ImageFormat.Bmp;
        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8)) return ImageFormat.Webp;
        if (b.Length >= 4 && (b[..4].SequenceEqual("II*\0"u8) || b[..4].SequenceEqual("MM\0*"u8))) return ImageFormat.Tiff;
        if (b.Length >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 1 && b[3] == 0) return ImageFormat.Ico;
        if (b.Length >= 12 && b[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = b[8..12];
            if (brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8)) return ImageFormat.Avif;
            if (brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("mif1"u8) || brand.SequenceEqual("msf1"u8)) return ImageFormat.Heif;
        }
        return ImageFormat.Unknown;
    }

    /// <summary>Formats a given extension (without dot, any case) is expected to hold; Unknown for non-image extensions.</summary>
    public static ImageFormat FormatOfExtension(string extension) => extension.ToLowerInvariant() switch
    {
        "jpg" or "jpeg" or "jpe" or "jfif" => ImageFormat.Jpeg,
        "png" => ImageFormat.Png,
        "gif" => ImageFormat.Gif,
        "bmp" or "dib" => ImageFormat.Bmp,
        "webp" => ImageFormat.Webp,
        "tif" or "tiff" => ImageFormat.Tiff,
        "ico" => ImageFormat.Ico,
        "heic" or "heif" => ImageFormat.Heif,
        "avif" => ImageFormat.Avif,
        _ => ImageFormat.Unknown,
    };

    /// <summary>
    /// Reads the header. Returns null with <paramref name="error"/> set when the format is known but the header is unreadable;
    /// for formats whose header is not parsed here (TIFF, ICO, HEIF, AVIF) returns zero dimensions.
    /// </summary>
    public static ImageHeader? TryRead(ReadOnlySpan<byte> b, out string? error)
    {
        error = null;
        var format = Sniff(b);
        try
        {
            switch (format)
            {
                case ImageFormat.Unknown:
                    error = "bytes match no known image format";
                    return null;
                case ImageFormat.Png:
                    return ReadPng(b, out error);
                case ImageFormat.Jpeg:
                    return ReadJpeg(b, out error);
                case ImageFormat.Gif:
                    if (b.Length < 13) { error = "GIF header shorter than 13 bytes"; return null; }
                    return new(format, BinaryPrimitives.ReadUInt16LittleEndian(b[6..]), BinaryPrimitives.ReadUInt16LittleEndian(b[8..]), ColourMode.Palette, 3, 8);
                case ImageFormat.Bmp:
                    return ReadBmp(b, out error);
                case ImageFormat.Webp:
                    return ReadWebp(b, out error);
                default:
                    return new(format, 0, 0, ColourMode.Unknown, 0, 0);
            }
        }
        catch (ArgumentOutOfRangeException)
        {
            error = $"{format} header is cut short";
            return null;
        }
    }

    private static ImageHeader? ReadPng(ReadOnlySpan<byte> b, out string? error)
    {
        error = null;
        if (b.Length < 33 || !b[12..16].SequenceEqual("IHDR"u8)) { error = "PNG has no IHDR chunk"; return null; }
        var w = BinaryPrimitives.ReadUInt32BigEndian(b[16..]);
        var h = BinaryPrimitives.ReadUInt32BigEndian(b[20..]);
        int depth = b[24], type = b[25];
        var (mode, channels) = type switch
        {
            0 => (ColourMode.Grayscale, 1),
            2 => (ColourMode.Rgb, 3),
            3 => (ColourMode.Palette, 3),
            4 => (ColourMode.GrayscaleAlpha, 2),
            6 => (ColourMode.Rgba, 4),
            _ => (ColourMode.Unknown, 0),
        };
        if (mode == ColourMode.Unknown) { error = $"PNG colour type {type} is invalid"; return null; }
        return new(ImageFormat.Png, ClampToInt(w), ClampToInt(h), mode, channels, depth);
    }

    private static ImageHeader? ReadJpeg(ReadOnlySpan<byte> b, out string? error)
    {
        error = null;
        var i = 2;
        while (i + 4 <= b.Length)
        {
            if (b[i] != 0xFF) { error = $"JPEG marker expected at byte {i}"; return null; }
            var marker = b[i + 1];
            if (marker == 0xFF) { i++; continue; } // fill byte
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7)) { i += 2; continue; }
            if (marker == 0xD9 || marker == 0xDA) break; // image end or scan start before any frame header
            var length = BinaryPrimitives.ReadUInt16BigEndian(b[(i + 2)..]);
            if (length < 2) { error = "JPEG segment length < 2"; return null; }
            // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC) carry precision, height, width, components.
            if (marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC))
            {
                var seg = b.Slice(i + 4, 6);
                int precision = seg[0], h = BinaryPrimitives.ReadUInt16BigEndian(seg[1..]), w = BinaryPrimitives.ReadUInt16BigEndian(seg[3..]), comps = seg[5];
                var mode = comps switch { 1 => ColourMode.Grayscale, 3 => ColourMode.Rgb, 4 => ColourMode.Cmyk, _ => ColourMode.Unknown };
                if (mode == ColourMode.Unknown) { error = $"JPEG has {comps} colour components"; return null; }
                return new(ImageFormat.Jpeg, w, h, mode, comps, precision);
            }
            i += 2 + length;
        }
        error = "JPEG has no frame header (SOF marker)";
        return null;
    }

    private static ImageHeader? ReadBmp(ReadOnlySpan<byte> b, out string? error)
    {
        error = null;
        var dib = BinaryPrimitives.ReadInt32LittleEndian(b[14..]);
        if (dib < 12) { error = "BMP DIB header too short"; return null; }
        int w, h, bpp;
        if (dib == 12)
        {
            w = BinaryPrimitives.ReadUInt16LittleEndian(b[18..]); h = BinaryPrimitives.ReadUInt16LittleEndian(b[20..]); bpp = BinaryPrimitives.ReadUInt16LittleEndian(b[24..]);
        }
        else
        {
            w = BinaryPrimitives.ReadInt32LittleEndian(b[18..]); h = BinaryPrimitives.ReadInt32LittleEndian(b[22..]); bpp = BinaryPrimitives.ReadUInt16LittleEndian(b[28..]);
        }
        h = h == int.MinValue ? int.MaxValue : Math.Abs(h); // negative height = top-down rows
        if (w < 0) { error = "BMP width is negative"; return null; }
        var (mode, channels) = bpp switch { <= 8 => (ColourMode.Palette, 3), 32 => (ColourMode.Rgba, 4), _ => (ColourMode.Rgb, 3) };
        return new(ImageFormat.Bmp, w, h, mode, channels, bpp <= 8 ? 8 : Math.Min(bpp / channels, 16));
    }

    private static ImageHeader? ReadWebp(ReadOnlySpan<byte> b, out string? error)
    {
        error = null;
        var chunk = b[12..16];
        if (chunk.SequenceEqual("VP8X"u8))
        {
            var alpha = (b[20] & 0x10) != 0;
            var w = 1 + (b[24] | b[25] << 8 | b[26] << 16);
            var h = 1 + (b[27] | b[28] << 8 | b[29] << 16);
            return new(ImageFormat.Webp, w, h, alpha ? ColourMode.Rgba : ColourMode.Rgb, alpha ? 4 : 3, 8);
        }
        if (chunk.SequenceEqual("VP8L"u8))
        {
            if (b[20] != 0x2F) { error = "WebP lossless signature missing"; return null; }
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(b[21..]);
            var w = 1 + (int)(bits & 0x3FFF);
            var h = 1 + (int)((bits >> 14) & 0x3FFF);
            var alpha = ((bits >> 28) & 1) != 0;
            return new(ImageFormat.Webp, w, h, alpha ? ColourMode.Rgba : ColourMode.Rgb, alpha ? 4 : 3, 8);
        }
        if (chunk.SequenceEqual("VP8 "u8))
        {
            if (b[23] != 0x9D || b[24] != 0x01 || b[25] != 0x2A) { error = "WebP lossy start code missing"; return null; }
            var w = BinaryPrimitives.ReadUInt16LittleEndian(b[26..]) & 0x3FFF;
            var h = BinaryPrimitives.ReadUInt16LittleEndian(b[28..]) & 0x3FFF;
            return new(ImageFormat.Webp, w, h, ColourMode.Rgb, 3, 8);
        }
        error = "WebP has no VP8/VP8L/VP8X chunk";
        return null;
    }

    private static int ClampToInt(uint v) => v > int.MaxValue ? int.MaxValue : (int)v;
}
