namespace Observatory.Monitoring.Contracts;

public enum AlertState { Firing, Acknowledged, Resolved }

/// <summary>An alert instance; at most one unresolved alert exists per (model, rule).</summary>
public sealed record Alert
{
    public required string Id { get; init; }
    public required string Model { get; init; }
    public required string RuleId { get; init; }
    public required AlertSeverity Severity { get; init; }
    public required string Summary { get; init; }
    public string Detail { get; init; } = "";
    public AlertState State { get; init; }
    public DateTimeOffset FiredAt { get; init; }
    public DateTimeOffset? AcknowledgedAt { get; init; }
    public string? AcknowledgedBy { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    public DateTimeOffset LastEvaluatedAt { get; init; }

    /// <summary>When a firing notification was last queued (for Alertmanager's repeat interval).</summary>
    public DateTimeOffset? LastNotifiedAt { get; init; }

    /// <summary>
    /// An open alert: a silence matches it now (the service reads it against the active silences), so no notification is sent.
    /// A resolved alert: its resolve notification was muted.
    /// </summary>
    public bool Silenced { get; init; }

    /// <summary>The window that made the alert fire, as it was then (null for rules not measured over windows, and in older alerts).</summary>
    public AlertContext? Context { get; init; }
}

/// <summary>Mutes notifications for a model (and optionally one rule) until it expires; alerts are still recorded.</summary>
public sealed record Silence
{
    public required string Id { get; init; }
    public required string Model { get; init; }
    public string? RuleId { get; init; }
    public required DateTimeOffset StartsAt { get; init; }
    public required DateTimeOffset EndsAt { get; init; }
    public string Comment { get; init; } = "";
    public string CreatedBy { get; init; } = "";
}
