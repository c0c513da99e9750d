using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Core.Alerts;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Contracts;

namespace Observatory.Monitoring.Api.Services;

/// <summary>
/// Delivers queued notifications to webhooks. Every attempt is recorded; a failure schedules the next attempt with exponential
/// backoff (capped) and never drops the notification, so a receiver that comes back gets every alert it missed, in order.
/// </summary>
public sealed class NotificationService(IMonitoringStore store, IHttpClientFactory http, IOptions<MonitoringOptions> options, MonitoringMetrics metrics,
    [FromKeyedServices(MonitoringHost.ClockKey)] TimeProvider time, ILogger<NotificationService> log)
{
    public const string HttpClientName = "webhooks";

    /// <summary>
    /// Delivers what is due. Channels are delivered in parallel, each in queue order, so one slow or dead endpoint (which waits
    /// out its own <see cref="WebhookOptions.TimeoutSeconds"/>) does not hold back the others.
    /// </summary>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        var due = await store.DueNotificationsAsync(time.GetUtcNow(), 100, ct);
        var delivered = 0;
        await Parallel.ForEachAsync(due.GroupBy(n => n.Channel, StringComparer.Ordinal), ct, async (channel, token) =>
        {
            foreach (var n in channel)
                if (await DeliverAsync(n, token)) Interlocked.Increment(ref delivered);
        });
        return delivered;
    }

    private async Task<bool> DeliverAsync(PendingNotification n, CancellationToken ct)
    {
        var o = options.Value;
        var alert = await store.GetAlertAsync(n.AlertId, ct);
        var hook = o.Webhooks.FirstOrDefault(w => w.Name == n.Channel);
        bool ok; int? status = null; string? error = null;
        // Given up on for good (recorded as failed, never retried): a channel removed from the configuration cannot come
        // back by waiting, and retrying it forever would keep the queue and the attempts table growing.
        var dropped = false;
        if (alert is null) { ok = true; error = "alert no longer exists; dropped"; }
        // Queued before a silence began (or retried into one): a silence mutes whatever would reach the receiver while it lasts.
        else if (AlertLifecycle.IsSilenced(alert, await store.ListSilencesAsync(alert.Model, time.GetUtcNow(), ct), time.GetUtcNow()))
        { ok = false; dropped = true; error = "silenced; dropped"; }
        else if (hook is null) { ok = false; dropped = true; error = $"channel '{n.Channel}' is no longer configured in Monitoring:Webhooks; dropped"; }
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(hook.TimeoutSeconds));
            try
            {
                using var client = http.CreateClient(HttpClientName);
                using var response = await client.PostAsJsonAsync(hook.Url, Payload(hook, alert, n.Kind, o.DashboardUrl), timeout.Token);
                status = (int)response.StatusCode;
                ok = response.IsSuccessStatusCode;
                if (!ok) error = $"HTTP {status}";
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                ok = false;
                error = ex is OperationCanceledException ? $"no answer within {hook.TimeoutSeconds:0.#} s" : ex.Message;
            }
        }
        var now = time.GetUtcNow();
        DateTimeOffset? next = ok || dropped ? null : now + Backoff(n.Attempts, o);
        await store.RecordDeliveryAttemptAsync(new DeliveryAttempt(n.Id, n.AlertId, n.Channel, now, ok, status, error), next, ct);
        metrics.Delivery(ok);
        if (dropped) log.LogWarning("notification for alert {Alert} on channel {Channel} dropped: {Reason}", n.AlertId, n.Channel, error);
        else if (!ok) log.LogWarning("webhook {Channel} failed for alert {Alert} (attempt {Attempt}): {Error}; next try at {Next}", n.Channel, n.AlertId, n.Attempts + 1, error, next);
        return ok;
    }

    public static TimeSpan Backoff(int previousAttempts, MonitoringOptions o) =>
        TimeSpan.FromSeconds(Math.Min(o.MaxRetryDelaySeconds, o.RetryBaseDelaySeconds * Math.Pow(2, Math.Min(previousAttempts, 30))));

    /// <summary>The Model page at the alert's window, when the dashboard's address is configured.</summary>
    public static string? Link(string? dashboardUrl, Alert alert)
    {
        if (string.IsNullOrEmpty(dashboardUrl)) return null;
        var link = $"{dashboardUrl.TrimEnd('/')}/models/{Uri.EscapeDataString(alert.Model)}";
        return alert.Context?.WindowEnd is { } end ? link + "?window=" + Uri.EscapeDataString(end.ToString("O", CultureInfo.InvariantCulture)) : link;
    }

    /// <summary>
    /// The body a webhook receives. JSON: the alert's fields as before, Alertmanager's names where they fit (<c>labels</c>,
    /// <c>annotations</c>, <c>generatorURL</c>, <c>startsAt</c>, <c>endsAt</c>) and the <see cref="AlertContext"/> of the window
    /// that made it fire. Slack: the same, as an incoming-webhook message.
    /// </summary>
    public static object Payload(WebhookOptions hook, Alert alert, NotificationKind kind, string? dashboardUrl = null)
    {
        var status = kind == NotificationKind.Firing ? "firing" : "resolved";
        var link = Link(dashboardUrl, alert);
        var c = alert.Context;
        if (string.Equals(hook.Format, "slack", StringComparison.OrdinalIgnoreCase))
        {
            var emoji = kind == NotificationKind.Resolved ? ":white_check_mark:" : alert.Severity == AlertSeverity.Critical ? ":rotating_light:" : ":warning:";
            var fields = new List<object>
            {
                new { title = "Severity", value = alert.Severity.ToString().ToLowerInvariant(), @short = true },
                new { title = "Fired at", value = alert.FiredAt.ToString("u", CultureInfo.InvariantCulture), @short = true },
            };
            if (c is not null)
            {
                if (c.ModelVersion is { } v) fields.Add(new { title = "Model version", value = v, @short = true });
                if (c.Reference is { } r) fields.Add(new { title = "Reference", value = r.Label, @short = true });
                if (c.WindowEnd is { } end)
                    fields.Add(new { title = "Window", value = $"{c.WindowStart?.ToString("u", CultureInfo.InvariantCulture)} – {end.ToString("u", CultureInfo.InvariantCulture)}, {c.EventCount} events", @short = false });
                if (c.Statistics.Where(s => s.Drifted).ToList() is { Count: > 0 } drifted)
                    fields.Add(new { title = "Triggered by", value = string.Join("; ", drifted.Select(Describe)), @short = false });
                if (c.EmbeddingShareDrifted is { } share)
                    fields.Add(new { title = "Embedding dimensions drifted", value = share.ToString("P0", CultureInfo.InvariantCulture), @short = true });
                if (c.ImageStatistics.Count > 0)
                    fields.Add(new { title = "Image statistics that moved", value = string.Join("; ", c.ImageStatistics.Select(i => $"{i.Feature} {Num(i.ReferenceMean)} → {Num(i.CurrentMean)}")), @short = false });
                if (c.WorstClasses.Count > 0)
                    fields.Add(new { title = "Classes that moved most", value = string.Join("; ", c.WorstClasses.Select(DescribeClass)), @short = false });
                if (c.Accuracy is { } acc)
                    fields.Add(new { title = c.AccuracyEstimated ? "Estimated accuracy" : "Accuracy", value = $"{Num(acc)} vs baseline {Num(c.BaselineAccuracy)}", @short = true });
            }
            return new
            {
                text = $"{emoji} [{status.ToUpperInvariant()}] {alert.Model}: {alert.Summary}" + (link is null ? "" : $" <{link}|open the model>"),
                attachments = new[]
                {
                    new
                    {
                        color = kind == NotificationKind.Resolved ? "good" : alert.Severity == AlertSeverity.Critical ? "danger" : "warning",
                        title = $"{alert.RuleId} on {alert.Model}",
                        title_link = link,
                        text = alert.Detail,
                        fields,
                    },
                },
            };
        }
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["alertname"] = alert.RuleId, ["model"] = alert.Model, ["severity"] = alert.Severity.ToString().ToLowerInvariant(),
        };
        if (c?.ModelVersion is { } version) labels["modelVersion"] = version;
        return new
        {
            version = "1",
            status,
            alertId = alert.Id,
            model = alert.Model,
            rule = alert.RuleId,
            severity = alert.Severity.ToString().ToLowerInvariant(),
            summary = alert.Summary,
            detail = alert.Detail,
            state = alert.State.ToString().ToLowerInvariant(),
            firedAt = alert.FiredAt,
            resolvedAt = alert.ResolvedAt,
            labels,
            annotations = new { summary = alert.Summary, description = alert.Detail },
            generatorURL = link,
            startsAt = alert.FiredAt,
            endsAt = alert.ResolvedAt,
            context = c,
        };
    }

    private static string Num(double? value) => value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "—";

    private static string Describe(AlertStatistic s) =>
        $"{s.Input} {s.Method} {Num(s.Statistic)}" + (s.PValue is { } p ? $" (p {Num(p)} < {Num(s.Threshold)})" : $" (threshold {Num(s.Threshold)})");

    private static string DescribeClass(ClassChange c) =>
        c.Class + (c.ReferenceShare is { } r && c.CurrentShare is { } n ? $" {r.ToString("P0", CultureInfo.InvariantCulture)} → {n.ToString("P0", CultureInfo.InvariantCulture)} of predictions" : "")
        + (c.Recall is { } recall
            ? c.RecallDrop is { } drop && drop > 0 ? $" (recall {Num(recall)}, {Num(drop)} below its {Num(c.BaselineRecall)} baseline)" : $" (recall {Num(recall)})"
            : "");
}
