using Observatory.Monitoring.Core.Drift;
using static Observatory.Monitoring.Tests.Drift.DriftFixtures;

namespace Observatory.Monitoring.Tests.Drift;

public sealed class DomainClassifierTests
{
    [Fact]
    public void LogisticRegression_ConvergesToSklearnSolution()
    {
        var x = Load("logreg_x");
        var y = Column(Load("logreg_y"), 0).Select(v => (int)v).ToArray();
        var model = LogisticRegression.Fit(x, y, c: 1.0);
        var coef = Array("logreg", "coef");
        for (var j = 0; j < coef.Length; j++) Close(coef[j], model.Weights[j], 1e-6, 1e-8, $"coef[{j}]");
        Close(Number("logreg", "intercept"), model.Intercept, 1e-6, 1e-8, "intercept");
    }

    [Fact]
    public void RocAuc_WithTiedScores_MatchesSklearn()
    {
        var scores = Column(Load("auc_scores"), 0);
        var labels = Column(Load("auc_labels"), 0).Select(v => (int)v).ToArray();
        Close(Number("logreg", "auc_scores_labels"), RocAuc.Compute(scores, labels), 1e-12, 0, "auc");
    }

    [Fact]
    public void RocAuc_PerfectAndInvertedRankings_AreOneAndZero()
    {
        Assert.Equal(1.0, RocAuc.Compute([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]));
        Assert.Equal(0.0, RocAuc.Compute([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]));
        Assert.Equal(0.5, RocAuc.Compute([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]));
    }

    [Fact]
    public void Test_WhenMeansDiffer_AucIsHigh()
    {
        var r = MmdTests.Gaussian(400, 5, 0.0, 21);
        var c = MmdTests.Gaussian(400, 5, 0.6, 22);
        Assert.True(DomainClassifier.Test(r, c, 42).RocAuc > 0.75);
    }

    [Fact]
    public void Test_WhenSameDistribution_AucNearHalf()
    {
        var r = MmdTests.Gaussian(500, 5, 0.0, 31);
        var c = MmdTests.Gaussian(500, 5, 0.0, 32);
        Assert.InRange(DomainClassifier.Test(r, c, 42).RocAuc, 0.42, 0.58);
    }
}
