namespace Observatory.Monitoring.Core.Alerts;

/// <summary>
/// What one drift/accuracy run found for one window of one model: the input to alert rules. Null means "not measured" (no
/// embeddings, no labels, too few events), which never counts as drift nor breaks a consecutive run.
/// </summary>
public sealed record WindowResult
{
    public required string Model { get; init; }
    public required DateTimeOffset WindowStart { get; init; }
    public required DateTimeOffset WindowEnd { get; init; }
    public required int EventCount { get; init; }
    public bool? EmbeddingDrift { get; init; }
    public bool? PredictionDrift { get; init; }
    public bool? ConfidenceDrift { get; init; }
    public bool? ImageStatisticsDrift { get; init; }
    public double? Accuracy { get; init; }
    public double? EstimatedAccuracy { get; init; }
}

/// <summary>The evaluation of one rule: is its condition met now, and why.</summary>
public sealed record RuleOutcome(AlertRule Rule, bool Active, string Detail);
