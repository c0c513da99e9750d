using System.Buffers.Binary;
using System.IO.Compression;
using Observatory.DataService.Core.Objects;
using Observatory.Samples;
using SkiaSharp;

namespace Observatory.DataService.Tests.Validation;

/// <summary>Builds image files with exact properties for the validation tests: hand-written PNGs (16-bit, absurd headers) and Skia renders.</summary>
internal static class TestImages
{
    /// <summary>A textured colour image as JPEG or PNG (a sample-dataset render).</summary>
    public static byte[] Render(int seed, int width = 160, int height = 120, bool png = false) =>
        SampleDataset.RenderImage(seed, new SampleDatasetOptions { Width = width, Height = height }, out _, png);

    /// <summary>Noise image encoded by Skia from a bitmap of the given colour type (Gray8 → grayscale PNG, transparent Rgba → RGBA PNG).</summary>
    public static byte[] Noise(int seed, int width, int height, SKColorType type, SKEncodedImageFormat format, byte alpha = 255, int quality = 90)
    {
        var rng = new Random(seed);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, type, type == SKColorType.Gray8 ? SKAlphaType.Opaque : SKAlphaType.Unpremul));
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var v = (byte)rng.Next(256);
                bitmap.SetPixel(x, y, type == SKColorType.Gray8 ? new SKColor(v, v, v) : new SKColor(v, (byte)rng.Next(256), (byte)rng.Next(256), alpha));
            }
        using var data = bitmap.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>A uniform colour JPEG (near-constant image).</summary>
    public static byte[] Solid(int width, int height, SKColor colour)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(colour);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    /// <summary>Decodes and re-encodes a JPEG at another quality: the same picture, other bytes (a near-duplicate).</summary>
    public static byte[] Reencode(byte[] jpeg, int quality)
    {
        using var bitmap = SKBitmap.Decode(jpeg);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }

    /// <summary>
    /// Writes a PNG by hand: <paramref name="colourType"/> 0 grey, 2 RGB, 6 RGBA; <paramref name="bitDepth"/> 8 or 16; pixel bytes from a
    /// seeded RNG. <paramref name="headerWidth"/>/<paramref name="headerHeight"/> override the IHDR (absurd sizes) without writing that many pixels.
    /// </summary>
    public static byte[] Png(int width, int height, int colourType, int bitDepth, int seed, int? headerWidth = null, int? headerHeight = null)
    {
        var channels = colourType switch { 0 => 1, 2 => 3, 6 => 4, _ => throw new ArgumentOutOfRangeException(nameof(colourType)) };
        var rowBytes = width * channels * bitDepth / 8;
        var raw = new byte[(rowBytes + 1) * height];
        var rng = new Random(seed);
        for (var y = 0; y < height; y++)
        {
            raw[y * (rowBytes + 1)] = 0; // filter: none
            rng.NextBytes(raw.AsSpan(y * (rowBytes + 1) + 1, rowBytes));
        }
        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)(headerWidth ?? width));
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)(headerHeight ?? height));
        ihdr[8] = (byte)bitDepth; ihdr[9] = (byte)colourType;
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", idat.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(len, (uint)data.Length);
        s.Write(len);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(len, Crc32(typeBytes, data));
        s.Write(len);
    }

    private static uint Crc32(byte[] a, byte[] b)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var buf in new[] { a, b })
            foreach (var x in buf)
            {
                crc ^= x;
                for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        return ~crc;
    }

    /// <summary>The tree entries of a directory, as the store would list them.</summary>
    public static List<TreeEntry> TreeOf(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => new TreeEntry(Path.GetRelativePath(root, f).Replace('\\', '/'), ContentHash.Compute(File.ReadAllBytes(f)), new FileInfo(f).Length))
            .OrderBy(e => e.Path, StringComparer.Ordinal)
            .ToList();
}

/// <summary>A temp folder removed after the test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("obs-validate-").FullName;

    public string Write(string relative, byte[] content)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return full;
    }

    public string Write(string relative, string content) => Write(relative, System.Text.Encoding.UTF8.GetBytes(content));

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
