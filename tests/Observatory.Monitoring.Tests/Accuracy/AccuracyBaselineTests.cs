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
}
