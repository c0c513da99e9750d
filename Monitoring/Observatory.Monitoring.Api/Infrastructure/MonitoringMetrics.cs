using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Observatory.Monitoring.Api.Infrastructure;

/// <summary>
/// The service's counters and gauges as .NET Meter instruments; ServiceDefaults exports them at /metrics (prometheus-net). The
/// totals live here and are observed at each scrape, so a series never restarts from zero between two scrapes, however idle.
/// Meter "Observatory" + instrument "events.ingested" is exposed as observatory_events_ingested_total.
/// </summary>
public sealed class MonitoringMetrics
{
    public const string MeterName = "Observatory";

    private readonly ConcurrentDictionary<string, long> _eventsIngested = new();
    private readonly ConcurrentDictionary<string, long> _eventsDuplicate = new();
    private long _batchesRejected;
    private readonly ConcurrentDictionary<(string Job, string Status), long> _jobRuns = new();
    private readonly ConcurrentDictionary<(string Model, string Method), double> _driftScores = new();
    private readonly ConcurrentDictionary<string, double> _accuracy = new();
    private long _deliveries, _deliveryFailures;
    private readonly Histogram<double> _jobDuration;

    public MonitoringMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableCounter("events.ingested", () => ByModel(_eventsIngested), description: "Inference events stored.");
        meter.CreateObservableCounter("events.duplicate", () => ByModel(_eventsDuplicate), description: "Re-sent events skipped by id.");
        meter.CreateObservableCounter("batches.rejected", () => Interlocked.Read(ref _batchesRejected), description: "Event or feedback batches rejected with 400.");
        meter.CreateObservableCounter("job.runs", () => _jobRuns.Select(kv => new Measurement<long>(kv.Value, new("job", kv.Key.Job), new("status", kv.Key.Status))),
            description: "Job executions by outcome.");
        _jobDuration = meter.CreateHistogram<double>("job.duration.seconds", description: "Job run time by outcome.");
        meter.CreateObservableGauge("drift.score", () => _driftScores.Select(kv => new Measurement<double>(kv.Value, new("model", kv.Key.Model), new("method", kv.Key.Method))),
            description: "Latest drift statistic by model and method.");
        meter.CreateObservableGauge("accuracy", () => _accuracy.Select(kv => new Measurement<double>(kv.Value, new KeyValuePair<string, object?>("model", kv.Key))),
            description: "Latest window accuracy (labelled, or estimated without labels).");
        meter.CreateObservableCounter("notifications.delivered", () => Interlocked.Read(ref _deliveries), description: "Webhook deliveries that succeeded.");
        meter.CreateObservableCounter("notifications.failed", () => Interlocked.Read(ref _deliveryFailures), description: "Webhook attempts that failed (retried later).");
    }

    public void Ingested(string model, int inserted, int duplicates)
    {
        _eventsIngested.AddOrUpdate(model, inserted, (_, v) => v + inserted);
        _eventsDuplicate.AddOrUpdate(model, duplicates, (_, v) => v + duplicates);
    }

    public void Rejected() => Interlocked.Increment(ref _batchesRejected);

    public void JobFinished(string job, string status, TimeSpan duration)
    {
        _jobRuns.AddOrUpdate((job, status), 1, (_, v) => v + 1);
        _jobDuration.Record(duration.TotalSeconds, new("job", job), new("status", status));
    }

    public void DriftScore(string model, string method, double value) => _driftScores[(model, method)] = value;
    public void Accuracy(string model, double value) => _accuracy[model] = value;
    public void Delivery(bool success) => Interlocked.Increment(ref success ? ref _deliveries : ref _deliveryFailures);

    private static IEnumerable<Measurement<long>> ByModel(ConcurrentDictionary<string, long> totals) =>
        totals.Select(kv => new Measurement<long>(kv.Value, new KeyValuePair<string, object?>("model", kv.Key)));
}
