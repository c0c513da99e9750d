namespace Observatory.Monitoring.Core.Drift;

/// <summary>A dense row-major matrix of samples (rows) by dimensions (columns), held in doubles.</summary>
public sealed class DataMatrix
{
    public DataMatrix(int rows, int cols, double[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        ArgumentNullException.ThrowIfNull(data);
        if ((long)rows * cols != data.LongLength)
            throw new ArgumentException($"data has {data.LongLength} values, expected {rows}×{cols}", nameof(data));
        Rows = rows;
        Cols = cols;
        Data = data;
    }

    public int Rows { get; }
    public int Cols { get; }

    /// <summary>Row-major values: element (i, j) is at i * Cols + j.</summary>
    public double[] Data { get; }

    public double this[int row, int col] => Data[(long)row * Cols + col];

    public ReadOnlySpan<double> Row(int row) => Data.AsSpan(row * Cols, Cols);

    /// <summary>Builds a matrix from jagged rows (all rows must have the same length).</summary>
    public static DataMatrix FromRows(IReadOnlyList<double[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var cols = rows.Count == 0 ? 0 : rows[0].Length;
        var data = new double[rows.Count * cols];
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != cols) throw new ArgumentException($"row {i} has {rows[i].Length} values, expected {cols}", nameof(rows));
            rows[i].CopyTo(data, i * cols);
        }
        return new DataMatrix(rows.Count, cols, data);
    }

    /// <summary>A one-column matrix of the given values (a 1-D sample such as confidences).</summary>
    public static DataMatrix FromColumn(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new DataMatrix(values.Count, 1, values.ToArray());
    }

    /// <summary>Column-major copy: result[j] is column j. Used by the per-dimension tests.</summary>
    public double[][] Columns()
    {
        var cols = new double[Cols][];
        for (var j = 0; j < Cols; j++) cols[j] = new double[Rows];
        // Blocks of 64 rows keep the strided writes within cache lines already loaded.
        const int block = 64;
        Parallel.For(0, (Rows + block - 1) / block, b =>
        {
            int i0 = b * block, i1 = Math.Min(Rows, i0 + block);
            for (var j = 0; j < Cols; j++)
            {
                var col = cols[j];
                for (var i = i0; i < i1; i++) col[i] = Data[(long)i * Cols + j];
            }
        });
        return cols;
    }

    /// <summary>The rows at the given indices, in that order.</summary>
    public DataMatrix SelectRows(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var data = new double[indices.Count * Cols];
        for (var k = 0; k < indices.Count; k++) Row(indices[k]).CopyTo(data.AsSpan(k * Cols, Cols));
        return new DataMatrix(indices.Count, Cols, data);
    }

    /// <summary>Rows of <paramref name="top"/> followed by rows of <paramref name="bottom"/>.</summary>
    public static DataMatrix Stack(DataMatrix top, DataMatrix bottom)
    {
        ArgumentNullException.ThrowIfNull(top);
        ArgumentNullException.ThrowIfNull(bottom);
        if (top.Cols != bottom.Cols) throw new ArgumentException($"cannot stack {top.Cols} and {bottom.Cols} columns");
        var data = new double[top.Data.Length + bottom.Data.Length];
        top.Data.CopyTo(data, 0);
        bottom.Data.CopyTo(data, top.Data.Length);
        return new DataMatrix(top.Rows + bottom.Rows, top.Cols, data);
    }
}
