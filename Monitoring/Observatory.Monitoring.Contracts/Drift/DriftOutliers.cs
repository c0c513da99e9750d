namespace Observatory.Monitoring.Contracts;

/// <summary>The events of one drift window least like the reference, beside typical reference items.</summary>
public sealed record DriftOutliers(DateTimeOffset WindowStart, DateTimeOffset WindowEnd, bool Flagged, int WindowEvents, string ReferenceSource,
    IReadOnlyList<OutlierEvent> Outliers, IReadOnlyList<TypicalReference> Typical, string? Note);

/// <summary>A production event of a window, with how far it lies from its nearest reference embedding.</summary>
public sealed record OutlierEvent(string Id, DateTimeOffset Timestamp, string PredictedClass, double Confidence, double Distance, string? ImageUri)
{
    /// <summary>The image the service keeps for the event (uploaded or fetched), served by GET /api/models/{m}/images/{sha256}.</summary>
    public string? ImageSha256 { get; init; }
}

/// <summary>
/// A reference item close to the reference mean. For a period of events: the event's id, class and image (its URI, and
/// <see cref="Sha256"/> of the image the service keeps for it, with <see cref="Path"/> null). For a dataset version
/// whose tree is readable: <see cref="Id"/> and <see cref="Path"/> are the file's path inside the dataset and <see cref="Sha256"/> its
/// content hash (clients that serve the registry's objects can show it); all null when the files are unknown.
/// </summary>
public sealed record TypicalReference(string? Id, double Distance, string? PredictedClass, string? ImageUri, string? Sha256 = null, string? Path = null);
