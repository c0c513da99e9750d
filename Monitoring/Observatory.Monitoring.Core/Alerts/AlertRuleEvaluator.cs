using System.Globalization;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Accuracy;

namespace Observatory.Monitoring.Core.Alerts;

/// <summary>Evaluates rules over the recent window results of a model (oldest first).</summary>
public static class AlertRuleEvaluator
{
    public static RuleOutcome Evaluate(AlertRule rule, IReadOnlyList<WindowResult> history, double? baselineAccuracy, DateTimeOffset? lastEventAt, DateTimeOffset now) =>
        rule.Kind switch
        {
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

    private static RuleOutcome NoTraffic(AlertRule rule, DateTimeOffset? lastEventAt, DateTimeOffset now)
    {
        if (lastEventAt is null) return new(rule, false, "no event ever received");
        var silence = now - lastEventAt.Value;
        return new(rule, silence >= rule.NoTrafficPeriod, $"last event {silence.TotalMinutes:0} min ago; period {rule.NoTrafficPeriod.TotalMinutes:0} min");
    }
}
