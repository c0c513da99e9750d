namespace Observatory.DataService.Core.Metrics;

/// <summary>One metric compared between two revisions; a side is null when the key (or the whole file) is absent there.</summary>
public sealed record MetricChange(string Path, string Key, double? Old, double? New)
{
    /// <summary>New − old when both sides have the key; null otherwise (shown as a dash).</summary>
    public double? Change => Old is { } a && New is { } b ? MetricsDiff.Subtract(b, a) : null;

    public bool IsChanged => Old != New;
}

/// <summary>Metrics of two revisions side by side, as <c>dvc metrics diff</c>: files and keys in either, unchanged ones only when asked.</summary>
public static class MetricsDiff
{
    /// <summary>
    /// Every (file, key) of <paramref name="old"/> and <paramref name="new"/>: files in path order, keys in the old file's order
    /// then the keys only the new file has. Unchanged keys are left out unless <paramref name="includeUnchanged"/>.
    /// </summary>
    public static IReadOnlyList<MetricChange> Compare(
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> old,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> @new,
        bool includeUnchanged = false)
    {
        var empty = new Dictionary<string, double>();
        var result = new List<MetricChange>();
        foreach (var path in old.Keys.Union(@new.Keys).Order(StringComparer.Ordinal))
        {
            var a = old.GetValueOrDefault(path) ?? empty;
            var b = @new.GetValueOrDefault(path) ?? empty;
            foreach (var key in a.Keys.Concat(b.Keys.Where(k => !a.ContainsKey(k))))
            {
                var change = new MetricChange(path, key, a.TryGetValue(key, out var x) ? x : null, b.TryGetValue(key, out var y) ? y : null);
                if (includeUnchanged || change.IsChanged) result.Add(change);
            }
        }
        return result;
    }

    /// <summary>
    /// b − a without binary noise where it is avoidable: metrics are written as short decimals (0.91, 0.9), whose double
    /// difference (0.010000000000000009) would otherwise leak into JSON; decimal keeps it 0.01. Values decimal cannot hold
    /// exactly (beyond its range or its 28 places) are subtracted as doubles.
    /// </summary>
    public static double Subtract(double b, double a)
    {
        const double limit = 7.9e27;
        if (Math.Abs(a) < limit && Math.Abs(b) < limit && (double)(decimal)a == a && (double)(decimal)b == b)
            return (double)((decimal)b - (decimal)a);
        return b - a;
    }
}
