using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Alerts;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Services;

/// <summary>Evaluates a model's rules over its stored results and applies the alert lifecycle; notifications are queued in the same transaction.</summary>
public sealed class AlertService(IMonitoringStore store, IOptions<MonitoringOptions> options, [FromKeyedServices(MonitoringHost.ClockKey)] TimeProvider time)
{
    private const int History = 50;

    public async Task<IReadOnlyList<Alert>> EvaluateAsync(string modelName, CancellationToken ct)
    {
        var model = await store.GetModelAsync(modelName, ct);
        if (model is null) return [];
        var now = time.GetUtcNow();
        var (history, latestDrift, latestAccuracy) = await HistoryAsync(model.Name, ct);
        var lastEvent = await store.LastEventAtAsync(model.Name, ct);
        var silences = await store.ListSilencesAsync(model.Name, now, ct);
        var channels = Channels;
        var changed = new List<Alert>();
        foreach (var rule in model.AlertRules)
        {
            var outcome = AlertRuleEvaluator.Evaluate(rule, history, model.BaselineAccuracy, lastEvent, now, model.ClassBaselines);
            var current = await store.GetOpenAlertAsync(model.Name, rule.Id, ct);
            var repeat = options.Value.RepeatIntervalHours > 0 ? TimeSpan.FromHours(options.Value.RepeatIntervalHours) : (TimeSpan?)null;
            var t = AlertLifecycle.Apply(current, outcome, model.Name, silences, now, () => Guid.NewGuid().ToString("N"), repeat);
            if (t.Alert is null || (!t.Changed && current is null)) continue;
            // The context is the window that made the alert fire, taken when it fires; later windows do not rewrite it.
            if (current is null && t.Alert.State == AlertState.Firing)
                t = t with { Alert = t.Alert with { Context = AlertContexts.For(rule, model,
                    latestDrift is null ? null : StoredResults.ReadDrift(latestDrift), latestAccuracy is null ? null : StoredResults.ReadAccuracy(latestAccuracy)) } };
            await store.SaveAlertAsync(t.Alert, t.Notification, channels, now, ct);
            if (t.Changed) changed.Add(t.Alert);
        }
        return changed;
    }

    /// <summary>
    /// Drift and accuracy results merged in window order (each carries only what it measured), and the newest stored result of
    /// each kind: the full run an alert that fires now is described by, read from the same rows.
    /// </summary>
    private async Task<(List<WindowResult> History, StoredResult? LatestDrift, StoredResult? LatestAccuracy)> HistoryAsync(string model, CancellationToken ct)
    {
        var all = new List<(DateTimeOffset At, WindowResult W)>();
        var drift = await store.ListResultsAsync(model, StoredResults.Drift, History, ct);
        var accuracy = await store.ListResultsAsync(model, StoredResults.Accuracy, History, ct);
        foreach (var r in drift.Concat(accuracy))
            if (StoredResults.ReadWindow(r) is { } w) all.Add((r.CreatedAt, w));
        return (all.OrderBy(x => x.At).Select(x => x.W).ToList(), drift.LastOrDefault(), accuracy.LastOrDefault());
    }

    public async Task<Alert?> AcknowledgeAsync(string id, string by, CancellationToken ct)
    {
        var alert = await store.GetAlertAsync(id, ct);
        if (alert is null) return null;
        var updated = AlertLifecycle.Acknowledge(alert, by, time.GetUtcNow());
        await store.SaveAlertAsync(updated, null, [], time.GetUtcNow(), ct, replacing: alert);
        return updated;
    }

    public async Task<Alert?> ResolveAsync(string id, CancellationToken ct)
    {
        var alert = await store.GetAlertAsync(id, ct);
        if (alert is null) return null;
        var now = time.GetUtcNow();
        var t = AlertLifecycle.Close(alert, await store.ListSilencesAsync(alert.Model, now, ct), now);
        if (t.Changed) await store.SaveAlertAsync(t.Alert!, t.Notification, Channels, now, ct, replacing: alert);
        return t.Alert;
    }

    /// <summary>
    /// Resolves every open alert of a model that was just deleted (nothing would ever resolve them, and they would link to a model
    /// that no longer exists). Each sends the one resolve notification a resolved alert sends. Returns how many were resolved.
    /// </summary>
    public async Task<int> ResolveForDeletedModelAsync(string model, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var silences = await store.ListSilencesAsync(model, now, ct);
        var resolved = 0;
        // At most one open alert per (model, rule): a model's open alerts are few.
        var open = new List<Alert>();
        foreach (var state in new[] { AlertState.Firing, AlertState.Acknowledged })
            open.AddRange(await store.ListAlertsAsync(model, state, 1000, ct));
        foreach (var listed in open)
        {
            // An evaluation that started before the deletion may still save the alert: read it again and retry on conflict.
            for (var alert = listed; alert is { State: not AlertState.Resolved };)
            {
                var t = AlertLifecycle.Close(alert, silences, now, $"resolved: model '{model}' was deleted");
                try
                {
                    await store.SaveAlertAsync(t.Alert!, t.Notification, Channels, now, ct, replacing: alert);
                    resolved++;
                    break;
                }
                catch (ConflictException) { alert = await store.GetAlertAsync(alert.Id, ct); }
            }
        }
        return resolved;
    }

    /// <summary>The open alerts as clients read them: silenced while an active silence matches.</summary>
    public async Task<IReadOnlyList<Alert>> WithSilencesAsync(IReadOnlyList<Alert> alerts, CancellationToken ct)
    {
        if (!alerts.Any(a => a.State != AlertState.Resolved)) return alerts;
        var now = time.GetUtcNow();
        var silences = await store.ListSilencesAsync(null, now, ct);
        return alerts.Select(a => AlertLifecycle.WithSilences(a, silences, now)).ToList();
    }

    private List<string> Channels => options.Value.Webhooks.Select(w => w.Name).ToList();
}
