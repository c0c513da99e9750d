using Observatory.Monitoring.Core.Drift;
using Observatory.Monitoring.Core.IO;

namespace Observatory.Monitoring.Tests.IO;

public sealed class MatrixReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("obs-matrix-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteText(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string WriteNpy(string name, string descr, string shape, byte[] payload, bool fortran = false)
    {
        var dict = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
        var header = dict.PadRight(118) + "\n";
        var bytes = new List<byte>();
        bytes.AddRange([0x93, .."NUMPY"u8.ToArray()]);
        bytes.AddRange([1, 0, (byte)(header.Length & 0xff), (byte)(header.Length >> 8)]);
        bytes.AddRange(System.Text.Encoding.Latin1.GetBytes(header));
        bytes.AddRange(payload);
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes.ToArray());
        return path;
    }

    private static byte[] Doubles(params double[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();

    [Fact]
    public void Npy_RoundTripsFloat64AndFloat32()
    {
        var m = new DataMatrix(2, 3, [1.5, -2, 3, 4, 5.25, 6]);
        foreach (var f32 in new[] { false, true })
        {
            var path = Path.Combine(_dir, $"m{f32}.npy");
            NpyWriter.Write(path, m, f32);
            var back = NpyReader.Read(path);
            Assert.Equal((2, 3), (back.Rows, back.Cols));
            Assert.Equal(m.Data, back.Data);
        }
    }

    [Fact]
    public void Npy_ReadsFixtureWrittenByNumpyAsFloat32()
    {
        var m = NpyReader.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "drift", "mmd_ref.npy"));
        Assert.Equal((60, 5), (m.Rows, m.Cols));
        Assert.All(m.Data, v => Assert.Equal(v, (double)(float)v));
    }

    [Fact]
    public void Npy_FortranOrder_IsTransposedToRows()
    {
        var path = WriteNpy("f.npy", "<f8", "(2, 3)", Doubles(1, 4, 2, 5, 3, 6), fortran: true);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], NpyReader.Read(path).Data);
    }

    [Theory]
    [InlineData("<f8", "(4,)", "1-D array")]
    [InlineData("<i8", "(2, 2)", "dtype '<i8' is not supported")]
    [InlineData(">f8", "(2, 2)", "big-endian")]
    [InlineData("<f8", "(0, 3)", "empty")]
    [InlineData("<f8", "(3, 3)", "truncated data")]
    public void Npy_BadInput_NamesFileAndProblem(string descr, string shape, string problem)
    {
        var path = WriteNpy("bad.npy", descr, shape, Doubles(1, 2, 3, 4));
        var ex = Assert.Throws<MatrixFormatException>(() => NpyReader.Read(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void Npy_WithNaN_NamesRowAndColumn()
    {
        var path = WriteNpy("nan.npy", "<f8", "(2, 2)", Doubles(1, 2, double.NaN, 4));
        var ex = Assert.Throws<MatrixFormatException>(() => NpyReader.Read(path));
        Assert.Contains("NaN at row 1, column 0", ex.Message);
    }

    [Fact]
    public void Npy_EmptyFile_IsReportedAsEmpty()
    {
        var path = WriteText("empty.npy", "");
        Assert.Contains("file is empty", Assert.Throws<MatrixFormatException>(() => NpyReader.Read(path)).Message);
    }

    [Fact]
    public void Csv_WithAndWithoutHeader_ReadsRows()
    {
        var a = CsvMatrixReader.Read(WriteText("a.csv", "x,y\n1,2\n3.5,-4e-1\n"));
        var b = CsvMatrixReader.Read(WriteText("b.csv", "1,2\n3.5,-4e-1\n"));
        Assert.Equal([1.0, 2, 3.5, -0.4], a.Data);
        Assert.Equal(a.Data, b.Data);
        Assert.Equal((2, 2), (b.Rows, b.Cols));
    }

    [Theory]
    [InlineData("1,2\n3\n", "ragged CSV: line 2 has 1 fields, expected 2")]
    [InlineData("", "file is empty")]
    [InlineData("a,b\n", "header but no data rows")]
    [InlineData("1,2\n3,abc\n", "line 2, field 2: 'abc' is not a number")]
    [InlineData("1,inf\n", "contains Inf at row 0, column 1")]
    [InlineData("x,y\n1,nan\n", "contains NaN at row 0, column 1")]
    public void Csv_BadInput_NamesFileAndProblem(string text, string problem)
    {
        var path = WriteText("bad.csv", text);
        var ex = Assert.Throws<MatrixFormatException>(() => MatrixFile.Read(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void MatrixFile_UnknownExtensionOrMissingFile_IsReported()
    {
        Assert.Contains("unsupported file type '.parquet'", Assert.Throws<MatrixFormatException>(() => MatrixFile.Read(WriteText("x.parquet", "1"))).Message);
        Assert.Contains("file not found", Assert.Throws<MatrixFormatException>(() => MatrixFile.Read(Path.Combine(_dir, "nope.npy"))).Message);
    }
}
