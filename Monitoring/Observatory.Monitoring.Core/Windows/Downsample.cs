namespace Observatory.Monitoring.Core.Windows;

/// <summary>Thins a time series for a chart while keeping what a person must see.</summary>
public static class Downsample
{
    /// <summary>
    /// Splits <paramref name="points"/> (oldest first) into at most <paramref name="max"/> equal buckets and keeps, from each, the
    /// point with the highest <paramref name="severity"/>: a spike (a drifted window) is never averaged away. First and last stay.
    /// </summary>
    public static IReadOnlyList<T> KeepExtremes<T>(IReadOnlyList<T> points, int max, Func<T, double> severity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 2);
        if (points.Count <= max) return points;
        var kept = new List<T>(max) { points[0] };
        var inner = max - 2;
        for (var b = 0; b < inner; b++)
        {
            var from = 1 + (int)((long)b * (points.Count - 2) / inner);
            var to = 1 + (int)((long)(b + 1) * (points.Count - 2) / inner);
            var best = from;
            var worst = severity(points[from]);
            for (var i = from + 1; i < to; i++)
            {
                var s = severity(points[i]);
                if (s > worst) (best, worst) = (i, s);
            }
            kept.Add(points[best]);
        }
        kept.Add(points[^1]);
        return kept;
    }
}
