using Observatory.DataService.Core.Queries;

namespace Observatory.Reports;

/// <summary>Two versions of one or more datasets, as `obs report A B` and the Datasets page's download describe them.</summary>
public sealed record DatasetVersionsReport(string From, string To, DateTimeOffset Generated, IReadOnlyList<DatasetComparison> Datasets);

/// <summary>
/// One dataset compared: the file and box diff, the class balance on both sides, the validation reports of both versions (null when
/// recorded without validation), and bounded sets of thumbnails (relabelled images before/after, images with findings).
/// </summary>
public sealed record DatasetComparison(DiffView Diff, ClassBalanceView? Before, ClassBalanceView? After, ReportView? ValidationBefore, ReportView? ValidationAfter)
{
    public IReadOnlyList<ImagePair> Relabelled { get; init; } = [];
    /// <summary>Thumbnails of the "to" version's findings, keyed by the finding's path.</summary>
    public IReadOnlyDictionary<string, ReportImage> FindingImages { get; init; } = new Dictionary<string, ReportImage>();
    /// <summary>Why part of the comparison is missing (e.g. a validation report not in the cache).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>An image whose label file changed, drawn as it was and as it is.</summary>
public sealed record ImagePair(string Path, ReportImage Before, ReportImage After);
