using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Alerts;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Core.Models;

namespace Observatory.Monitoring.Core.Ports;

/// <summary>Persistence of everything the monitoring service keeps. SQLite and PostgreSQL implement it; one contract suite tests both.</summary>
public interface IMonitoringStore
{
    /// <summary>Applies pending schema migrations (idempotent; called at start-up).</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    Task UpsertModelAsync(MonitoredModel model, CancellationToken cancellationToken = default);
    Task<MonitoredModel?> GetModelAsync(string name, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<MonitoredModel>> ListModelsAsync(CancellationToken cancellationToken = default);
    Task<bool> DeleteModelAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Stores a batch in one transaction: all of it or nothing; ids already stored are skipped (idempotent).</summary>
    Task<IngestResult> InsertEventsAsync(string model, IReadOnlyList<InferenceEvent> events, CancellationToken cancellationToken = default);

    /// <summary>Events with timestamp in [from, to), newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<InferenceEvent>> GetEventsAsync(string model, DateTimeOffset from, DateTimeOffset to, int limit, bool includeEmbeddings, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of the events with timestamp in [from, to), oldest first by (timestamp, id): those after <paramref name="after"/>
    /// (the last event of the previous page; null for the first), at most <paramref name="limit"/>. An export of millions of events
    /// holds one page at a time, and each page costs the same wherever it is in the range.
    /// </summary>
    Task<IReadOnlyList<InferenceEvent>> GetEventPageAsync(string model, DateTimeOffset from, DateTimeOffset to, EventPosition? after, int limit, bool includeEmbeddings,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// A uniform sample of the events with timestamp in [from, to): the <paramref name="limit"/> with the smallest
    /// <see cref="SampleKey"/> (all of them when there are fewer), in that order. The database picks them from an index and reads
    /// only the rows it returns, so a window of millions costs the sample, not the window; a smaller limit returns a prefix of a
    /// larger one's sample.
    /// </summary>
    Task<IReadOnlyList<InferenceEvent>> SampleEventsAsync(string model, DateTimeOffset from, DateTimeOffset to, int limit, bool includeEmbeddings,
        CancellationToken cancellationToken = default);

    /// <summary>Exact counts over every event with timestamp in [from, to), computed in the database: what a sample cannot give.</summary>
    Task<EventWindowCounts> CountWindowAsync(string model, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>True when an event of <paramref name="model"/> names the kept image: images are served per model, never across models.</summary>
    Task<bool> EventNamesImageAsync(string model, string sha256, CancellationToken cancellationToken = default);

    Task<long> CountEventsAsync(string model, CancellationToken cancellationToken = default);
    Task<DateTimeOffset?> LastEventAtAsync(string model, CancellationToken cancellationToken = default);

    /// <summary>Sets true classes in one transaction; returns ids that match no event.</summary>
    Task<FeedbackResult> ApplyFeedbackAsync(string model, IReadOnlyList<Feedback> feedback, CancellationToken cancellationToken = default);

    /// <summary>
    /// Drops stored embeddings of events older than <paramref name="before"/> (the events and results stay), except a model's
    /// events before its entry in <paramref name="keepBefore"/>: the reference period its drift compares against.
    /// </summary>
    Task<int> PruneEmbeddingsAsync(DateTimeOffset before, IReadOnlyDictionary<string, DateTimeOffset> keepBefore, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the events of every UTC day that ends at or before <paramref name="before"/> (the day it falls in stays whole), except
    /// a model's events before its entry in <paramref name="keepBefore"/> (its reference period) and events naming an image an open
    /// export of their model holds (the export's images are served through them). PostgreSQL drops whole day partitions; SQLite
    /// deletes in batches. Returns the events deleted.
    /// </summary>
    Task<long> PruneEventsAsync(DateTimeOffset before, IReadOnlyDictionary<string, DateTimeOffset> keepBefore, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes delivery attempts, finished notifications and job runs older than <paramref name="before"/>: the history the
    /// pages show grows with every delivery and run, so it is kept as long as raw embeddings are. Returns the rows deleted.
    /// </summary>
    Task<int> PruneHistoryAsync(DateTimeOffset before, CancellationToken cancellationToken = default);

    /// <summary>
    /// Kept images (<c>imageSha256</c>) the model's events name, none of them timestamped at or after <paramref name="before"/>:
    /// the images that model alone would no longer need.
    /// </summary>
    Task<IReadOnlyList<string>> ListImagesLastNamedBeforeAsync(string model, DateTimeOffset before, CancellationToken cancellationToken = default);

    /// <summary>Every model whose events name one of <paramref name="sha256s"/>, with the newest such event's timestamp.</summary>
    Task<IReadOnlyList<ImageUse>> ListImageUsesAsync(IReadOnlyCollection<string> sha256s, CancellationToken cancellationToken = default);

    /// <summary>
    /// Clears <c>imageSha256</c> on the model's events timestamped before <paramref name="before"/> that name one of
    /// <paramref name="sha256s"/> (their images were deleted); returns the events changed.
    /// </summary>
    Task<int> ForgetImagesAsync(string model, IReadOnlyCollection<string> sha256s, DateTimeOffset before, CancellationToken cancellationToken = default);

    Task AddResultAsync(StoredResult result, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<StoredResult>> ListResultsAsync(string model, string kind, int limit, CancellationToken cancellationToken = default);
    /// <summary>Every result whose window ends in [from, to], oldest first, without its JSON (cheap for a year of windows).</summary>
    Task<IReadOnlyList<ResultSummary>> ListResultSummariesAsync(string model, string kind, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);
    /// <summary>The full results of the given <see cref="ResultSummary.Id"/>s, oldest first.</summary>
    Task<IReadOnlyList<StoredResult>> GetResultsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default);
    /// <summary>How many events of the model have a timestamp in each <paramref name="bucket"/>-wide slot of [from, to) (empty slots omitted).</summary>
    Task<IReadOnlyList<EventCountBucket>> CountEventsByBucketAsync(string model, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket, CancellationToken cancellationToken = default);

    Task<Alert?> GetAlertAsync(string id, CancellationToken cancellationToken = default);
    Task<Alert?> GetOpenAlertAsync(string model, string ruleId, CancellationToken cancellationToken = default);
    /// <summary>Saves the alert and, in the same transaction, queues its notification once per channel (so none is lost).</summary>
    /// <param name="replacing">The alert as the caller read it: the save applies only if the stored alert is still exactly that
    /// (optimistic concurrency), else <see cref="Alerts.ConflictException"/>. Null: insert or overwrite (the evaluator).</param>
    Task SaveAlertAsync(Alert alert, NotificationRequest? notification, IReadOnlyList<string> channels, DateTimeOffset now, CancellationToken cancellationToken = default,
        Alert? replacing = null);
    Task<IReadOnlyList<Alert>> ListAlertsAsync(string? model, AlertState? state, int limit, CancellationToken cancellationToken = default);

    Task AddSilenceAsync(Silence silence, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<Silence>> ListSilencesAsync(string? model, DateTimeOffset activeAt, CancellationToken cancellationToken = default);
    /// <summary>Removes a silence (active or not); false when no silence has that id.</summary>
    Task<bool> DeleteSilenceAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Notifications not yet delivered whose next attempt is due.</summary>
    Task<IReadOnlyList<PendingNotification>> DueNotificationsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);
    /// <summary>Records a try; a null <paramref name="nextAttemptAt"/> marks the notification done (delivered).</summary>
    Task RecordDeliveryAttemptAsync(DeliveryAttempt attempt, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<DeliveryAttempt>> ListDeliveryAttemptsAsync(string? alertId, int limit, CancellationToken cancellationToken = default);

    /// <summary>Stores an export (and the images it names) unless the model already has one with its id: false, and nothing written, then.</summary>
    Task<bool> AddExportAsync(ExportManifest export, CancellationToken cancellationToken = default);
    Task<ExportManifest?> GetExportAsync(string model, string id, CancellationToken cancellationToken = default);
    /// <summary>The model's open exports, newest first.</summary>
    Task<IReadOnlyList<ExportManifest>> ListExportsAsync(string model, CancellationToken cancellationToken = default);
    /// <summary>Closes an export (its manifest and the hold on its images go); false when the model has no export with that id.</summary>
    Task<bool> DeleteExportAsync(string model, string id, CancellationToken cancellationToken = default);
    /// <summary>The SHA-256 of every image an open export names: image retention must spare them.</summary>
    Task<IReadOnlySet<string>> ListExportedImagesAsync(CancellationToken cancellationToken = default);

    Task RecordJobRunAsync(JobRun run, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<JobRun>> ListJobRunsAsync(string? model, int limit, CancellationToken cancellationToken = default);
}

/// <summary>A drift or accuracy result of one window (kind <see cref="StoredResults.Drift"/> or <see cref="StoredResults.Accuracy"/>); the JSON holds the full run, written and read only by <see cref="StoredResults"/>.</summary>
public sealed record StoredResult(string Model, string Kind, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, int EventCount, bool Drifted, double? Value, string Json, DateTimeOffset CreatedAt);

/// <summary>Where a page of events ended: the (timestamp, id) of its last event.</summary>
public sealed record EventPosition(DateTimeOffset Timestamp, string Id)
{
    public static EventPosition Of(InferenceEvent e) => new(e.Timestamp, e.Id);
}

/// <summary>A stored result without its JSON: enough to choose which windows a chart shows.</summary>
public sealed record ResultSummary(long Id, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, int EventCount, bool Drifted, double? Value, DateTimeOffset CreatedAt);

/// <summary>A model's events name a kept image; the newest of them is timestamped <paramref name="LastNamedAt"/>.</summary>
public sealed record ImageUse(string Model, string Sha256, DateTimeOffset LastNamedAt);

/// <summary>A notification waiting for delivery: which alert transition, to which channel.</summary>
public sealed record PendingNotification(long Id, string AlertId, NotificationKind Kind, string Channel, int Attempts, DateTimeOffset CreatedAt);

/// <summary>
/// Exact counts of a window's events: all of them, those each model version served (events without a version are not in
/// <see cref="ByVersion"/>), and those whose client reported an error.
/// </summary>
public sealed record EventWindowCounts(long Events, IReadOnlyDictionary<string, long> ByVersion, long Errors)
{
    public static readonly EventWindowCounts None = new(0, new Dictionary<string, long>(), 0);
}
