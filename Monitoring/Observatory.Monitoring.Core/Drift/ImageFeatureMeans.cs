namespace Observatory.Monitoring.Core.Drift;

/// <summary>Per-feature means of the reference and of the window, in feature order: the direction and size of a moved statistic.</summary>
public sealed record ImageFeatureMeans(IReadOnlyList<double> Reference, IReadOnlyList<double> Current)
{
    /// <summary>Column means of both sides' rows, over every row: the drift tests sample, but "brighter by how much" should not.</summary>
    public static ImageFeatureMeans Of(IReadOnlyList<double[]> reference, IReadOnlyList<double[]> current)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        return new(ColumnMeans(reference), ColumnMeans(current));
    }

    private static double[] ColumnMeans(IReadOnlyList<double[]> rows)
    {
        if (rows.Count == 0) return [];
        var sums = new double[rows[0].Length];
        foreach (var row in rows)
        {
            if (row.Length != sums.Length) throw new ArgumentException($"rows have {sums.Length} and {row.Length} features; every row needs the same features", nameof(rows));
            for (var j = 0; j < sums.Length; j++) sums[j] += row[j];
        }
        for (var j = 0; j < sums.Length; j++) sums[j] /= rows.Count;
        return sums;
    }
}
