using Observatory.Monitoring.Core.Accuracy;

namespace Observatory.Monitoring.Tests.Accuracy;

public sealed class ClassificationMetricsTests
{
    // Expected values from scikit-learn 1.2.1: accuracy_score, f1_score(average="macro"), recall_score(average=None), confusion_matrix.
    private static readonly int[] Truth = [0, 0, 0, 1, 1, 1, 1, 2, 2, 0, 1, 2];
    private static readonly int[] Predicted = [0, 1, 0, 1, 1, 2, 1, 2, 0, 0, 1, 1];

    [Fact]
    public void Compute_MatchesScikitLearn()
    {
        var m = ClassificationMetrics.Compute(Truth, Predicted, 3);
        Assert.Equal(0.6666666666666666, m.Accuracy, 12);
        Assert.Equal(0.6257575757575756, m.MacroF1, 12);
        Assert.Equal(0.75, m.Recall[0]!.Value, 12);
        Assert.Equal(0.8, m.Recall[1]!.Value, 12);
        Assert.Equal(0.3333333333333333, m.Recall[2]!.Value, 12);
        Assert.Equal([3L, 1, 0], m.Confusion[0]);
        Assert.Equal([0L, 4, 1], m.Confusion[1]);
        Assert.Equal([1L, 1, 1], m.Confusion[2]);
    }

    [Fact]
    public void Compute_WhenAClassNeverOccurs_AveragesF1OverPresentLabelsAsScikitLearn()
    {
        var m = ClassificationMetrics.Compute([0, 0, 1, 1], [0, 1, 1, 1], 4);
        Assert.Equal(0.7333333333333334, m.MacroF1, 12);
        Assert.Null(m.Recall[3]);
    }

    [Fact]
    public void Compute_WhenNoEvents_AccuracyIsNaN()
    {
        var m = ClassificationMetrics.Compute([], [], 2);
        Assert.True(double.IsNaN(m.Accuracy));
    }
}
