using System.Text.Json;
using Observatory.Monitoring.Contracts;

namespace Observatory.Monitoring.Core.Drift;

/// <summary>
/// Turns the reports of one drift window into the published <see cref="DriftRun"/>, deciding every verdict here once: which
/// method's verdict a univariate or categorical report takes (Evidently's choice by size: p-value tests up to
/// <see cref="SmallSample"/> reference rows, effect sizes beyond), the window's flags, class shares and per-feature verdicts.
/// </summary>
public static class DriftRuns
{
    /// <summary>Largest reference sample whose verdict comes from a p-value test (KS, chi-square) rather than an effect size.</summary>
    public const int SmallSample = 1000;

    /// <summary>KS up to <see cref="SmallSample"/> reference rows, else normed Wasserstein.</summary>
    public static string NumericVerdictMethod(int referenceRows) => referenceRows <= SmallSample ? DriftMethodNames.Ks : DriftMethodNames.Wasserstein;

    /// <summary>Chi-square up to <see cref="SmallSample"/> reference rows, else Jensen–Shannon.</summary>
    public static string CategoricalVerdictMethod(int referenceRows) => referenceRows <= SmallSample ? DriftMethodNames.ChiSquare : DriftMethodNames.JensenShannon;

    /// <param name="window">The window measured; its drift flags are set here from the reports.</param>
    /// <param name="imageFeatureNames">Names of <paramref name="imageStatistics"/>' dimensions, in order.</param>
    /// <param name="imageFeatureMeans">Means of the image statistics on both sides, in <paramref name="imageFeatureNames"/> order, shown beside each verdict.</param>
    public static DriftRun Create(WindowResult window, DriftReport? embedding, DriftReport? prediction, DriftReport? confidence, DriftReport? imageStatistics,
        IReadOnlyList<string>? imageFeatureNames, Histogram? confidenceHistogram, string? note, ImageFeatureMeans? imageFeatureMeans = null)
    {
        ArgumentNullException.ThrowIfNull(window);
        var embeddingReport = embedding is null ? null : Publish(embedding, null);
        var predictionReport = prediction is null ? null : Publish(prediction, CategoricalVerdictMethod(prediction.Reference.N));
        var confidenceReport = confidence is null ? null : Publish(confidence, NumericVerdictMethod(confidence.Reference.N));
        var imageReport = imageStatistics is null ? null : Publish(imageStatistics, NumericVerdictMethod(imageStatistics.Reference.N));
        var flags = window with
        {
            EmbeddingDrift = embeddingReport?.Drifted,
            PredictionDrift = predictionReport?.Drifted,
            ConfidenceDrift = confidenceReport?.Drifted,
            ImageStatisticsDrift = imageReport?.Drifted,
        };
        return new DriftRun(flags, embeddingReport, predictionReport, confidenceReport, note)
        {
            ImageStatistics = imageReport,
            ImageFeatureNames = imageStatistics is null ? null : imageFeatureNames,
            ConfidenceHistogram = confidenceHistogram is null ? null : new HistogramBins(confidenceHistogram.Edges, confidenceHistogram.Reference, confidenceHistogram.Current),
            ClassShares = prediction is null ? null : ClassShares(prediction),
            EmbeddingShareDrifted = embedding is null ? null : ShareDrifted(embedding),
            ImageFeatures = imageStatistics is null || imageFeatureNames is null || imageReport is null ? null : ImageFeatures(imageStatistics, imageFeatureNames, imageReport.VerdictMethod!, imageFeatureMeans),
        };
    }

    /// <summary>A report as published: its methods with their details, and its verdict (any method's when <paramref name="verdictMethod"/> is null).</summary>
    public static DriftRunReport Publish(DriftReport report, string? verdictMethod)
    {
        ArgumentNullException.ThrowIfNull(report);
        var drifted = verdictMethod is null ? report.AnyDrift : report.Methods.First(m => m.Method == verdictMethod).Drifted;
        return new DriftRunReport(Sample(report.Reference), Sample(report.Current), report.Methods.Select(Verdict).ToList())
        {
            VerdictMethod = verdictMethod,
            Drifted = drifted,
        };
    }

    private static SampleInfo Sample(SampleSummary s) => new(s.Path, s.N, s.D);

    // Details keep the keys `obs drift --json` prints; values become JSON once here so the record has one wire shape.
    private static MethodVerdict Verdict(DriftResult r) => new(r.Method, r.Statistic, r.PValue, r.Threshold, r.Drifted,
        r.Details.ToDictionary(d => d.Key, d => JsonSerializer.SerializeToElement(d.Value, MonitoringJson.Options)))
    {
        RowsUsed = r.RowsUsed is { } rows ? new MethodRows(rows.Reference, rows.Current) : null,
    };

    private static IReadOnlyList<ClassShare>? ClassShares(DriftReport prediction)
    {
        var details = prediction.Methods.FirstOrDefault(m => m.Method == DriftMethodNames.ChiSquare)?.Details;
        if (details is null || details.GetValueOrDefault("classes") is not int[] classes
            || details.GetValueOrDefault("reference_proportions") is not double[] reference || details.GetValueOrDefault("current_proportions") is not double[] current)
            return null;
        return classes.Select((k, i) => new ClassShare(k, reference[i], current[i])).ToList();
    }

    /// <summary>Share of dimensions the per-dimension test flagged: KS under its configured correction, else Wasserstein.</summary>
    private static double? ShareDrifted(DriftReport embedding)
    {
        if (Method(embedding, DriftMethodNames.Ks) is { } ks)
            return ks.GetValueOrDefault(ks.GetValueOrDefault("correction") as string == "fdr_bh" ? "share_drifted_fdr" : "share_drifted_bonferroni") as double?;
        return Method(embedding, DriftMethodNames.Wasserstein)?.GetValueOrDefault("share_drifted") as double?;
    }

    /// <summary>Each feature's statistics, and "moved" under the method that decided the report.</summary>
    private static IReadOnlyList<ImageFeatureVerdict> ImageFeatures(DriftReport report, IReadOnlyList<string> names, string verdictMethod, ImageFeatureMeans? means)
    {
        var ks = Method(report, DriftMethodNames.Ks);
        var w = Method(report, DriftMethodNames.Wasserstein);
        var ksDrifted = ks?.GetValueOrDefault(ks.GetValueOrDefault("correction") as string == "fdr_bh" ? "drifted_dimensions_fdr" : "drifted_dimensions_bonferroni") as int[];
        var moved = (verdictMethod == DriftMethodNames.Ks ? ksDrifted : w?.GetValueOrDefault("drifted_dimensions") as int[]) ?? [];
        var stats = ks?.GetValueOrDefault("statistics") as double[] ?? [];
        var p = ks?.GetValueOrDefault("p_values") as double[] ?? [];
        var distances = w?.GetValueOrDefault("values") as double[] ?? [];
        return names.Select((n, i) => new ImageFeatureVerdict(n, i < stats.Length ? stats[i] : null, i < p.Length ? p[i] : null,
            i < distances.Length ? distances[i] : null, moved.Contains(i))
        {
            ReferenceMean = means is not null && i < means.Reference.Count ? means.Reference[i] : null,
            CurrentMean = means is not null && i < means.Current.Count ? means.Current[i] : null,
        }).ToList();
    }

    private static IReadOnlyDictionary<string, object?>? Method(DriftReport report, string method) =>
        report.Methods.FirstOrDefault(m => m.Method == method)?.Details;
}
