using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Drift;

namespace Observatory.Monitoring.Tests.Drift;

public sealed class DriftRunsTests
{
    private static readonly WindowResult Window = new() { Model = "m", WindowStart = DateTimeOffset.UnixEpoch, WindowEnd = DateTimeOffset.UnixEpoch.AddHours(1), EventCount = 200 };

    private static List<double> Uniform(int n, int seed, double shift = 0)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => Math.Clamp(0.5 + shift + 0.4 * (rng.NextDouble() - 0.5), 0, 1)).ToList();
    }

    [Theory]
    [InlineData(500, DriftMethodNames.Ks, DriftMethodNames.ChiSquare)]
    [InlineData(1000, DriftMethodNames.Ks, DriftMethodNames.ChiSquare)]
    [InlineData(1001, DriftMethodNames.Wasserstein, DriftMethodNames.JensenShannon)]
    public void Create_DecidesEachReportByTheMethodItsReferenceSizeCalls(int referenceRows, string numeric, string categorical)
    {
        var confidence = DriftRunner.RunNumeric(Uniform(referenceRows, 1), Uniform(200, 2, 0.02));
        var rng = new Random(3);
        var prediction = DriftRunner.RunCategorical(Enumerable.Range(0, referenceRows).Select(_ => rng.Next(3)).ToList(), Enumerable.Range(0, 200).Select(_ => rng.Next(3)).ToList());

        var run = DriftRuns.Create(Window, null, prediction, confidence, null, null, null, null);

        Assert.Equal(numeric, run.Confidence!.VerdictMethod);
        Assert.Equal(confidence.Methods.Single(m => m.Method == numeric).Drifted, run.Confidence.Drifted);
        Assert.Equal(run.Confidence.Drifted, run.Window.ConfidenceDrift);
        Assert.Equal(categorical, run.Prediction!.VerdictMethod);
        Assert.Equal(prediction.Methods.Single(m => m.Method == categorical).Drifted, run.Window.PredictionDrift);
        Assert.Null(run.Window.EmbeddingDrift);
    }

    [Fact]
    public void Create_CarriesTheClassSharesOfThePredictionReport()
    {
        var prediction = DriftRunner.RunCategorical([0, 0, 0, 1], [1, 1, 2, 2]);

        var run = DriftRuns.Create(Window, null, prediction, null, null, null, null, null);

        Assert.Equal([new ClassShare(0, 0.75, 0), new ClassShare(1, 0.25, 0.5), new ClassShare(2, 0, 0.5)], run.ClassShares);
    }

    [Fact]
    public void Create_MarksOnlyTheImageFeaturesThatMoved_AndTheEmbeddingShareDrifted()
    {
        var rng = new Random(5);
        double[] Row(double shift) => [rng.NextDouble() + shift, rng.NextDouble(), rng.NextDouble()];
        var reference = DataMatrix.FromRows(Enumerable.Range(0, 300).Select(_ => Row(0)).ToList());
        var current = DataMatrix.FromRows(Enumerable.Range(0, 300).Select(_ => Row(0.5)).ToList());
        var statistics = DriftRunner.Run(reference, current, [DriftMethodNames.Ks, DriftMethodNames.Wasserstein]);
        var embedding = DriftRunner.Run(reference, current, [DriftMethodNames.Ks]);

        var run = DriftRuns.Create(Window, embedding, null, null, statistics, ["brightness", "contrast", "sharpness"], null, null);

        Assert.Equal(["brightness", "contrast", "sharpness"], run.ImageFeatures!.Select(f => f.Feature));
        Assert.Equal([true, false, false], run.ImageFeatures!.Select(f => f.Moved));
        Assert.All(run.ImageFeatures!, f => Assert.NotNull(f.Wasserstein));
        Assert.True(run.Window.ImageStatisticsDrift);
        Assert.Equal(1.0 / 3, run.EmbeddingShareDrifted!.Value, 9);
        Assert.True(run.Window.EmbeddingDrift);
    }

    [Fact]
    public void Create_GivesEachImageFeatureTheMeansOfEveryRowOfBothSides()
    {
        // Brightness 0.30…0.49 in the reference and 0.55…0.74 in the window; contrast the same on both sides.
        var reference = Enumerable.Range(0, 20).Select(i => new[] { 0.30 + 0.01 * i, 0.2 }).ToList();
        var current = Enumerable.Range(0, 20).Select(i => new[] { 0.55 + 0.01 * i, 0.2 }).ToList();
        var statistics = DriftRunner.Run(DataMatrix.FromRows(reference), DataMatrix.FromRows(current), [DriftMethodNames.Ks, DriftMethodNames.Wasserstein]);

        var run = DriftRuns.Create(Window, null, null, null, statistics, ["brightness", "contrast"], null, null, ImageFeatureMeans.Of(reference, current));

        var brightness = run.ImageFeatures!.Single(f => f.Feature == "brightness");
        Assert.Equal((0.30 + 0.49) / 2, brightness.ReferenceMean!.Value, 9);
        Assert.Equal((0.55 + 0.74) / 2, brightness.CurrentMean!.Value, 9);
        Assert.True(brightness.Moved);
        var contrast = run.ImageFeatures!.Single(f => f.Feature == "contrast");
        Assert.Equal(0.2, contrast.ReferenceMean!.Value, 9);
        Assert.Equal(0.2, contrast.CurrentMean!.Value, 9);
    }

    [Fact]
    public void Create_WithoutMeans_LeavesThemUnknown()
    {
        var rows = Enumerable.Range(0, 20).Select(i => new[] { 0.01 * i }).ToList();
        var statistics = DriftRunner.Run(DataMatrix.FromRows(rows), DataMatrix.FromRows(rows), [DriftMethodNames.Ks, DriftMethodNames.Wasserstein]);

        var run = DriftRuns.Create(Window, null, null, null, statistics, ["brightness"], null, null);

        Assert.Null(run.ImageFeatures!.Single().ReferenceMean);
        Assert.Null(run.ImageFeatures!.Single().CurrentMean);
    }

    [Fact]
    public void Compact_LeavesOutLongDetailArrays_AndKeepsScalarsShortArraysAndVerdicts()
    {
        var rng = new Random(9);
        var wide = DataMatrix.FromRows(Enumerable.Range(0, 50).Select(_ => Enumerable.Range(0, 40).Select(_ => rng.NextDouble()).ToArray()).ToList());
        var embedding = DriftRunner.Run(wide, wide, [DriftMethodNames.Ks]);
        var run = DriftRuns.Create(Window, embedding, null, null, null, null, null, null);

        var compact = run.Compact(32);

        var details = compact.Embedding!.Methods.Single().Details!;
        Assert.False(details.ContainsKey("p_values"));
        Assert.True(run.Embedding!.Methods.Single().Details!.ContainsKey("p_values"));
        Assert.Equal(0, details["share_drifted_bonferroni"].GetDouble());
        Assert.True(details.ContainsKey("drifted_dimensions_bonferroni"));
        Assert.Equal(run.EmbeddingShareDrifted, compact.EmbeddingShareDrifted);
        Assert.Equal(run.Embedding.Drifted, compact.Embedding.Drifted);
    }
}
