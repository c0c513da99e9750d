using Observatory.Monitoring.Contracts;

namespace Observatory.Monitoring.Core.Alerts;

public enum NotificationKind { Firing, Resolved }

/// <summary>A notification to deliver for an alert transition (the delivery job sends and retries it).</summary>
public sealed record NotificationRequest(string AlertId, NotificationKind Kind);

/// <summary>When a silence mutes an alert's notifications.</summary>
public static class SilenceMatching
{
    public static bool Matches(this Silence silence, string model, string ruleId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(silence);
        return now >= silence.StartsAt && now < silence.EndsAt && silence.Model == model && (silence.RuleId is null || silence.RuleId == ruleId);
    }
}
