using Observatory.DataService.Core.Operations;

namespace Observatory.DataService.Core.Queries;

/// <summary>A request named something that does not exist or is malformed; <see cref="Parameter"/> says which input (HTTP 400).</summary>
public sealed class QueryException(string parameter, string message) : Exception(message)
{
    public string Parameter { get; } = parameter;
}

/// <summary>The inputs are valid but the thing asked for is absent (no report for this version, dataset not in that commit) (HTTP 404).</summary>
public sealed class QueryNotFoundException(string message) : Exception(message);

/// <summary>A dataset of the registry: tracked by a pointer in the work tree, at HEAD, or both.</summary>
public sealed record DatasetRow(string Path, string Name, string PointerPath, bool InWorkspace, bool AtHead, long Files, long Bytes, VersionValidation? Validation);

/// <summary>The validation summary a pointer carries; <see cref="Status"/> is failed / warnings / passed.</summary>
public sealed record VersionValidation(int Errors, int Warnings, string? Report)
{
    public string Status => Errors > 0 ? "failed" : Warnings > 0 ? "warnings" : "passed";
}

/// <summary>One version of a dataset: a commit that changed its pointer (newest first in lists).</summary>
public sealed record VersionRow(string Dataset, string Commit, IReadOnlyList<string> Tags, DateTimeOffset Date, string Message, string Tree, long Files, long Bytes, VersionValidation? Validation)
{
    public string ShortCommit => Commit.Length > 10 ? Commit[..10] : Commit;
    /// <summary>A tag if there is one, else the short commit: what a person calls this version.</summary>
    public string Label => Tags.Count > 0 ? Tags[0] : ShortCommit;
}

/// <summary>A file of a version; <see cref="Path"/> is repo-relative.</summary>
public sealed record FileRow(string Path, string Sha256, long Size);

public sealed record ChangedFile(string Path, string Change, string? OldSha256, string? NewSha256, long? OldSize, long? NewSize);

/// <summary>What changed in one dataset between two versions.</summary>
public sealed record DiffView(string Dataset, string From, string To, string FromCommit, string ToCommit, int Added, int Deleted, int Modified,
    long BytesAdded, long BytesDeleted, AnnotationSummary Annotations, IReadOnlyList<ChangedFile> Files)
{
    /// <summary>Box-level changes per class and per image (<c>?detail=annotations</c>); null otherwise.</summary>
    public Annotations.AnnotationChanges? Boxes { get; init; }

    /// <summary>Why boxes were not compared (an annotation object missing from the cache), else null.</summary>
    public string? BoxesUnavailable { get; init; }
}

public sealed record ReportSummary(int Errors, int Warnings, IReadOnlyDictionary<string, int> ByRule);

/// <summary>One validation finding; <see cref="Path"/> is repo-relative as the validator wrote it.</summary>
public sealed record FindingRow(string Rule, string Severity, string Path, int? Line, string? AnnotationId, string Message);

/// <summary>The validation report object of a version, as stored in the cache.</summary>
public sealed record ReportView(string Dataset, int Files, ReportSummary Summary, IReadOnlyList<FindingRow> Findings);

public sealed record ClassTally(int Id, string Name, int Count);

/// <summary>Objects per YOLO class id over labels/**/*.txt of a version.</summary>
public sealed record ClassBalanceView(string Dataset, string Commit, int LabelFiles, int Objects, int MissingLabelFiles, int MalformedLines, IReadOnlyList<ClassTally> Classes);

/// <summary>A YOLO box in normalised image coordinates (centre, size in 0..1); <see cref="Line"/> is its 1-based row in the label file.</summary>
public sealed record YoloBox(int ClassId, string ClassName, double CenterX, double CenterY, double Width, double Height, int Line);

/// <summary>An image of a version with the boxes of its YOLO label file (if any).</summary>
public sealed record AnnotatedImage(string Path, string Sha256, long Size, string? LabelPath, IReadOnlyList<YoloBox> Boxes);

/// <summary>
/// One page of a version's images, by path. <see cref="Total"/> counts the images passing the filters; <see cref="Classes"/> counts
/// images (not objects) per class over the whole version and <see cref="Rules"/> names the report's rules, for the filter choices.
/// </summary>
public sealed record GalleryPage(string Dataset, string Commit, int Total, int Page, int PageSize, IReadOnlyList<AnnotatedImage> Images,
    IReadOnlyList<ClassTally> Classes, IReadOnlyList<string> Rules);
