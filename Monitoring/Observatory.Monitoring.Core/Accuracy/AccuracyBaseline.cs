namespace Observatory.Monitoring.Core.Accuracy;

/// <summary>
/// The one rule for "accuracy below baseline": the accuracy a window shows (measured, else estimated) under baseline − tolerance.
/// The service decides it for each accuracy window and for the alert rule, so the dashboard's health and the alerts agree.
/// </summary>
public static class AccuracyBaseline
{
    /// <summary>How far under its baseline a model's accuracy may fall before it counts as degraded (the default alert rule's tolerance).</summary>
    public const double DefaultTolerance = 0.05;

    // Baselines are typed in as decimals: 0.2 − 0.05 is 0.15000000000000002 in binary, which would flag an accuracy of exactly 0.15.
    // A margin far below any difference of counted accuracies keeps the boundary where a person reads it.
    private const double Rounding = 1e-9;

    /// <summary>True when <paramref name="accuracy"/> is below <paramref name="baseline"/> − <paramref name="tolerance"/>; null when either is unknown.</summary>
    public static bool? IsBelow(double? accuracy, double? baseline, double tolerance = DefaultTolerance) =>
        accuracy is { } a && baseline is { } b ? a < b - tolerance - Rounding : null;
}
