namespace Observatory.Monitoring.Contracts;

public enum AlertRuleKind
{
    /// <summary>Embedding drift in N consecutive windows.</summary>
    EmbeddingDrift,
    /// <summary>Labelled accuracy (or, without labels, the estimate) below baseline − tolerance.</summary>
    AccuracyBelowBaseline,
    /// <summary>Predicted-class distribution shift (chi-square / Jensen–Shannon) in N consecutive windows.</summary>
    PredictionShift,
    /// <summary>No event for <see cref="AlertRule.NoTrafficPeriod"/>.</summary>
    NoTraffic,
    /// <summary>Prediction-confidence distribution shift (KS / Wasserstein) in N consecutive windows: a new class often shows here first.</summary>
    ConfidenceShift,
    /// <summary>The interpretable image statistics (brightness, contrast, sharpness, …) drifted in N consecutive windows.</summary>
    ImageStatisticDrift,
    /// <summary>
    /// A class's recall below its baseline − tolerance in the latest labelled window, counting only classes with at least
    /// <see cref="AlertRule.MinLabelled"/> labelled events (a class seen twice cannot page anyone).
    /// </summary>
    ClassRecallBelow,
    /// <summary>The share of events with an error above <see cref="AlertRule.Threshold"/> in N consecutive windows.</summary>
    ErrorRateAbove,
    /// <summary>The 95th-percentile latency above <see cref="AlertRule.Threshold"/> milliseconds in N consecutive windows.</summary>
    LatencyP95Above,
}

public enum AlertSeverity { Info, Warning, Critical }

/// <summary>A condition over window results that raises an alert.</summary>
public sealed record AlertRule
{
    public required string Id { get; init; }
    public required AlertRuleKind Kind { get; init; }
    public AlertSeverity Severity { get; init; } = AlertSeverity.Warning;
    public string Summary { get; init; } = "";
    public int ConsecutiveWindows { get; init; } = 1;

    /// <summary>
    /// How many measured windows in a row must be quiet before an open alert of a window rule resolves (hysteresis: one calm
    /// window between drifted ones should not send "resolved" and then "firing" again). 1 resolves at the first quiet window.
    /// </summary>
    public int QuietWindowsToResolve { get; init; } = 1;
    public double Tolerance { get; init; } = 0.05;
    public TimeSpan NoTrafficPeriod { get; init; } = TimeSpan.FromHours(1);

    /// <summary><see cref="AlertRuleKind.ClassRecallBelow"/>: labelled events a class needs in the window before its recall counts.</summary>
    public int MinLabelled { get; init; } = 30;

    /// <summary>The limit of <see cref="AlertRuleKind.ErrorRateAbove"/> (a share, 0–1) and <see cref="AlertRuleKind.LatencyP95Above"/> (milliseconds).</summary>
    public double? Threshold { get; init; }

    /// <summary>The rules a model gets when its registration names none.</summary>
    public static readonly IReadOnlyList<AlertRule> Defaults =
    [
        new() { Id = "embedding-drift", Kind = AlertRuleKind.EmbeddingDrift, Severity = AlertSeverity.Warning, ConsecutiveWindows = 3, Summary = "retraining recommended: input drift in consecutive windows" },
        new() { Id = "accuracy-below-baseline", Kind = AlertRuleKind.AccuracyBelowBaseline, Severity = AlertSeverity.Critical, Tolerance = 0.05, Summary = "retraining needed: accuracy below baseline" },
        new() { Id = "prediction-shift", Kind = AlertRuleKind.PredictionShift, Severity = AlertSeverity.Warning, ConsecutiveWindows = 3, Summary = "predicted-class distribution shifted" },
        new() { Id = "confidence-shift", Kind = AlertRuleKind.ConfidenceShift, Severity = AlertSeverity.Warning, ConsecutiveWindows = 3, Summary = "prediction confidence distribution shifted" },
        new() { Id = "no-traffic", Kind = AlertRuleKind.NoTraffic, Severity = AlertSeverity.Warning, NoTrafficPeriod = TimeSpan.FromHours(1), Summary = "no inference events received" },
    ];
}
