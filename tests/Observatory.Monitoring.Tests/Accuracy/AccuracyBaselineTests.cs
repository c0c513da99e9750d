using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Accuracy;
using Observatory.Monitoring.Core.Alerts;

namespace Observatory.Monitoring.Tests.Accuracy;

public sealed class AccuracyBaselineTests
{
    [Theory]
    [InlineData(0.9, 0.85)]
    [InlineData(0.2, 0.15)] // 0.2 − 0.05 is 0.15000000000000002 in binary
    [InlineData(0.95, 0.9)]
    [InlineData(1.0, 0.95)]
    public void IsBelow_AtExactlyBaselineMinusTolerance_IsFalse(double baseline, double accuracy) =>
        Assert.False(AccuracyBaseline.IsBelow(accuracy, baseline));

    [Theory]
    [InlineData(0.9, 0.8499)]
    [InlineData(0.9, 0.849999)]
    [InlineData(0.2, 0.1499)]
    [InlineData(0.9, 0.5)]
    public void IsBelow_JustUnderBaselineMinusTolerance_IsTrue(double baseline, double accuracy) =>
        Assert.True(AccuracyBaseline.IsBelow(accuracy, baseline));

    [Fact]
    public void IsBelow_AboveTheBaselineOrWithinTheTolerance_IsFalse()
    {
        Assert.False(AccuracyBaseline.IsBelow(0.95, 0.9));
        Assert.False(AccuracyBaseline.IsBelow(0.86, 0.9));
    }

    [Fact]
    public void IsBelow_WithoutABaselineOrAnAccuracy_IsUnknown()
    {
        Assert.Null(AccuracyBaseline.IsBelow(0.5, null));
        Assert.Null(AccuracyBaseline.IsBelow(null, 0.9));
    }

    [Fact]
    public void DefaultTolerance_IsFivePoints_AsTheDefaultAlertRule()
    {
        Assert.Equal(0.05, AccuracyBaseline.DefaultTolerance);
        Assert.Equal(AccuracyBaseline.DefaultTolerance, AlertRule.Defaults.Single(r => r.Kind == AlertRuleKind.AccuracyBelowBaseline).Tolerance);
    }

    [Fact]
    public void IsBelow_TakesAnotherTolerance()
    {
        Assert.False(AccuracyBaseline.IsBelow(0.8, 0.9, tolerance: 0.1));
        Assert.True(AccuracyBaseline.IsBelow(0.79, 0.9, tolerance: 0.1));
    }

    [Theory]
    [InlineData(0.85, false)]
    [InlineData(0.8499, true)]
    public void AccuracyRule_FiresOnTheSameBoundary(double accuracy, bool fires)
    {
        var rule = AlertRule.Defaults.Single(r => r.Kind == AlertRuleKind.AccuracyBelowBaseline);
        var history = new[] { new WindowResult { Model = "m", Accuracy = accuracy } };

        var outcome = AlertRuleEvaluator.Evaluate(rule, history, 0.9, null, DateTimeOffset.UnixEpoch);

        Assert.Equal(fires, outcome.Active);
    }

    private static WindowResult Measured(int correct, int count)
    {
        var interval = AccuracyInterval.ClopperPearson(correct, count);
        return new WindowResult { Model = "m", Accuracy = (double)correct / count, AccuracyLower = interval.Lower, AccuracyUpper = interval.Upper };
    }

    private static RuleOutcome Evaluate(WindowResult window) =>
        AlertRuleEvaluator.Evaluate(AlertRule.Defaults.Single(r => r.Kind == AlertRuleKind.AccuracyBelowBaseline), [window], 0.9, null, DateTimeOffset.UnixEpoch);

    [Theory]
    [InlineData(8, 12)] // 66.7 %, 95 % interval [0.349, 0.901]
    [InlineData(9, 12)] // 75 %, [0.428, 0.945]
    public void AccuracyRule_TwelveLabelsAtSeventyPercent_DoesNotFire(int correct, int count)
    {
        var window = Measured(correct, count);

        Assert.False(Evaluate(window).Active);
        Assert.False(AccuracyBaseline.IsWindowBelow(window, 0.9));
        // The point alone would have fired: the interval is what holds it back.
        Assert.True(AccuracyBaseline.IsBelow(window.Accuracy, 0.9));
    }

    [Fact]
    public void AccuracyRule_FourHundredLabelsAtSeventyPercent_Fires()
    {
        var window = Measured(280, 400); // 70 %, 95 % interval [0.652, 0.745]

        var outcome = Evaluate(window);

        Assert.True(outcome.Active);
        Assert.True(AccuracyBaseline.IsWindowBelow(window, 0.9));
        Assert.Contains("95 % interval up to 0.745", outcome.Detail);
    }

    [Fact]
    public void AccuracyRule_OnAnEstimate_JudgesTheUpperEndOfItsBand()
    {
        var wide = new WindowResult { Model = "m", EstimatedAccuracy = 0.7, EstimatedAccuracyLower = 0.5, EstimatedAccuracyUpper = 0.9 };
        var narrow = wide with { EstimatedAccuracyLower = 0.68, EstimatedAccuracyUpper = 0.72 };

        Assert.False(Evaluate(wide).Active);
        Assert.False(AccuracyBaseline.IsWindowBelow(wide, 0.9));
        Assert.True(Evaluate(narrow).Active);
        Assert.True(AccuracyBaseline.IsWindowBelow(narrow, 0.9));
    }

    [Fact]
    public void AccuracyRule_OnAWindowStoredWithoutAnInterval_JudgesItsPoint()
    {
        // Results stored before intervals existed read back with null bounds; they keep the verdict they had.
        Assert.True(Evaluate(new WindowResult { Model = "m", Accuracy = 0.84 }).Active);
        Assert.False(Evaluate(new WindowResult { Model = "m", Accuracy = 0.86 }).Active);
        Assert.True(AccuracyBaseline.IsWindowBelow(new WindowResult { Model = "m", EstimatedAccuracy = 0.84 }, 0.9));
    }

    [Fact]
    public void AccuracyRule_MeasuredAccuracyWins_OverAnEstimateBelowTheLine()
    {
        var window = Measured(9, 12) with { EstimatedAccuracy = 0.5, EstimatedAccuracyLower = 0.45, EstimatedAccuracyUpper = 0.55 };

        Assert.False(Evaluate(window).Active);
        Assert.False(AccuracyBaseline.IsWindowBelow(window, 0.9));
    }
}
