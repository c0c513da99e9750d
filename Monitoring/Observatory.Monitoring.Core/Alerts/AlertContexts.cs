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

    /// <summary>
    /// Classes by how far they moved: their share of predictions (reference → window) or their recall below its baseline in the
    /// latest accuracy window, whichever is larger — a class the model now misses can keep its share of predictions.
    /// </summary>
    private static List<ClassChange> WorstClasses(MonitoredModel model, DriftRun? drift, AccuracyRun? accuracy)
    {
        var recall = accuracy?.Metrics?.Recall;
        var modelBaseline = accuracy?.BaselineAccuracy ?? model.BaselineAccuracy;
        string Name(int k) => k >= 0 && k < model.Classes.Count ? model.Classes[k] : $"class {k}";
        double? RecallOf(int k) => recall is not null && k >= 0 && k < recall.Count ? recall[k] : null;
        double? BaselineOf(int k) => model.ClassBaselines is { } own && own.TryGetValue(Name(k), out var b) ? b : modelBaseline;
        var shares = (drift?.ClassShares ?? []).ToDictionary(s => s.Class);
        var classes = shares.Keys.Union(Enumerable.Range(0, recall?.Count ?? 0).Where(k => RecallOf(k) is not null));
        var changes = classes.Select(k => new ClassChange(Name(k),
            shares.TryGetValue(k, out var s) ? s.Reference : null, shares.TryGetValue(k, out s) ? s.Current : null, RecallOf(k), RecallOf(k) is null ? null : BaselineOf(k)));
        return changes
            .Select(c => (Change: c, Moved: Math.Max(
                c.ReferenceShare is { } r && c.CurrentShare is { } n ? Math.Abs(n - r) : 0,
                // Without a baseline and without shares to compare, the classes recognised worst are the ones to look at.
                c.RecallDrop ?? (shares.Count == 0 && c.Recall is { } rc ? 1 - rc : 0))))
            .OrderByDescending(x => x.Moved).ThenBy(x => x.Change.Class, StringComparer.Ordinal)
            .Take(WorstClassCount).Select(x => x.Change).ToList();
    }
}
