using Observatory.Monitoring.Contracts;

namespace Observatory.Monitoring.Core.Alerts;

/// <summary>
/// Builds an alert's <see cref="AlertContext"/> from the latest drift and accuracy runs: the window that made a window rule fire,
/// the tests that decided it, what moved in the images, and the classes that moved most. Pure: the runs are the service's own
/// stored verdicts, read as they are.
/// </summary>
public static class AlertContexts
{
    /// <summary>How many classes a notice names (the ones whose share moved most).</summary>
    public const int WorstClassCount = 3;

    /// <summary>Null for rules not measured over windows (no traffic), or when no run of the kind the rule reads exists.</summary>
    public static AlertContext? For(AlertRule rule, MonitoredModel model, DriftRun? drift, AccuracyRun? accuracy)
    {
        if (rule.Kind == AlertRuleKind.NoTraffic) return null;
        var accuracyRule = rule.Kind is AlertRuleKind.AccuracyBelowBaseline or AlertRuleKind.ClassRecallBelow;
        var window = accuracyRule ? accuracy?.Window : drift?.Window;
        if (window is null) return null;
        var context = new AlertContext
        {
            ModelVersion = DominantVersion(window) ?? model.Version,
            Reference = drift?.Reference,
            WindowStart = window.WindowStart,
            WindowEnd = window.WindowEnd,
            EventCount = window.EventCount,
            WorstClasses = WorstClasses(model, drift, accuracy),
        };
        if (accuracyRule)
            return context with { Accuracy = accuracy!.Shown, AccuracyEstimated = accuracy.Estimated, BaselineAccuracy = accuracy.BaselineAccuracy ?? model.BaselineAccuracy };
        var statistics = new List<AlertStatistic>();
        foreach (var (report, input) in new[] { (drift!.Embedding, "embedding"), (drift.Prediction, "prediction"), (drift.Confidence, "confidence"), (drift.ImageStatistics, "image statistics") })
            foreach (var m in report?.Methods ?? [])
                // A report decided by one method shows that method; the others are diagnostics the notice need not carry.
                if (report!.VerdictMethod is null || report.VerdictMethod == m.Method)
                    statistics.Add(new AlertStatistic(input, m.Method, m.Statistic, m.PValue, m.Threshold, m.Drifted));
        return context with
        {
            Statistics = statistics.OrderByDescending(s => s.Drifted).ToList(),
            EmbeddingShareDrifted = drift.EmbeddingShareDrifted,
            ImageStatistics = (drift.ImageFeatures ?? []).Where(f => f.Moved).Select(f => new MovedImageStatistic(f.Feature, f.ReferenceMean, f.CurrentMean)).ToList(),
        };
    }

    private static string? DominantVersion(WindowResult window) =>
        window.ModelVersions is { Count: > 0 } v ? v.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).First().Key : null;

    /// <summary>Classes by how far their share of predictions moved (reference → window), with their recall in the latest accuracy window.</summary>
    private static List<ClassChange> WorstClasses(MonitoredModel model, DriftRun? drift, AccuracyRun? accuracy)
    {
        var recall = accuracy?.Metrics?.Recall;
        string Name(int k) => k >= 0 && k < model.Classes.Count ? model.Classes[k] : $"class {k}";
        double? RecallOf(int k) => recall is not null && k >= 0 && k < recall.Count ? recall[k] : null;
        if (drift?.ClassShares is { Count: > 0 } shares)
            return shares.OrderByDescending(s => Math.Abs(s.Current - s.Reference)).ThenBy(s => s.Class).Take(WorstClassCount)
                .Select(s => new ClassChange(Name(s.Class), s.Reference, s.Current, RecallOf(s.Class))).ToList();
        // No prediction drift measured: the classes the model recognises worst are the ones to look at.
        return recall is null ? [] : recall.Select((r, k) => (r, k)).Where(x => x.r is not null).OrderBy(x => x.r).ThenBy(x => x.k).Take(WorstClassCount)
            .Select(x => new ClassChange(Name(x.k), null, null, x.r)).ToList();
    }
}
