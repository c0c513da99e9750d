namespace Observatory.Monitoring.Core.Events;

/// <summary>One prediction made in production. <see cref="TrueClass"/> arrives later as feedback; <see cref="ImageFeatures"/> are the
/// interpretable image statistics (brightness, contrast, …) when the service received the image itself.</summary>
public sealed record InferenceEvent(
    string Id, DateTimeOffset Timestamp, string PredictedClass, double Confidence, float[]? Embedding, string? TrueClass = null, double[]? ImageFeatures = null)
{
    /// <summary>Where the client keeps the image (its own store's URL); the dashboard shows it beside drift, the service never fetches it.</summary>
    public string? ImageUri { get; init; }

    /// <summary>The version of the model that made the prediction; the service stamps the model's current version when the client gives none.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>SHA-256 (lower-case hex) of the image the service keeps for this event (uploaded with it, or earlier).</summary>
    public string? ImageSha256 { get; init; }

    /// <summary>How long the prediction took at the endpoint, in milliseconds (endpoint health; null when the client does not say).</summary>
    public double? LatencyMs { get; init; }

    /// <summary>What failed when the endpoint failed to predict well (an error message or code); null for a success.</summary>
    public string? Error { get; init; }

    /// <summary>The objects the client's model detected (normalised centre and size); they become pre-labels when the event is exported.</summary>
    public IReadOnlyList<Contracts.EventBox>? Boxes { get; init; }
}

/// <summary>The true class of an earlier event.</summary>
public sealed record Feedback(string Id, string TrueClass);

/// <summary>Result of storing a batch: new events, and ids already stored (idempotent re-sends).</summary>
public sealed record IngestResult(int Inserted, int Duplicates);

/// <summary>Result of applying feedback: how many events got a label, and the ids no event has.</summary>
public sealed record FeedbackResult(int Updated, IReadOnlyList<string> UnknownIds);
