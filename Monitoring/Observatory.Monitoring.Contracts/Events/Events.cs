namespace Observatory.Monitoring.Contracts;

/// <summary>Result of an event batch: how many events arrived, how many were new, how many were already stored (idempotent re-sends).</summary>
public sealed record IngestResponse(int Received, int Inserted, int Duplicates);

/// <summary>Result of a feedback batch: how many labels arrived, how many events got one, and the ids no event has.</summary>
public sealed record FeedbackResponse(int Received, int Updated, IReadOnlyList<string> UnknownIds);

/// <summary>How many events a model has stored, and the newest event's timestamp.</summary>
public sealed record EventCount(string Model, long Count, DateTimeOffset? LastEventAt);

/// <summary>Events whose timestamp falls in [Start, Start + bucket).</summary>
public sealed record EventCountBucket(DateTimeOffset Start, long Count);

/// <summary>Traffic of a model over the last minutes, by event timestamp: total, mean per minute, and per-bucket counts (empty buckets omitted).</summary>
public sealed record EventRate(string Model, DateTimeOffset From, DateTimeOffset To, int BucketSeconds, long Total, double PerMinute, IReadOnlyList<EventCountBucket> Buckets);

/// <summary>
/// One stored event as GET /api/models/{model}/events lists it (oldest first); <see cref="Embedding"/> only with <c>embeddings=true</c>
/// (null where retention pruned it). The CSV and Arrow forms have the same columns, the embedding as <c>embedding_0</c>….
/// </summary>
public sealed record EventRow(string Id, DateTimeOffset Timestamp, string PredictedClass, double Confidence, string? TrueClass, string? ModelVersion, float[]? Embedding);
