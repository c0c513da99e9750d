using MathNet.Numerics;

namespace Observatory.Monitoring.Core.Drift;

/// <summary>One-dimensional distances between a reference and a current sample, matching SciPy/Evidently definitions.</summary>
public static class UnivariateDistances
{
    /// <summary>W₁ between empirical distributions (scipy.stats.wasserstein_distance) of sorted samples.</summary>
    public static double WassersteinSorted(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        int nu = u.Length, nv = v.Length, i = 0, j = 0;
        if (nu == 0 || nv == 0) throw new ArgumentException("Wasserstein needs two non-empty samples");
        var total = 0.0;
        var prev = Math.Min(u[0], v[0]);
        // Walk the merged distinct values; between consecutive values both ECDFs are constant.
        while (i < nu || j < nv)
        {
            var x = j >= nv || (i < nu && u[i] <= v[j]) ? u[i] : v[j];
            total += Math.Abs((double)i / nu - (double)j / nv) * (x - prev);
            while (i < nu && u[i] <= x) i++;
            while (j < nv && v[j] <= x) j++;
            prev = x;
        }
        return total;
    }

    /// <summary>Population standard deviation (ddof 0), two-pass.</summary>
    public static double StdPopulation(ReadOnlySpan<double> x)
    {
        var mean = 0.0;
        foreach (var v in x) mean += v;
        mean /= x.Length;
        var ss = 0.0;
        foreach (var v in x) ss += (v - mean) * (v - mean);
        return Math.Sqrt(ss / x.Length);
    }

    /// <summary>Evidently's normed Wasserstein: W₁ / max(std_pop(reference), 0.001).</summary>
    public static double WassersteinNormedSorted(ReadOnlySpan<double> reference, ReadOnlySpan<double> current) =>
        WassersteinSorted(reference, current) / Math.Max(StdPopulation(reference), 0.001);

    /// <summary>
    /// Equal-width Sturges bin edges over the combined sample, as numpy.histogram_bin_edges(concat, bins='sturges'):
    /// k = ceil(log2(N) + 1) bins on [min, max] (±0.5 when all values are equal).
    /// </summary>
    public static double[] SturgesEdges(double min, double max, int count)
    {
        var ptp = max - min;
        int bins;
        if (ptp == 0) { min -= 0.5; max += 0.5; bins = 1; }
        else
        {
            var width = ptp / (Math.Log2(count) + 1.0);
            bins = Math.Max(1, (int)Math.Ceiling(ptp / width));
        }
        var edges = new double[bins + 1];
        // numpy.linspace: start + i·step, with the last edge set exactly to stop.
        var step = (max - min) / bins;
        for (var i = 0; i <= bins; i++) edges[i] = min + i * step;
        edges[bins] = max;
        return edges;
    }

    /// <summary>Counts per bin with numpy.histogram's rule: [e_i, e_{i+1}) except the last bin, which is closed.</summary>
    public static long[] Histogram(ReadOnlySpan<double> x, double[] edges)
    {
        var bins = edges.Length - 1;
        var counts = new long[bins];
        double first = edges[0], last = edges[^1], norm = bins / (last - first);
        foreach (var v in x)
        {
            if (v < first || v > last) continue;
            var idx = (int)((v - first) * norm);
            if (idx == bins) idx--;
            if (v < edges[idx]) idx--;
            else if (idx != bins - 1 && v >= edges[idx + 1]) idx++;
            counts[idx]++;
        }
        return counts;
    }

    /// <summary>Reference and current bin proportions on Sturges edges of the combined data (Evidently's numerical binning).</summary>
    public static (double[] Reference, double[] Current) BinnedProportions(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var v in reference) { min = Math.Min(min, v); max = Math.Max(max, v); }
        foreach (var v in current) { min = Math.Min(min, v); max = Math.Max(max, v); }
        var edges = SturgesEdges(min, max, reference.Length + current.Length);
        var r = Histogram(reference, edges);
        var c = Histogram(current, edges);
        int nr = reference.Length, nc = current.Length;
        return (r.Select(k => (double)k / nr).ToArray(), c.Select(k => (double)k / nc).ToArray());
    }

    /// <summary>PSI = Σ (r − c)·ln(r/c) after Evidently's zero fill (each distribution separately, not renormalised).</summary>
    public static double Psi(IReadOnlyList<double> reference, IReadOnlyList<double> current)
    {
        var r = FillZeroes(reference);
        var c = FillZeroes(current);
        var psi = 0.0;
        for (var i = 0; i < r.Length; i++) psi += (r[i] - c[i]) * Math.Log(r[i] / c[i]);
        return psi;
    }

    private static double[] FillZeroes(IReadOnlyList<double> p)
    {
        var nonZeroMin = p.Where(v => v > 0).DefaultIfEmpty(1.0).Min();
        var fill = nonZeroMin <= 1e-4 ? nonZeroMin / 1e6 : 1e-4;
        return p.Select(v => v == 0 ? fill : v).ToArray();
    }

    /// <summary>Jensen–Shannon distance with natural log (scipy.spatial.distance.jensenshannon; inputs renormalised to sum 1).</summary>
    public static double JensenShannon(IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        double sp = p.Sum(), sq = q.Sum(), js = 0;
        for (var i = 0; i < p.Count; i++)
        {
            double a = p[i] / sp, b = q[i] / sq, m = (a + b) / 2;
            if (a > 0) js += a * Math.Log(a / m);
            if (b > 0) js += b * Math.Log(b / m);
        }
        return Math.Sqrt(Math.Max(js / 2, 0));
    }

    /// <summary>
    /// Pearson chi-square test of homogeneity on a 2×k table of counts (scipy.stats.chi2_contingency with its default
    /// Yates correction when dof = 1). Categories absent from both rows are dropped first.
    /// </summary>
    public static (double Statistic, double PValue, int Dof) ChiSquareHomogeneity(IReadOnlyList<long> reference, IReadOnlyList<long> current)
    {
        var keep = Enumerable.Range(0, reference.Count).Where(k => reference[k] + current[k] > 0).ToArray();
        if (keep.Length < 2) return (0.0, 1.0, 0);
        double nr = keep.Sum(k => (double)reference[k]), nc = keep.Sum(k => (double)current[k]), total = nr + nc;
        if (nr == 0 || nc == 0) throw new ArgumentException("chi-square needs non-empty reference and current counts");
        var dof = keep.Length - 1;
        var stat = 0.0;
        foreach (var k in keep)
        {
            var colTotal = (double)reference[k] + current[k];
            foreach (var (observed, rowTotal) in new[] { ((double)reference[k], nr), ((double)current[k], nc) })
            {
                var expected = rowTotal * colTotal / total;
                var diff = observed - expected;
                if (dof == 1) diff = Math.Sign(diff) * (Math.Abs(diff) - Math.Min(0.5, Math.Abs(diff)));
                stat += diff * diff / expected;
            }
        }
        var p = SpecialFunctions.GammaUpperRegularized(dof / 2.0, stat / 2.0);
        return (stat, p, dof);
    }
}
