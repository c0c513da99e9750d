namespace Observatory.Monitoring.Contracts;

/// <summary>Which events of a window an export takes.</summary>
public enum ExportSelection
{
    /// <summary>The events farthest from their nearest reference embedding (what the reference has not seen).</summary>
    Outliers,
    /// <summary>The events the model was least sure of (lowest confidence).</summary>
    LowConfidence,
    /// <summary>Labelled events whose true class differs from the prediction.</summary>
    Misclassified,
    /// <summary>Events whose predicted class differs from the class of their nearest reference item.</summary>
    Disagreement,
    /// <summary>A seeded uniform sample of the window's events.</summary>
    Random,
}

/// <summary>The annotation layout <c>obs import-window</c> writes by default (it may be overridden on the command line).</summary>
public enum ExportFormat
{
    /// <summary>images/ + labels/*.txt (class cx cy w h, normalised) + classes.txt.</summary>
    Yolo,
    /// <summary>images/ + one annotations.json (COCO).</summary>
    Coco,
    /// <summary>images/ + labels.csv (file,label): image classification.</summary>
    Csv,
}

/// <summary>Where an item's pre-label came from.</summary>
public enum LabelSource
{
    /// <summary>The true class sent as feedback.</summary>
    Feedback,
    /// <summary>The model's own prediction (and the boxes its client sent): to be checked by a person.</summary>
    Prediction,
}

/// <summary>
/// One detected object as the client's model reported it: class, and the box centre and size normalised to [0,1] of the image
/// (YOLO's convention, so a box survives any resize), with an optional confidence.
/// </summary>
public sealed record EventBox(string Class, double X, double Y, double Width, double Height, double? Confidence = null);

/// <summary>Asks for an export of one drift window. <see cref="Count"/> is at most the service's export limit.</summary>
public sealed record ExportRequest(DateTimeOffset WindowEnd, ExportSelection Select, int Count, ExportFormat Format = ExportFormat.Yolo);

/// <summary>Why an item was selected: its distance to the nearest reference embedding (when embeddings are kept) and its confidence.</summary>
public sealed record ExportReason(double? Distance, double Confidence, string? NearestReferenceClass = null);

/// <summary>
/// One exported image: the event it came from, the kept image (content hash and where to download it — a service path, or a
/// presigned URL when the image store hands them out), the pre-label and its source, and the reason it was selected.
/// <see cref="FileName"/> is the name the image gets in the dataset (unique within the export, stable across re-runs).
/// </summary>
public sealed record ExportItem(string EventId, DateTimeOffset Timestamp, string Sha256, string FileName, string ImageUrl, long? Bytes,
    string Label, LabelSource LabelSource, string PredictedClass, string? TrueClass, string? ModelVersion, IReadOnlyList<EventBox>? Boxes, ExportReason Reason);

/// <summary>
/// What an export holds and how it was made: the model and its version, the window, the selection rule and count, the classes
/// (their order is the YOLO class ids), and the items. An export stays open (its images spared by retention) until deleted.
/// </summary>
public sealed record ExportManifest(string Id, string Model, string? ModelVersion, DateTimeOffset WindowStart, DateTimeOffset WindowEnd,
    ExportSelection Select, int Count, ExportFormat Format, IReadOnlyList<string> Classes, DateTimeOffset CreatedAt, string? Note,
    IReadOnlyList<ExportItem> Items);
