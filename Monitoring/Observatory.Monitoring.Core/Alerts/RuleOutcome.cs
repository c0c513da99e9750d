using Observatory.Monitoring.Contracts;

namespace Observatory.Monitoring.Core.Alerts;

/// <summary>
/// The evaluation of one rule: is its condition met now, and why. <paramref name="QuietWindows"/> counts the measured windows in
/// a row, newest back, in which the condition did not hold (window rules only; null for rules not measured over windows).
/// </summary>
public sealed record RuleOutcome(AlertRule Rule, bool Active, string Detail, int? QuietWindows = null)
{
    /// <summary>An open alert may resolve: the condition is off, and has been for the windows the rule asks for.</summary>
    public bool MayResolve => !Active && (QuietWindows is not { } quiet || quiet >= Rule.QuietWindowsToResolve);
}
