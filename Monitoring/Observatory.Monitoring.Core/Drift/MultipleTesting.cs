namespace Observatory.Monitoring.Core.Drift;

/// <summary>Multiple-testing correction over per-dimension p-values.</summary>
public enum Correction { Bonferroni, Fdr }

/// <summary>Bonferroni and Benjamini–Hochberg adjustments (adjusted p-values compare directly with α).</summary>
public static class MultipleTesting
{
    /// <summary>min(1, d·p) for each p.</summary>
    public static double[] Bonferroni(IReadOnlyList<double> pValues)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        var d = pValues.Count;
        return pValues.Select(p => Math.Min(1.0, p * d)).ToArray();
    }

    /// <summary>Benjamini–Hochberg adjusted p-values (as statsmodels' fdr_bh): q_(i) = min_{k≥i} p_(k)·d/k, capped at 1.</summary>
    public static double[] BenjaminiHochberg(IReadOnlyList<double> pValues)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        var d = pValues.Count;
        var order = Enumerable.Range(0, d).OrderBy(i => pValues[i]).ThenBy(i => i).ToArray();
        var q = new double[d];
        var running = 1.0;
        for (var r = d - 1; r >= 0; r--)
        {
            running = Math.Min(running, pValues[order[r]] * d / (r + 1));
            q[order[r]] = running;
        }
        return q;
    }

    public static double[] Adjust(IReadOnlyList<double> pValues, Correction correction) =>
        correction == Correction.Bonferroni ? Bonferroni(pValues) : BenjaminiHochberg(pValues);
}
