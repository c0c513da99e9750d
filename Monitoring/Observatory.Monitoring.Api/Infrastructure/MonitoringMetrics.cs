using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Observatory.Monitoring.Api.Infrastructure;

/// <summary>Counters and gauges for /metrics in the Prometheus text exposition format (0.0.4).</summary>
public sealed class MonitoringMetrics
{
    private readonly ConcurrentDictionary<string, long> _eventsIngested = new();
    private readonly ConcurrentDictionary<string, long> _eventsDuplicate = new();
    private long _batchesRejected;
    private readonly ConcurrentDictionary<(string Job, string Status), (long Count, double Seconds)> _jobs = new();
    private readonly ConcurrentDictionary<(string Model, string Method), double> _driftScores = new();
    private readonly ConcurrentDictionary<string, double> _accuracy = new();
    private long _deliveries, _deliveryFailures;

    public void Ingested(string model, int inserted, int duplicates)
    {
        _eventsIngested.AddOrUpdate(model, inserted, (_, v) => v + inserted);
        _eventsDuplicate.AddOrUpdate(model, duplicates, (_, v) => v + duplicates);
    }

    public void Rejected() => Interlocked.Increment(ref _batchesRejected);

    public void JobFinished(string job, string status, TimeSpan duration) =>
        _jobs.AddOrUpdate((job, status), (1, duration.TotalSeconds), (_, v) => (v.Count + 1, v.Seconds + duration.TotalSeconds));

    public void DriftScore(string model, string method, double value) => _driftScores[(model, method)] = value;
    public void Accuracy(string model, double value) => _accuracy[model] = value;
    public void Delivery(bool success) => Interlocked.Increment(ref success ? ref _deliveries : ref _deliveryFailures);

    public string Render()
    {
        var sb = new StringBuilder();
        Family(sb, "observatory_events_ingested_total", "counter", "Inference events stored.", _eventsIngested.Select(kv => ($"model=\"{Escape(kv.Key)}\"", (double)kv.Value)));
        Family(sb, "observatory_events_duplicate_total", "counter", "Re-sent events skipped by id.", _eventsDuplicate.Select(kv => ($"model=\"{Escape(kv.Key)}\"", (double)kv.Value)));
        Family(sb, "observatory_batches_rejected_total", "counter", "Event or feedback batches rejected with 400.", [("", Interlocked.Read(ref _batchesRejected))]);
        Family(sb, "observatory_job_runs_total", "counter", "Job executions by outcome.", _jobs.Select(kv => ($"job=\"{kv.Key.Job}\",status=\"{kv.Key.Status}\"", (double)kv.Value.Count)));
        Family(sb, "observatory_job_duration_seconds_sum", "counter", "Total job run time.", _jobs.Select(kv => ($"job=\"{kv.Key.Job}\",status=\"{kv.Key.Status}\"", kv.Value.Seconds)));
        Family(sb, "observatory_drift_score", "gauge", "Latest drift statistic by model and method.", _driftScores.Select(kv => ($"model=\"{Escape(kv.Key.Model)}\",method=\"{kv.Key.Method}\"", kv.Value)));
        Family(sb, "observatory_accuracy", "gauge", "Latest window accuracy (labelled, or estimated without labels).", _accuracy.Select(kv => ($"model=\"{Escape(kv.Key)}\"", kv.Value)));
        Family(sb, "observatory_notifications_delivered_total", "counter", "Webhook deliveries that succeeded.", [("", Interlocked.Read(ref _deliveries))]);
        Family(sb, "observatory_notification_failures_total", "counter", "Webhook attempts that failed (retried later).", [("", Interlocked.Read(ref _deliveryFailures))]);
        return sb.ToString();
    }

    private static void Family(StringBuilder sb, string name, string type, string help, IEnumerable<(string Labels, double Value)> samples)
    {
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        foreach (var (labels, value) in samples)
        {
            sb.Append(name);
            if (labels.Length > 0) sb.Append('{').Append(labels).Append('}');
            sb.Append(' ').Append(double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
