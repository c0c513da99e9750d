using Observatory.Monitoring.Contracts;

namespace Observatory.Monitoring.Core.Accuracy;

/// <summary>
/// The one rule for "accuracy below baseline": the upper end of the 95 % interval of the accuracy a window shows (measured, else
/// estimated) under baseline − tolerance, so that a window with few labels does not page anyone on noise. The service decides it
/// for each accuracy window and the alert rule applies the same test, so the dashboard's health and the alerts agree.
/// </summary>
public static class AccuracyBaseline
{
    /// <summary>How far under its baseline a model's accuracy may fall before it counts as degraded (the default alert rule's tolerance).</summary>
    public const double DefaultTolerance = 0.05;

    // Baselines are typed in as decimals: 0.2 − 0.05 is 0.15000000000000002 in binary, which would flag an accuracy of exactly 0.15.
    // A margin far below any difference of counted accuracies keeps the boundary where a person reads it.
    private const double Rounding = 1e-9;

    /// <summary>
    /// The tolerance a model's windows are flagged with: the smallest among its accuracyBelowBaseline rules (the first line any of
    /// them crosses), or <see cref="DefaultTolerance"/> when it has none — so the dashboard's "below baseline" agrees with its alerts.
    /// </summary>
    public static double WindowTolerance(IEnumerable<AlertRule> rules) =>
        rules.Where(r => r.Kind == AlertRuleKind.AccuracyBelowBaseline).Select(r => (double?)r.Tolerance).Min() ?? DefaultTolerance;

    /// <summary>
    /// The window's verdict: measured accuracy when it has one, else the estimate, each judged by the upper end of its interval. A window
    /// stored before intervals existed has none and is judged by its point value, as it was then.
    /// </summary>
    public static bool? IsWindowBelow(WindowResult window, double? baseline, double tolerance = DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(window);
        var (accuracy, upper) = Shown(window);
        return IsBelow(upper ?? accuracy, baseline, tolerance);
    }

    /// <summary>The accuracy a window shows (measured, else estimated) and the upper end of its interval (null when not stored).</summary>
    public static (double? Accuracy, double? Upper) Shown(WindowResult window) =>
        window.Accuracy is { } a ? (a, window.AccuracyUpper) : window.EstimatedAccuracy is { } e ? (e, window.EstimatedAccuracyUpper) : (null, null);

    /// <summary>True when <paramref name="accuracy"/> (a point, or an interval's upper end) is below <paramref name="baseline"/> − <paramref name="tolerance"/>; null when either is unknown.</summary>
    public static bool? IsBelow(double? accuracy, double? baseline, double tolerance = DefaultTolerance) =>
        accuracy is { } a && baseline is { } b ? a < b - tolerance - Rounding : null;
}
