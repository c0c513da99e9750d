using System.Text.Json.Serialization;

namespace Observatory.Monitoring.Contracts;

/// <summary>
/// What one drift/accuracy run found for one window of one model: the input to alert rules. Null means "not measured" (no
/// embeddings, no labels, too few events), which never counts as drift nor breaks a consecutive run.
/// </summary>
/// <remarks>No member is <c>required</c>: stored results are read back with this type, and a missing field must read as "not measured", not fail the series.</remarks>
public sealed record WindowResult
{
    public string Model { get; init; } = "";
    public DateTimeOffset WindowStart { get; init; }
    public DateTimeOffset WindowEnd { get; init; }
    public int EventCount { get; init; }
    public bool? EmbeddingDrift { get; init; }
    public bool? PredictionDrift { get; init; }
    public bool? ConfidenceDrift { get; init; }
    public bool? ImageStatisticsDrift { get; init; }
    public double? Accuracy { get; init; }
    public double? EstimatedAccuracy { get; init; }

    /// <summary>Lower end of the exact (Clopper–Pearson) 95 % interval of <see cref="Accuracy"/>; null without labels, or in results stored before intervals.</summary>
    public double? AccuracyLower { get; init; }

    /// <summary>Upper end of the 95 % interval of <see cref="Accuracy"/>: the accuracy-below-baseline rule compares this with baseline − tolerance.</summary>
    public double? AccuracyUpper { get; init; }

    /// <summary>Lower end of the 95 % sampling-error band of <see cref="EstimatedAccuracy"/> (NannyML CBPE: estimate − 1.96·SE, clipped to [0, 1]).</summary>
    public double? EstimatedAccuracyLower { get; init; }

    /// <summary>Upper end of the 95 % sampling-error band of <see cref="EstimatedAccuracy"/>.</summary>
    public double? EstimatedAccuracyUpper { get; init; }

    /// <summary>
    /// The accuracy shown (measured, else estimated) is below the model's baseline − tolerance even at the top of its 95 % interval:
    /// the model is degraded, not merely unlucky in a window with few events. Decided by the service like the drift flags; null when
    /// there is no baseline or no accuracy, or in results stored before the flag existed.
    /// </summary>
    public bool? AccuracyBelowBaseline { get; init; }

    /// <summary>Which model versions served the window: events per version (null when none carried one, as before versions were kept).</summary>
    public IReadOnlyDictionary<string, int>? ModelVersions { get; init; }

    /// <summary>Measured accuracy of each version's labelled events in the window (accuracy windows; null without labels or versions).</summary>
    public IReadOnlyDictionary<string, double>? AccuracyByVersion { get; init; }

    /// <summary>Share of the window's events whose client reported an error (drift windows; null without events).</summary>
    public double? ErrorRate { get; init; }

    /// <summary>95th percentile of the latencies clients reported, in milliseconds (drift windows; null when none did).</summary>
    public double? LatencyP95Ms { get; init; }

    /// <summary>Recall of each class with labelled events in the window (accuracy windows; null without labels).</summary>
    public IReadOnlyDictionary<string, double>? ClassRecall { get; init; }

    /// <summary>Labelled events of each class in the window (its true class), the weight behind <see cref="ClassRecall"/>.</summary>
    public IReadOnlyDictionary<string, int>? ClassLabelled { get; init; }

    /// <summary>
    /// The window counts as drifted for a model's health: its embeddings, predicted classes or confidences moved. Decided here so
    /// the service (stored verdict, drift series) and the dashboard (health) agree; image statistics stay a diagnostic.
    /// </summary>
    [JsonIgnore]
    public bool Flagged => EmbeddingDrift == true || PredictionDrift == true || ConfidenceDrift == true;
}
