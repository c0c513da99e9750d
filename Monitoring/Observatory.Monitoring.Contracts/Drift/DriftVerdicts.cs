namespace Observatory.Monitoring.Contracts;

/// <summary>Share of one predicted class (index into the model's classes) in the reference period and in a window.</summary>
public sealed record ClassShare(int Class, double Reference, double Current);

/// <summary>
/// One image statistic (brightness, sharpness, …) of one window: KS statistic and p-value, normed Wasserstein distance, and whether
/// it moved under the method that decided the report (<see cref="DriftRunReport.VerdictMethod"/>).
/// </summary>
public sealed record ImageFeatureVerdict(string Feature, double? KsStatistic, double? PValue, double? Wasserstein, bool Moved)
{
    /// <summary>Mean of the statistic over every image of the reference (not the drift test's sample); null in runs stored before means were recorded.</summary>
    public double? ReferenceMean { get; init; }

    /// <summary>Mean of the statistic over every image of the window, so a verdict reads as "darker: 0.31 vs 0.52"; null as <see cref="ReferenceMean"/>.</summary>
    public double? CurrentMean { get; init; }
}

/// <summary>Counts per bin (<see cref="Edges"/> has one more entry than each side) of the reference period and of the window.</summary>
public sealed record HistogramBins(IReadOnlyList<double> Edges, IReadOnlyList<int> Reference, IReadOnlyList<int> Current);
