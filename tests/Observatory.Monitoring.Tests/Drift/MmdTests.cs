using Observatory.Monitoring.Core.Drift;
using static Observatory.Monitoring.Tests.Drift.DriftFixtures;

namespace Observatory.Monitoring.Tests.Drift;

public sealed class MmdTests
{
    [Fact]
    public void Unbiased_AtFixedBandwidth_MatchesNumpy()
    {
        var r = Load("mmd_ref");
        var c = Load("mmd_cur");
        Close(Number("mmd", "mmd2"), Mmd.Unbiased(r, c, Number("mmd", "sigma")), 1e-9, 1e-14, "mmd2");
    }

    [Fact]
    public void MedianHeuristic_MatchesAlibiSigmaMedianOnReferencePairs()
    {
        var r = Load("mmd_ref");
        Close(Number("mmd", "sigma_median"), Mmd.MedianHeuristicSigma(r), 1e-12, 0, "sigma");
    }

    [Fact]
    public void Test_ReportsObservedStatisticWithMedianBandwidth()
    {
        var t = Mmd.Test(Load("mmd_ref"), Load("mmd_cur"), 100, 42, null, CancellationToken.None);
        Close(Number("mmd", "mmd2_at_sigma_median"), t.Mmd2, 1e-9, 1e-14, "mmd2");
        Close(Number("mmd", "sigma_median"), t.Sigma, 1e-12, 0, "sigma");
        Assert.Equal((1.0 + t.PermutationsAtLeastObserved) / 101.0, t.PValue);
    }

    [Fact]
    public void Test_WhenClearlyShifted_GivesSmallestPossiblePValue()
    {
        var r = Gaussian(150, 3, 0.0, seed: 1);
        var c = Gaussian(150, 3, 1.0, seed: 2);
        var t = Mmd.Test(r, c, 100, 7, null, CancellationToken.None);
        Assert.Equal(0, t.PermutationsAtLeastObserved);
        Assert.Equal(1.0 / 101.0, t.PValue); // never 0: the observed split counts as one permutation
    }

    [Fact]
    public void Test_WithSameSeed_IsDeterministic_AndSeedChangesPermutations()
    {
        var r = Gaussian(80, 4, 0.0, seed: 3);
        var c = Gaussian(70, 4, 0.05, seed: 4);
        var a = Mmd.Test(r, c, 200, 11, null, CancellationToken.None);
        var b = Mmd.Test(r, c, 200, 11, null, CancellationToken.None);
        Assert.Equal(a, b);
        var other = Mmd.Test(r, c, 200, 12, null, CancellationToken.None);
        Assert.Equal(a.Mmd2, other.Mmd2);
        Assert.NotEqual(a.PermutationsAtLeastObserved, other.PermutationsAtLeastObserved);
    }

    [Theory]
    [InlineData(67, 34, 7)]  // odd pooled count and a dimension that is not a multiple of the vector width
    [InlineData(130, 71, 9)] // several 64-row tiles
    public void Unbiased_MatchesDirectPairwiseSum(int n, int m, int d)
    {
        var x = Gaussian(n, d, 0.0, n);
        var y = Gaussian(m, d, 0.4, m);
        const double sigma = 2.3;
        double K(DataMatrix a, int i, DataMatrix b, int j)
        {
            var s = 0.0;
            for (var k = 0; k < d; k++) s += (a[i, k] - b[j, k]) * (a[i, k] - b[j, k]);
            return Math.Exp(-s / (2 * sigma * sigma));
        }
        double xx = 0, yy = 0, xy = 0;
        for (var i = 0; i < n; i++) for (var j = 0; j < n; j++) if (i != j) xx += K(x, i, x, j);
        for (var i = 0; i < m; i++) for (var j = 0; j < m; j++) if (i != j) yy += K(y, i, y, j);
        for (var i = 0; i < n; i++) for (var j = 0; j < m; j++) xy += K(x, i, y, j);
        var expected = xx / (n * (n - 1.0)) + yy / (m * (m - 1.0)) - 2 * xy / ((double)n * m);
        Close(expected, Mmd.Unbiased(x, y, sigma), 1e-10, 1e-14, "mmd2");
    }

    internal static DataMatrix Gaussian(int rows, int cols, double shift, int seed)
    {
        // System.Random's legacy seeded generator gives correlated streams for neighbouring seeds; SeededRandom does not.
        var rng = SeededRandom.Create(seed);
        var data = new double[rows * cols];
        MathNet.Numerics.Distributions.Normal.Samples(rng, data, shift, 1.0);
        return new DataMatrix(rows, cols, data);
    }
}
