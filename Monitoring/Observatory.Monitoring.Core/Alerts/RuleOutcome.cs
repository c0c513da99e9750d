using Observatory.Monitoring.Contracts;

namespace Observatory.Monitoring.Core.Alerts;

/// <summary>The evaluation of one rule: is its condition met now, and why.</summary>
public sealed record RuleOutcome(AlertRule Rule, bool Active, string Detail);
