namespace Observatory.Monitoring.Core.Drift;

/// <summary>
/// Which production items are least like the reference (largest Euclidean distance to their nearest reference embedding) and which
/// reference items are typical (closest to the reference mean): shown side by side, a person sees what changed.
/// </summary>
public static class Outliers
{
    /// <summary>For each current vector, the distance to its nearest reference vector (brute force; callers sample both sides).</summary>
    public static double[] NearestReferenceDistances(IReadOnlyList<float[]> reference, IReadOnlyList<float[]> current, CancellationToken cancellationToken = default) =>
        NearestReference(reference, current, cancellationToken).Select(n => n.Distance).ToArray();

    /// <summary>For each current vector, its nearest reference vector (index; the lower one on ties) and the distance to it.</summary>
    public static (int Index, double Distance)[] NearestReference(IReadOnlyList<float[]> reference, IReadOnlyList<float[]> current, CancellationToken cancellationToken = default)
    {
        if (reference.Count == 0) throw new ArgumentException("the reference is empty", nameof(reference));
        var result = new (int, double)[current.Count];
        Parallel.For(0, current.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var c = current[i];
            var best = double.MaxValue;
            var bestIndex = 0;
            for (var k = 0; k < reference.Count; k++)
            {
                var r = reference[k];
                if (r.Length != c.Length) throw new ArgumentException($"dimension mismatch: reference {r.Length}, current {c.Length}");
                double d = 0;
                for (var j = 0; j < c.Length && d < best; j++)
                {
                    var diff = (double)c[j] - r[j];
                    d += diff * diff;
                }
                if (d < best) { best = d; bestIndex = k; }
            }
            result[i] = (bestIndex, Math.Sqrt(best));
        });
        return result;
    }

    /// <summary>Indices of the <paramref name="count"/> largest values, largest first (ties: lower index first).</summary>
    public static int[] Largest(IReadOnlyList<double> values, int count) =>
        Enumerable.Range(0, values.Count).OrderByDescending(i => values[i]).ThenBy(i => i).Take(count).ToArray();

    /// <summary>Indices of the <paramref name="count"/> reference vectors closest to the reference mean, closest first, with their distances.</summary>
    public static (int Index, double Distance)[] Typical(IReadOnlyList<float[]> reference, int count)
    {
        if (reference.Count == 0) return [];
        var dim = reference[0].Length;
        var mean = new double[dim];
        foreach (var r in reference) for (var j = 0; j < dim; j++) mean[j] += r[j];
        for (var j = 0; j < dim; j++) mean[j] /= reference.Count;
        return reference.Select((r, i) => (Index: i, Distance: Math.Sqrt(r.Select((v, j) => (v - mean[j]) * (v - mean[j])).Sum())))
            .OrderBy(x => x.Distance).ThenBy(x => x.Index).Take(count).ToArray();
    }
}

/// <summary>Counts of values in equal-width bins over [0, 1] (confidences), reference and current side by side.</summary>
public sealed record Histogram(double[] Edges, int[] Reference, int[] Current)
{
    public static Histogram OfUnitInterval(IEnumerable<double> reference, IEnumerable<double> current, int bins = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var edges = Enumerable.Range(0, bins + 1).Select(i => Math.Round((double)i / bins, 10)).ToArray();
        return new Histogram(edges, Count(reference, bins), Count(current, bins));
    }

    // 1.0 falls in the last bin (closed on the right), as numpy.histogram does.
    private static int[] Count(IEnumerable<double> values, int bins)
    {
        var counts = new int[bins];
        foreach (var v in values) counts[Math.Clamp((int)(v * bins), 0, bins - 1)]++;
        return counts;
    }
}
