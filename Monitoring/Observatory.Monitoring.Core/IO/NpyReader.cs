using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Observatory.Monitoring.Core.Drift;

namespace Observatory.Monitoring.Core.IO;

/// <summary>Reads NumPy .npy files holding a 2-D float32 or float64 array (C or Fortran order, little-endian).</summary>
public static partial class NpyReader
{
    // 0x93 then "NUMPY"; a u8 string literal would UTF-8 encode U+0093 as two bytes.
    internal static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static DataMatrix Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException ex) { throw new MatrixFormatException(path, "file not found", ex); }
        catch (DirectoryNotFoundException ex) { throw new MatrixFormatException(path, "file not found", ex); }
        return Parse(bytes, path);
    }

    public static DataMatrix Parse(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length == 0) throw new MatrixFormatException(path, "file is empty");
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
            throw new MatrixFormatException(path, "not a .npy file (missing \\x93NUMPY magic)");
        int major = bytes[6];
        int headerLen, headerStart;
        if (major == 1) { headerLen = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]); headerStart = 10; }
        else if (major is 2 or 3)
        {
            if (bytes.Length < 12) throw new MatrixFormatException(path, "truncated .npy header");
            headerLen = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..])); headerStart = 12;
        }
        else throw new MatrixFormatException(path, $"unsupported .npy format version {major}");
        if (headerStart + headerLen > bytes.Length) throw new MatrixFormatException(path, "truncated .npy header");
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes.Slice(headerStart, headerLen));

        var descr = DescrRegex().Match(header);
        var fortran = FortranRegex().Match(header);
        var shape = ShapeRegex().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new MatrixFormatException(path, $"malformed .npy header: {header.Trim()}");

        var dtype = descr.Groups[1].Value;
        int itemSize = dtype switch
        {
            "<f8" => 8,
            "<f4" => 4,
            ">f8" or ">f4" => throw new MatrixFormatException(path, $"big-endian dtype '{dtype}' is not supported; save as little-endian float32/float64"),
            _ => throw new MatrixFormatException(path, $"dtype '{dtype}' is not supported; expected float32 ('<f4') or float64 ('<f8')"),
        };
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        if (dims.Length != 2)
            throw new MatrixFormatException(path, $"{dims.Length}-D array (shape ({shape.Groups[1].Value.Trim()})); expected a 2-D array (samples, dimensions)");
        if (dims[0] == 0 || dims[1] == 0)
            throw new MatrixFormatException(path, $"array is empty (shape ({dims[0]}, {dims[1]}))");
        if (dims[0] > int.MaxValue || dims[0] * dims[1] > Array.MaxLength)
            throw new MatrixFormatException(path, $"array too large (shape ({dims[0]}, {dims[1]}))");
        int rows = (int)dims[0], cols = (int)dims[1];
        var count = (long)rows * cols;
        var dataStart = headerStart + headerLen;
        if (bytes.Length - dataStart < count * itemSize)
            throw new MatrixFormatException(path, $"truncated data: expected {count * itemSize} bytes for shape ({rows}, {cols}), found {bytes.Length - dataStart}");

        var payload = bytes.Slice(dataStart, (int)(count * itemSize));
        var values = new double[count];
        if (itemSize == 8)
            for (var k = 0; k < count; k++) values[k] = BinaryPrimitives.ReadDoubleLittleEndian(payload[(k * 8)..]);
        else
            for (var k = 0; k < count; k++) values[k] = BinaryPrimitives.ReadSingleLittleEndian(payload[(k * 4)..]);

        if (fortran.Groups[1].Value == "True")
        {
            var c = new double[count];
            for (var j = 0; j < cols; j++)
                for (var i = 0; i < rows; i++) c[(long)i * cols + j] = values[(long)j * rows + i];
            values = c;
        }
        MatrixChecks.EnsureFinite(values, cols, path);
        return new DataMatrix(rows, cols, values);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrRegex();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranRegex();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();
}

internal static class MatrixChecks
{
    public static void EnsureFinite(double[] values, int cols, string path)
    {
        for (var k = 0; k < values.Length; k++)
        {
            if (!double.IsFinite(values[k]))
            {
                var kind = double.IsNaN(values[k]) ? "NaN" : "Inf";
                throw new MatrixFormatException(path, $"contains {kind} at row {k / cols}, column {k % cols} (0-based); drift statistics need finite values");
            }
        }
    }
}
