using Observatory.Monitoring.Contracts;

namespace Observatory.Reports;

/// <summary>
/// A drift comparison as a report shows it: the published run (verdicts, per-method statistics, share of drifted dimensions, image
/// statistics), the service's stored flag for a window, and the outliers with their thumbnails when images are available.
/// </summary>
public sealed record DriftReportInput(string Title, string Subject, DriftRun Run, DateTimeOffset Generated)
{
    /// <summary>The flag the service stored with the window; null for a comparison of two files.</summary>
    public bool? StoredFlag { get; init; }
    public IReadOnlyList<ReportOutlier> Outliers { get; init; } = [];
    public IReadOnlyList<ReportOutlier> Typical { get; init; } = [];
    /// <summary>Names of the model's classes, for class shares (index = class id); numbers are shown without them.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>One item far from (outlier) or close to (typical) the reference: a label, its distance, what it was, and its image when there is one.</summary>
public sealed record ReportOutlier(string Label, double Distance, string? Detail, ReportImage? Image);
