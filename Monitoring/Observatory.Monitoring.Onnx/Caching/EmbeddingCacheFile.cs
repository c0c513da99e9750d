using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Observatory.Monitoring.Onnx.Caching;

/// <summary>
/// Minimal NumPy .npy (format 1.0) reader/writer for 2-D little-endian float32 ('&lt;f4') and float64 ('&lt;f8')
/// C-order matrices — what the embedding cache stores and what <c>numpy.load</c> reads back.
/// </summary>
internal static partial class EmbeddingCacheFile
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static void WriteFloat32(Stream stream, float[][] rows, int columns)
    {
        WriteHeader(stream, "<f4", rows.Length, columns);
        var line = new byte[columns * 4];
        foreach (var row in rows)
        {
            if (row.Length != columns) throw new ArgumentException($"every row must have {columns} values, got {row.Length}");
            for (var j = 0; j < columns; j++) BinaryPrimitives.WriteSingleLittleEndian(line.AsSpan(j * 4), row[j]);
            stream.Write(line);
        }
    }

    public static void WriteFloat64(Stream stream, double[][] rows, int columns)
    {
        WriteHeader(stream, "<f8", rows.Length, columns);
        var line = new byte[columns * 8];
        foreach (var row in rows)
        {
            if (row.Length != columns) throw new ArgumentException($"every row must have {columns} values, got {row.Length}");
            for (var j = 0; j < columns; j++) BinaryPrimitives.WriteDoubleLittleEndian(line.AsSpan(j * 8), row[j]);
            stream.Write(line);
        }
    }

    public static float[][] ReadFloat32(Stream stream, string name)
    {
        var (rows, columns) = ReadHeader(stream, "<f4", name);
        var result = new float[rows][];
        var line = new byte[columns * 4];
        for (var i = 0; i < rows; i++)
        {
            stream.ReadExactly(line);
            var row = result[i] = new float[columns];
            for (var j = 0; j < columns; j++) row[j] = BinaryPrimitives.ReadSingleLittleEndian(line.AsSpan(j * 4));
        }
        return result;
    }

    public static double[][] ReadFloat64(Stream stream, string name)
    {
        var (rows, columns) = ReadHeader(stream, "<f8", name);
        var result = new double[rows][];
        var line = new byte[columns * 8];
        for (var i = 0; i < rows; i++)
        {
            stream.ReadExactly(line);
            var row = result[i] = new double[columns];
            for (var j = 0; j < columns; j++) row[j] = BinaryPrimitives.ReadDoubleLittleEndian(line.AsSpan(j * 8));
        }
        return result;
    }

    private static void WriteHeader(Stream stream, string descr, int rows, int columns)
    {
        var dict = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({rows}, {columns}), }}");
        // numpy pads with spaces and ends with '\n' so the data starts on a 64-byte boundary.
        var unpadded = Magic.Length + 2 + 2 + dict.Length + 1;
        var header = dict + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        Span<byte> prefix = stackalloc byte[10];
        Magic.CopyTo(prefix);
        prefix[6] = 1;
        prefix[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(prefix[8..], checked((ushort)header.Length));
        stream.Write(prefix);
        stream.Write(Encoding.ASCII.GetBytes(header));
    }

    private static (int Rows, int Columns) ReadHeader(Stream stream, string descr, string name)
    {
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        if (!prefix[..6].SequenceEqual(Magic)) throw new InvalidDataException($"'{name}' is not a .npy file");
        int headerLength;
        if (prefix[6] == 1)
        {
            Span<byte> len = stackalloc byte[2];
            stream.ReadExactly(len);
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(len);
        }
        else if (prefix[6] is 2 or 3)
        {
            Span<byte> len = stackalloc byte[4];
            stream.ReadExactly(len);
            headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(len));
        }
        else
        {
            throw new InvalidDataException($"'{name}' has unsupported .npy version {prefix[6]}.{prefix[7]}");
        }
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var text = Encoding.Latin1.GetString(header);
        var d = DescrPattern().Match(text);
        if (!d.Success || d.Groups[1].Value != descr)
            throw new InvalidDataException($"'{name}' holds dtype {(d.Success ? d.Groups[1].Value : "?")}, expected {descr}");
        if (FortranPattern().Match(text) is not { Success: true } f || f.Groups[1].Value != "False")
            throw new InvalidDataException($"'{name}' is not C-ordered");
        var s = ShapePattern().Match(text);
        if (!s.Success) throw new InvalidDataException($"'{name}' is not a 2-D array (header: {text.Trim()})");
        return (int.Parse(s.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(s.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(\s*(\d+)\s*,\s*(\d+)\s*,?\s*\)")]
    private static partial Regex ShapePattern();
}
