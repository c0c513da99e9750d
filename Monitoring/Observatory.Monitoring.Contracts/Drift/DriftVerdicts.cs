namespace Observatory.Monitoring.Contracts;

/// <summary>Share of one predicted class (index into the model's classes) in the reference period and in a window.</summary>
public sealed record ClassShare(int Class, double Reference, double Current);

/// <summary>
/// One image statistic (brightness, sharpness, …) of one window: KS statistic and p-value, normed Wasserstein distance, and whether
/// it moved under the method that decided the report (<see cref="DriftRunReport.VerdictMethod"/>).
/// </summary>
public sealed record ImageFeatureVerdict(string Feature, double? KsStatistic, double? PValue, double? Wasserstein, bool Moved);

/// <summary>Counts per bin (<see cref="Edges"/> has one more entry than each side) of the reference period and of the window.</summary>
public sealed record HistogramBins(IReadOnlyList<double> Edges, IReadOnlyList<int> Reference, IReadOnlyList<int> Current);
