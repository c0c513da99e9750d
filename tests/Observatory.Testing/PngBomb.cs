using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Observatory.Testing;

/// <summary>
/// A valid, fully decodable PNG of any size whose file is tiny: an 8-bit grayscale image of zero rows compresses about
/// 1000:1, so 16000×16000 pixels (a 1 GB RGBA bitmap once decoded) is a file of about 250 KB — a decompression bomb.
/// </summary>
public static class PngBomb
{
    public static byte[] Create(int width, int height)
    {
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 0; // grayscale
        WriteChunk(png, "IHDR", ihdr);
        using (var idat = new MemoryStream())
        {
            using (var z = new ZLibStream(idat, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                var row = new byte[width + 1]; // filter byte 0, then zero pixels
                for (var y = 0; y < height; y++) z.Write(row);
            }
            WriteChunk(png, "IDAT", idat.ToArray());
        }
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        s.Write(word);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        s.Write(word);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
