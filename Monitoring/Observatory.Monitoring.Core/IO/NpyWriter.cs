using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Observatory.Monitoring.Core.Drift;

namespace Observatory.Monitoring.Core.IO;

/// <summary>Writes a matrix as a version-1.0 .npy file (C order, little-endian float32 or float64).</summary>
public static class NpyWriter
{
    public static void Write(string path, DataMatrix matrix, bool float32 = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(matrix);
        using var stream = File.Create(path);
        Write(stream, matrix, float32);
    }

    public static void Write(Stream stream, DataMatrix matrix, bool float32 = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(matrix);
        var dict = string.Create(CultureInfo.InvariantCulture,
            $"{{'descr': '{(float32 ? "<f4" : "<f8")}', 'fortran_order': False, 'shape': ({matrix.Rows}, {matrix.Cols}), }}");
        // Pad so the data starts on a 64-byte boundary, as numpy does; the header ends with '\n'.
        var total = 10 + dict.Length + 1;
        var padded = (total + 63) / 64 * 64;
        var header = dict + new string(' ', padded - total) + "\n";
        Span<byte> prefix = stackalloc byte[10];
        NpyReader.Magic.CopyTo(prefix);
        prefix[6] = 1;
        prefix[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(prefix[8..], (ushort)header.Length);
        stream.Write(prefix);
        stream.Write(Encoding.Latin1.GetBytes(header));
        var itemSize = float32 ? 4 : 8;
        var buffer = new byte[Math.Min(matrix.Data.Length, 1 << 16) * itemSize];
        for (var start = 0; start < matrix.Data.Length; start += buffer.Length / itemSize)
        {
            var n = Math.Min(buffer.Length / itemSize, matrix.Data.Length - start);
            for (var k = 0; k < n; k++)
            {
                if (float32) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(k * 4), (float)matrix.Data[start + k]);
                else BinaryPrimitives.WriteDoubleLittleEndian(buffer.AsSpan(k * 8), matrix.Data[start + k]);
            }
            stream.Write(buffer, 0, n * itemSize);
        }
    }
}
