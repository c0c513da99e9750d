namespace Observatory.Monitoring.Contracts;

/// <summary>
/// What one version of a monitored model did over the stored windows, side by side with the others: how long and how much it
/// served, how often its embeddings drifted, and how accurate its labelled predictions were against its own baseline.
/// </summary>
/// <param name="Windows">Drift windows in which the version served at least one event.</param>
/// <param name="Events">Events it served in those windows.</param>
/// <param name="DriftMeasuredWindows">Windows with a drift verdict for this version's own embeddings: its per-version verdict
/// when several versions shared the window, the window's verdict when it served alone.</param>
/// <param name="DriftedShare">DriftedWindows / DriftMeasuredWindows; null when none was measured.</param>
/// <param name="Accuracy">Its measured accuracy over the accuracy windows it served, each window weighted by the events it served there.</param>
/// <param name="AccuracyVsBaseline">Accuracy − its own baseline, when both are known.</param>
public sealed record ModelVersionSummary(string Version, string? Stage, bool Current, DateTimeOffset? RegisteredAt, DateTimeOffset? ReplacedAt,
    DateTimeOffset? FirstWindowEnd, DateTimeOffset? LastWindowEnd, int Windows, long Events, int DriftMeasuredWindows, int DriftedWindows,
    double? DriftedShare, int AccuracyWindows, double? Accuracy, double? BaselineAccuracy, double? AccuracyVsBaseline);

/// <summary>Every version of a model, oldest first, summarised over the newest <see cref="WindowsRead"/> windows of each series.</summary>
public sealed record ModelVersionComparison(string Model, int WindowsRead, IReadOnlyList<ModelVersionSummary> Versions);
