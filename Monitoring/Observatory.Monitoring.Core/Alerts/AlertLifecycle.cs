using Observatory.Monitoring.Contracts;

namespace Observatory.Monitoring.Core.Alerts;

/// <summary>
/// The pure state machine of one (model, rule) alert: firing → acknowledged → resolved, deduplicated (a condition that stays
/// true keeps the same alert), with resolve notifications and silences. Returns the new alert (or null) and what to notify.
/// </summary>
public static class AlertLifecycle
{
    public sealed record Transition(Alert? Alert, NotificationRequest? Notification, bool Changed);

    /// <param name="repeatInterval">An alert still firing (not acknowledged, not silenced) is notified again after this long,
    /// as Alertmanager's repeat_interval (4 h by default there); null never repeats.</param>
    public static Transition Apply(Alert? current, RuleOutcome outcome, string model, IEnumerable<Silence> silences, DateTimeOffset now, Func<string> newId,
        TimeSpan? repeatInterval = null)
    {
        var open = current is { State: not AlertState.Resolved } ? current : null;
        var silenceList = silences as IReadOnlyCollection<Silence> ?? silences.ToList();
        if (outcome.Active)
        {
            if (open is not null)
            {
                var updated = open with { Detail = outcome.Detail, LastEvaluatedAt = now };
                var due = repeatInterval is { } every && open.State == AlertState.Firing && now - (open.LastNotifiedAt ?? open.FiredAt) >= every
                    && !silenceList.Any(s => s.Matches(model, outcome.Rule.Id, now));
                return due ? new(updated with { LastNotifiedAt = now }, new NotificationRequest(open.Id, NotificationKind.Firing), false) : new(updated, null, false);
            }
            var silenced = silenceList.Any(s => s.Matches(model, outcome.Rule.Id, now));
            var alert = new Alert
            {
                Id = newId(), Model = model, RuleId = outcome.Rule.Id, Severity = outcome.Rule.Severity,
                Summary = outcome.Rule.Summary, Detail = outcome.Detail, State = AlertState.Firing,
                FiredAt = now, LastEvaluatedAt = now, Silenced = silenced, LastNotifiedAt = silenced ? null : now,
            };
            return new(alert, silenced ? null : new NotificationRequest(alert.Id, NotificationKind.Firing), true);
        }
        if (open is null) return new(current, null, false);
        var resolved = open with { State = AlertState.Resolved, ResolvedAt = now, LastEvaluatedAt = now, Detail = outcome.Detail };
        var mute = open.Silenced || silenceList.Any(s => s.Matches(model, outcome.Rule.Id, now));
        return new(resolved, mute ? null : new NotificationRequest(open.Id, NotificationKind.Resolved), true);
    }

    public static Alert Acknowledge(Alert alert, string by, DateTimeOffset now) => alert.State switch
    {
        AlertState.Firing => alert with { State = AlertState.Acknowledged, AcknowledgedAt = now, AcknowledgedBy = by },
        AlertState.Acknowledged => alert,
        _ => throw new ConflictException($"alert {alert.Id} is resolved and cannot be acknowledged"),
    };

    /// <summary>Manual resolve; if the condition still holds, the next evaluation fires a new alert.</summary>
    public static Alert Resolve(Alert alert, DateTimeOffset now) =>
        alert.State == AlertState.Resolved ? alert : alert with { State = AlertState.Resolved, ResolvedAt = now };
}
