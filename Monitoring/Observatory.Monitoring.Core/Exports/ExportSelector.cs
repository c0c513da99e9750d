using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Drift;
using Observatory.Monitoring.Core.Events;

namespace Observatory.Monitoring.Core.Exports;

/// <summary>
/// An event of a window that may be exported (it has a kept image), with what the reference says about it: the distance to its
/// nearest reference embedding and that item's class, when they are known.
/// </summary>
public sealed record ExportCandidate(InferenceEvent Event, double? Distance = null, string? NearestReferenceClass = null);

/// <summary>
/// Chooses which events of a window an export takes, one rule per <see cref="ExportSelection"/>. Every rule breaks ties by event
/// id (ordinal) and the random rule is seeded by the window, so the same window and request always give the same items.
/// </summary>
public static class ExportSelector
{
    public static IReadOnlyList<ExportCandidate> Select(IReadOnlyList<ExportCandidate> candidates, ExportSelection rule, int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 0);
        IEnumerable<ExportCandidate> chosen = rule switch
        {
            // What the reference has not seen: farthest from its nearest reference embedding first.
            ExportSelection.Outliers => candidates.Where(c => c.Distance is not null).OrderByDescending(c => c.Distance).ThenBy(c => c.Event.Id, StringComparer.Ordinal),
            ExportSelection.LowConfidence => candidates.OrderBy(c => c.Event.Confidence).ThenBy(c => c.Event.Id, StringComparer.Ordinal),
            // Known mistakes; the confident ones first, as they are what the model has learnt wrong.
            ExportSelection.Misclassified => candidates.Where(c => c.Event.TrueClass is { } t && t != c.Event.PredictedClass)
                .OrderByDescending(c => c.Event.Confidence).ThenBy(c => c.Event.Id, StringComparer.Ordinal),
            // Likely mistakes without feedback: the nearest reference item says another class; confident disagreements first.
            ExportSelection.Disagreement => candidates.Where(c => c.NearestReferenceClass is { } r && r != c.Event.PredictedClass)
                .OrderByDescending(c => c.Event.Confidence).ThenBy(c => c.Event.Id, StringComparer.Ordinal),
            ExportSelection.Random => Sample(candidates, count, seed),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "unknown selection rule"),
        };
        return chosen.Take(count).ToList();
    }

    /// <summary>The seed of a window's random sample: its end, so a re-run of the same window draws the same events.</summary>
    public static int SeedOf(DateTimeOffset windowEnd) => unchecked((int)windowEnd.UtcTicks ^ (int)(windowEnd.UtcTicks >> 32));

    /// <summary>A seeded uniform sample, drawn from the candidates in id order (so the store's row order does not matter), listed by id.</summary>
    private static IEnumerable<ExportCandidate> Sample(IReadOnlyList<ExportCandidate> candidates, int count, int seed)
    {
        var byId = candidates.OrderBy(c => c.Event.Id, StringComparer.Ordinal).ToList();
        return Sampling.SampleIndices(byId.Count, Math.Min(count, byId.Count), seed).Select(i => byId[i]);
    }
}
