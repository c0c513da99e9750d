using System.Globalization;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Accuracy;

namespace Observatory.Monitoring.Core.Alerts;

/// <summary>Evaluates rules over the recent window results of a model (oldest first).</summary>
public static class AlertRuleEvaluator
{
    public static RuleOutcome Evaluate(AlertRule rule, IReadOnlyList<WindowResult> history, double? baselineAccuracy, DateTimeOffset? lastEventAt, DateTimeOffset now,
        IReadOnlyDictionary<string, double>? classBaselines = null) =>
        rule.Kind switch
        {
            AlertRuleKind.ImageStatisticDrift => Consecutive(rule, history, w => w.ImageStatisticsDrift, "image-statistics drift"),
            AlertRuleKind.ErrorRateAbove => Consecutive(rule, history, w => w.ErrorRate is { } r ? r > rule.Threshold : null,
                string.Create(CultureInfo.InvariantCulture, $"error rate above {rule.Threshold:0.###}")),
            AlertRuleKind.LatencyP95Above => Consecutive(rule, history, w => w.LatencyP95Ms is { } p ? p > rule.Threshold : null,
                string.Create(CultureInfo.InvariantCulture, $"p95 latency above {rule.Threshold:0.###} ms")),
            AlertRuleKind.ClassRecallBelow => ClassRecallBelow(rule, history, baselineAccuracy, classBaselines),
            AlertRuleKind.EmbeddingDrift => Consecutive(rule, history, w => w.EmbeddingDrift, "embedding drift"),
            AlertRuleKind.PredictionShift => Consecutive(rule, history, w => w.PredictionDrift, "prediction-distribution shift"),
            AlertRuleKind.ConfidenceShift => Consecutive(rule, history, w => w.ConfidenceDrift, "confidence-distribution shift"),
            AlertRuleKind.AccuracyBelowBaseline => AccuracyBelow(rule, history, baselineAccuracy),
            AlertRuleKind.NoTraffic => NoTraffic(rule, lastEventAt, now),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule.Kind, "unknown rule kind"),
        };

    private static RuleOutcome Consecutive(AlertRule rule, IReadOnlyList<WindowResult> history, Func<WindowResult, bool?> drifted, string what)
    {
        // Count the trailing run of drifted windows; unmeasured windows are skipped, a clean window ends the run.
        var run = 0;
        for (var i = history.Count - 1; i >= 0; i--)
        {
            var d = drifted(history[i]);
            if (d is null) continue;
            if (d == false) break;
            run++;
        }
        var active = run >= rule.ConsecutiveWindows;
        var quiet = Trailing(history, w => drifted(w) is { } d ? !d : null);
        return new(rule, active, quiet > 0 ? $"no {what} in the last {quiet} window(s)" : $"{what} in {run} consecutive window(s); threshold {rule.ConsecutiveWindows}", quiet);
    }

    /// <summary>How many measured windows in a row, newest back, satisfy <paramref name="quiet"/> (null: not measured, skipped).</summary>
    private static int Trailing(IReadOnlyList<WindowResult> history, Func<WindowResult, bool?> quiet)
    {
        var count = 0;
        for (var i = history.Count - 1; i >= 0; i--)
        {
            var q = quiet(history[i]);
            if (q is null) continue;
            if (q == false) break;
            count++;
        }
        return count;
    }

    private static RuleOutcome AccuracyBelow(AlertRule rule, IReadOnlyList<WindowResult> history, double? baseline)
    {
        if (baseline is null) return new(rule, false, "no baseline accuracy configured");
        for (var i = history.Count - 1; i >= 0; i--)
        {
            var w = history[i];
            if (AccuracyBaseline.Shown(w) is not ({ } value, var upper)) continue;
            var kind = w.Accuracy is null ? "estimated accuracy" : "accuracy";
            // The same test as the window's stored verdict (AccuracyBaseline), with this rule's tolerance.
            var quiet = Trailing(history, h => AccuracyBaseline.IsWindowBelow(h, baseline, rule.Tolerance) is { } below ? !below : null);
            var bound = upper is { } u ? string.Create(CultureInfo.InvariantCulture, $" (95 % interval up to {u:0.###})") : "";
            return new(rule, AccuracyBaseline.IsWindowBelow(w, baseline, rule.Tolerance) == true,
                string.Create(CultureInfo.InvariantCulture, $"{kind} {value:0.###}{bound} vs baseline {baseline:0.###} − tolerance {rule.Tolerance:0.###}"), quiet);
        }
        return new(rule, false, "no accuracy measured yet");
    }

    /// <summary>The classes of the latest labelled window whose recall, over enough labelled events, is below their baseline − tolerance.</summary>
    private static RuleOutcome ClassRecallBelow(AlertRule rule, IReadOnlyList<WindowResult> history, double? baseline, IReadOnlyDictionary<string, double>? classBaselines)
    {
        if (baseline is null && classBaselines is not { Count: > 0 }) return new(rule, false, "no baseline accuracy or class baselines configured");
        // A class's own baseline when one is registered, else the model's accuracy baseline.
        double? BaselineOf(string c) => classBaselines is not null && classBaselines.TryGetValue(c, out var own) ? own : baseline;
        List<string> Below(WindowResult w) => w.ClassRecall!
            .Where(kv => w.ClassLabelled is not null && w.ClassLabelled.TryGetValue(kv.Key, out var n) && n >= rule.MinLabelled
                && BaselineOf(kv.Key) is { } b && kv.Value < b - rule.Tolerance)
            .Select(kv => kv.Key).ToList();
        var latest = history.LastOrDefault(w => w.ClassRecall is not null);
        if (latest is null) return new(rule, false, "no class recall measured yet (needs feedback)");
        var below = Below(latest);
        var quiet = Trailing(history, w => w.ClassRecall is null ? null : Below(w).Count == 0);
        if (below.Count == 0)
            return new(rule, false, $"every class with at least {rule.MinLabelled} labelled events is within its baseline − tolerance {rule.Tolerance.ToString("0.###", CultureInfo.InvariantCulture)}", quiet);
        var named = string.Join(", ", below.Select(c => string.Create(CultureInfo.InvariantCulture,
            $"{c} {latest.ClassRecall![c]:0.###} (baseline {BaselineOf(c):0.###}, {latest.ClassLabelled![c]} labelled)")));
        return new(rule, true, $"class recall below baseline − tolerance {rule.Tolerance.ToString("0.###", CultureInfo.InvariantCulture)}: {named}", quiet);
    }

    private static RuleOutcome NoTraffic(AlertRule rule, DateTimeOffset? lastEventAt, DateTimeOffset now)
    {
        if (lastEventAt is null) return new(rule, false, "no event ever received");
        var silence = now - lastEventAt.Value;
        return new(rule, silence >= rule.NoTrafficPeriod, $"last event {silence.TotalMinutes:0} min ago; period {rule.NoTrafficPeriod.TotalMinutes:0} min");
    }
}
