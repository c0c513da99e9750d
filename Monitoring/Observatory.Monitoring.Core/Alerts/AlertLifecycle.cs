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
        var silencedNow = silenceList.Any(s => s.Matches(model, outcome.Rule.Id, now));
        if (outcome.Active)
        {
            if (open is not null)
            {
                var updated = open with { Detail = outcome.Detail, LastEvaluatedAt = now, Silenced = silencedNow };
                // An alert that fired under a silence was never announced: once the silence ends (expired or removed) it is
                // announced then, as Alertmanager does; otherwise it repeats after the interval.
                var due = open.State == AlertState.Firing && !silencedNow
                    && (NeverAnnounced(open) || repeatInterval is { } every && now - (open.LastNotifiedAt ?? open.FiredAt) >= every);
                return due ? new(updated with { LastNotifiedAt = now }, new NotificationRequest(open.Id, NotificationKind.Firing), false) : new(updated, null, false);
            }
            var alert = new Alert
            {
                Id = newId(), Model = model, RuleId = outcome.Rule.Id, Severity = outcome.Rule.Severity,
                Summary = outcome.Rule.Summary, Detail = outcome.Detail, State = AlertState.Firing,
                FiredAt = now, LastEvaluatedAt = now, Silenced = silencedNow, LastNotifiedAt = silencedNow ? null : now,
            };
            return new(alert, silencedNow ? null : new NotificationRequest(alert.Id, NotificationKind.Firing), true);
        }
        if (open is null) return new(current, null, false);
        // Quiet, but not yet for as many windows as the rule asks: the alert stays open and says how far it has come.
        if (!outcome.MayResolve)
            return new(open with { LastEvaluatedAt = now, Silenced = silencedNow, Detail = $"{outcome.Detail}; resolves after {outcome.Rule.QuietWindowsToResolve} quiet window(s)" }, null, false);
        return Close(open with { LastEvaluatedAt = now, Detail = outcome.Detail }, silenceList, now);
    }

    /// <summary>
    /// Resolves an open alert (by the evaluator, by hand, or because its model was deleted) with its resolve notification, which
    /// is muted while a silence matches or when the firing was never announced (a receiver should not hear of an end it never
    /// heard begin). A resolved alert is returned unchanged, without notification.
    /// </summary>
    public static Transition Close(Alert alert, IEnumerable<Silence> silences, DateTimeOffset now, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (alert.State == AlertState.Resolved) return new(alert, null, false);
        var mute = IsSilenced(alert, silences, now) || NeverAnnounced(alert);
        var resolved = alert with { State = AlertState.Resolved, ResolvedAt = now, Detail = detail ?? alert.Detail, Silenced = mute };
        return new(resolved, mute ? null : new NotificationRequest(alert.Id, NotificationKind.Resolved), true);
    }

    /// <summary>Whether an active silence matches the alert's model and rule at <paramref name="now"/>.</summary>
    public static bool IsSilenced(Alert alert, IEnumerable<Silence> silences, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return silences.Any(s => s.Matches(alert.Model, alert.RuleId, now));
    }

    /// <summary>
    /// The alert as clients should read it: an open alert is silenced exactly while a silence matches it, so a silence created (or
    /// removed) after it fired shows at once, not at the next evaluation. A resolved alert keeps what was recorded.
    /// </summary>
    public static Alert WithSilences(Alert alert, IEnumerable<Silence> silences, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return alert.State == AlertState.Resolved ? alert : alert with { Silenced = IsSilenced(alert, silences, now) };
    }

    // Fired under a silence and not announced since (LastNotifiedAt is set whenever a firing notification is queued).
    private static bool NeverAnnounced(Alert alert) => alert.Silenced && alert.LastNotifiedAt is null;

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
