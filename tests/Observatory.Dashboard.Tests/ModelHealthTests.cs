using Observatory.Dashboard.Services;

namespace Observatory.Dashboard.Tests;

/// <summary>A model's health reads the service's verdicts; the dashboard no longer compares accuracy with the baseline itself.</summary>
public sealed class ModelHealthTests
{
    private static AccuracyPoint Accuracy(double accuracy, bool? below) =>
        new(DateTime.UnixEpoch, 100, accuracy, false, 0.9) { BelowBaseline = below };

    [Fact]
    public void Health_IsDegraded_WhenTheServiceFlaggedAccuracyBelowBaseline() =>
        Assert.Equal(Health.Degraded, ModelStatus.Of([], null, Accuracy(0.5, true)));

    [Fact]
    public void Health_IsOk_WhenTheServiceDidNotFlagIt_WhateverTheNumbers()
    {
        // 0.5 is far under the 0.9 baseline, but without the service's flag (e.g. a result stored before it existed) it is not a verdict.
        Assert.Equal(Health.Ok, ModelStatus.Of([], null, Accuracy(0.5, null)));
        Assert.Equal(Health.Ok, ModelStatus.Of([], null, Accuracy(0.5, false)));
    }

    [Fact]
    public void AccuracyPoint_TakesTheFlagFromTheServicesWindow()
    {
        var run = new Observatory.Monitoring.Contracts.AccuracyRun(
            new Observatory.Monitoring.Contracts.WindowResult { Model = "m", Accuracy = 0.84, AccuracyBelowBaseline = true }, 100, null, 0.9, 0, null);
        var listed = new Observatory.Monitoring.Contracts.AccuracyWindowResult(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1), 100, true, 0.84, DateTimeOffset.UnixEpoch, run);

        Assert.True(AccuracyPoint.From(listed).BelowBaseline);
    }
}
