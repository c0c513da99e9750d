using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Drift;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Tests.Ports;

public sealed class StoredResultsTests
{
    private static readonly DateTimeOffset T = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static StoredResult Stored(string kind, string json) => new("m", kind, T, T.AddHours(1), 10, false, null, json, T);

    [Fact]
    public void ADriftRun_ReadsBackAsWritten()
    {
        var confidence = DriftRunner.RunNumeric([0.1, 0.2, 0.3, 0.4, 0.5], [0.6, 0.7, 0.8, 0.9, 1.0]);
        var run = DriftRuns.Create(new WindowResult { Model = "m", WindowStart = T, WindowEnd = T.AddHours(1), EventCount = 5 }, null, null, confidence, null, null,
            Histogram.OfUnitInterval([0.1, 0.2], [0.9]), "a note");

        var read = StoredResults.ReadDrift(Stored(StoredResults.Drift, StoredResults.Serialize(run)));

        Assert.Equal(run.Window, read.Window);
        Assert.Equal(run.Confidence!.VerdictMethod, read.Confidence!.VerdictMethod);
        Assert.Equal(run.Confidence.Methods.Select(m => (m.Method, m.Statistic, m.Drifted)), read.Confidence.Methods.Select(m => (m.Method, m.Statistic, m.Drifted)));
        Assert.Equal(run.ConfidenceHistogram!.Current, read.ConfidenceHistogram!.Current);
        Assert.Equal("a note", read.Note);
        Assert.Equal(run.Window, StoredResults.ReadWindow(Stored(StoredResults.Drift, StoredResults.Serialize(run))));
    }

    [Fact]
    public void AnAccuracyRun_ReadsBackWithWhatItShows()
    {
        var run = new AccuracyRun(new WindowResult { Model = "m", EstimatedAccuracy = 0.8 }, 0, null, 0.9, 40, "estimate only");

        var read = StoredResults.ReadAccuracy(Stored(StoredResults.Accuracy, StoredResults.Serialize(run)));

        Assert.Equal(0.8, read.Shown);
        Assert.True(read.Estimated);
        Assert.Equal(0.9, read.BaselineAccuracy);
    }

    [Fact]
    public void AccuracyIntervals_ReadBackAsWritten_AndAreUnknownInOlderResults()
    {
        var run = new AccuracyRun(new WindowResult
        {
            Model = "m", Accuracy = 0.7, AccuracyLower = 0.65, AccuracyUpper = 0.74, EstimatedAccuracy = 0.72, EstimatedAccuracyLower = 0.7, EstimatedAccuracyUpper = 0.73,
        }, 400, null, 0.9, 40, null);

        var read = StoredResults.ReadAccuracy(Stored(StoredResults.Accuracy, StoredResults.Serialize(run))).Window;
        var older = StoredResults.ReadAccuracy(Stored(StoredResults.Accuracy, """{"window":{"accuracy":0.7,"estimatedAccuracy":0.72},"labelled":400}""")).Window;

        Assert.Equal(run.Window, read);
        Assert.Equal(0.7, older.Accuracy);
        Assert.Null(older.AccuracyLower);
        Assert.Null(older.AccuracyUpper);
        Assert.Null(older.EstimatedAccuracyLower);
        Assert.Null(older.EstimatedAccuracyUpper);
    }

    [Fact]
    public void AResultMissingFields_ReadsThemAsNotMeasured()
    {
        var read = StoredResults.ReadDrift(Stored(StoredResults.Drift, """{"window":{"eventCount":17}}"""));

        Assert.Equal(17, read.Window.EventCount);
        Assert.Null(read.Window.EmbeddingDrift);
        Assert.Null(read.Embedding);
    }

    [Fact]
    public void ImageFeatureMeansAndTheBaselineFlag_ReadBackAsWritten_AndAreUnknownInOlderResults()
    {
        var rows = Enumerable.Range(0, 20).Select(i => new[] { 0.01 * i }).ToList();
        var statistics = DriftRunner.Run(DataMatrix.FromRows(rows), DataMatrix.FromRows(rows), [DriftMethodNames.Ks, DriftMethodNames.Wasserstein]);
        var run = DriftRuns.Create(new WindowResult { Model = "m" }, null, null, null, statistics, ["brightness"], null, null,
            new ImageFeatureMeans([0.41], [0.62]));
        var accuracy = new AccuracyRun(new WindowResult { Model = "m", Accuracy = 0.5, AccuracyBelowBaseline = true }, 10, null, 0.9, 0, null);

        var verdict = StoredResults.ReadDrift(Stored(StoredResults.Drift, StoredResults.Serialize(run))).ImageFeatures!.Single();
        var older = StoredResults.ReadDrift(Stored(StoredResults.Drift,
            """{"window":{"eventCount":17},"imageFeatures":[{"feature":"brightness","ksStatistic":0.5,"moved":true}]}""")).ImageFeatures!.Single();

        Assert.Equal((0.41, 0.62), (verdict.ReferenceMean, verdict.CurrentMean));
        Assert.True(StoredResults.ReadAccuracy(Stored(StoredResults.Accuracy, StoredResults.Serialize(accuracy))).Window.AccuracyBelowBaseline);
        Assert.Equal((null, null), (older.ReferenceMean, older.CurrentMean));
        Assert.True(older.Moved);
    }

    [Fact]
    public void ReadingAResultAsTheOtherKind_Fails()
    {
        var error = Assert.Throws<ArgumentException>(() => StoredResults.ReadAccuracy(Stored(StoredResults.Drift, "{}")));
        Assert.Contains("drift result", error.Message);
    }
}
