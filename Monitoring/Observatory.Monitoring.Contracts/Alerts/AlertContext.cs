namespace Observatory.Monitoring.Contracts;

/// <summary>
/// What a person needs to act on an alert, taken when it fired from the window that made it fire: which model version and
/// reference, which window, the statistics that triggered, the image statistics that moved, and the classes that moved most.
/// Kept with the alert, so a notice delivered (or retried) later still describes that window.
/// </summary>
public sealed record AlertContext
{
    public string? ModelVersion { get; init; }

    /// <summary>What the window was compared against: a dataset version (repo, pointer, revision, tree) or a reference period.</summary>
    public DriftReference? Reference { get; init; }

    public DateTimeOffset? WindowStart { get; init; }
    public DateTimeOffset? WindowEnd { get; init; }
    public int? EventCount { get; init; }

    /// <summary>The drift tests of the window that decided a verdict (input, method, statistic, p-value or threshold), drifted first.</summary>
    public IReadOnlyList<AlertStatistic> Statistics { get; init; } = [];

    /// <summary>Share of embedding dimensions flagged by the per-dimension test, when one ran.</summary>
    public double? EmbeddingShareDrifted { get; init; }

    /// <summary>The image statistics that moved, with their means in the reference and in the window.</summary>
    public IReadOnlyList<MovedImageStatistic> ImageStatistics { get; init; } = [];

    /// <summary>
    /// The classes that moved most (largest first): by how far their share of predictions changed or their recall fell below its
    /// baseline, whichever is larger; with their recall in the window when labelled.
    /// </summary>
    public IReadOnlyList<ClassChange> WorstClasses { get; init; } = [];

    /// <summary>Accuracy of the window (measured, else estimated) and the model's baseline, for accuracy rules.</summary>
    public double? Accuracy { get; init; }
    public bool AccuracyEstimated { get; init; }
    public double? BaselineAccuracy { get; init; }
}

/// <summary>One drift test of a window: on which input (embedding, prediction, confidence, image statistics), its figures and verdict.</summary>
public sealed record AlertStatistic(string Input, string Method, double Statistic, double? PValue, double Threshold, bool Drifted);

/// <summary>An image statistic (brightness, sharpness, …) that moved, with its mean in the reference and in the window.</summary>
public sealed record MovedImageStatistic(string Feature, double? ReferenceMean, double? CurrentMean);

/// <summary>
/// A class's share of predictions in the reference and in the window, its recall in the window (null without labels) and the
/// recall it is held to (its <c>classBaselines</c> entry, else the model's baseline accuracy; null when neither is set).
/// </summary>
public sealed record ClassChange(string Class, double? ReferenceShare, double? CurrentShare, double? Recall, double? BaselineRecall = null)
{
    /// <summary>How far recall fell below its baseline (negative when above); null without a recall or a baseline.</summary>
    public double? RecallDrop => Recall is { } r && BaselineRecall is { } b ? b - r : null;
}
