namespace Observatory.Monitoring.Core.Events;

/// <summary>What each model version did in a window of events: how many events it served, and how accurate its labelled ones were.</summary>
public static class ModelVersions
{
    /// <summary>Events per version (ordinal order), or null when no event carries a version.</summary>
    public static IReadOnlyDictionary<string, int>? Counts(IEnumerable<InferenceEvent> events)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in events)
            if (e.ModelVersion is { } v) counts[v] = counts.GetValueOrDefault(v) + 1;
        return counts.Count == 0 ? null : counts;
    }

    /// <summary>Share of each version's labelled events whose prediction was right, or null when no labelled event carries a version.</summary>
    public static IReadOnlyDictionary<string, double>? Accuracy(IEnumerable<InferenceEvent> events)
    {
        var byVersion = events.Where(e => e.ModelVersion is not null && e.TrueClass is not null)
            .GroupBy(e => e.ModelVersion!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(e => e.TrueClass == e.PredictedClass) / (double)g.Count(), StringComparer.Ordinal);
        return byVersion.Count == 0 ? null : new SortedDictionary<string, double>(byVersion, StringComparer.Ordinal);
    }
}
