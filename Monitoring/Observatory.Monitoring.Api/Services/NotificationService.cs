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
                using var response = await client.PostAsJsonAsync(hook.Url, Payload(hook, alert, n.Kind), timeout.Token);
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

    public static object Payload(WebhookOptions hook, Alert alert, NotificationKind kind)
    {
        var status = kind == NotificationKind.Firing ? "firing" : "resolved";
        if (string.Equals(hook.Format, "slack", StringComparison.OrdinalIgnoreCase))
        {
            var emoji = kind == NotificationKind.Resolved ? ":white_check_mark:" : alert.Severity == AlertSeverity.Critical ? ":rotating_light:" : ":warning:";
            return new
            {
                text = $"{emoji} [{status.ToUpperInvariant()}] {alert.Model}: {alert.Summary}",
                attachments = new[]
                {
                    new
                    {
                        color = kind == NotificationKind.Resolved ? "good" : alert.Severity == AlertSeverity.Critical ? "danger" : "warning",
                        title = $"{alert.RuleId} on {alert.Model}",
                        text = alert.Detail,
                        fields = new[]
                        {
                            new { title = "Severity", value = alert.Severity.ToString().ToLowerInvariant(), @short = true },
                            new { title = "Fired at", value = alert.FiredAt.ToString("u", CultureInfo.InvariantCulture), @short = true },
                        },
                    },
                },
            };
        }
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
        };
    }
}
