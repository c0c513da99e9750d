using Observatory.Monitoring.Core.Drift;
using static Observatory.Monitoring.Tests.Drift.DriftFixtures;

namespace Observatory.Monitoring.Tests.Drift;

public sealed class KolmogorovSmirnovTests
{
    [Theory]
    [InlineData("shift")] // 200 vs 150: exact, inside-method recursion
    [InlineData("ties")]  // 300 vs 300 with ties: exact, square method
    [InlineData("coprime")] // 97 vs 61, gcd 1
    public void TwoSample_MatchesScipyKs2sampExactly(string section)
    {
        var r = Load(section + "_ref");
        var c = Load(section + "_cur");
        var d = Array(section, "ks_statistic");
        var p = Array(section, "ks_p_value");
        for (var j = 0; j < r.Cols; j++)
        {
            var result = KolmogorovSmirnov.TwoSample(Column(r, j), Column(c, j));
            Assert.Equal(KsPValueMethod.Exact, result.Method);
            Close(d[j], result.Statistic, 1e-12, 1e-15, $"D[{j}]");
            Close(p[j], result.PValue, 1e-9, 1e-15, $"p[{j}]");
        }
    }

    [Fact]
    public void TwoSample_AboveTenThousandSamples_UsesAsymptoticPValueCloseToScipy()
    {
        var r = Load("asymp_ref");
        var c = Load("asymp_cur");
        var result = KolmogorovSmirnov.TwoSample(Column(r, 0), Column(c, 0));
        Assert.Equal(KsPValueMethod.Asymptotic, result.Method);
        Close(Array("asymp", "ks_statistic")[0], result.Statistic, 1e-12, 0, "D");
        // n = 197, n·D² ≥ 2.2: both SciPy and Observatory use 2·smirnov (the exact one-sided tail), so p agrees tightly.
        Close(Array("asymp", "ks_p_value")[0], result.PValue, 1e-9, 0, "p");
    }

    [Fact]
    public void TwoSample_AsymptoticWithSmallEffectiveN_StaysCloseToScipy()
    {
        // 10,001 vs 30 → n = 30 for kstwo: SciPy uses Durbin's matrix / Pomeranz there, Observatory Pelz–Good.
        var result = KolmogorovSmirnov.TwoSample(Column(Load("asymp_small_ref"), 0), Column(Load("asymp_small_cur"), 0));
        Assert.Equal(KsPValueMethod.Asymptotic, result.Method);
        Close(Array("asymp_small", "ks_statistic")[0], result.Statistic, 1e-12, 0, "D");
        // Measured: 1.05e-4 relative (0.298053 vs SciPy 0.298084).
        Close(Array("asymp_small", "ks_p_value")[0], result.PValue, 5e-4, 0, "p");
    }

    [Fact]
    public void Ks_WhenSamplesIdentical_ReturnsZeroStatisticAndPValueOne()
    {
        double[] x = [0.3, 1.2, -0.7, 2.5, 0.0];
        var result = KolmogorovSmirnov.TwoSample(x, x);
        Assert.Equal(0.0, result.Statistic);
        Assert.Equal(1.0, result.PValue);
    }

    [Fact]
    public void Ks_WhenSamplesDisjoint_ReturnsStatisticOneAndTinyPValue()
    {
        var a = Enumerable.Range(0, 50).Select(i => (double)i).ToArray();
        var b = Enumerable.Range(100, 40).Select(i => (double)i).ToArray();
        var result = KolmogorovSmirnov.TwoSample(a, b);
        Assert.Equal(1.0, result.Statistic);
        // Exact two-sided p is 2 / C(90, 40): only the two extreme orderings reach D = 1.
        Assert.InRange(result.PValue, 0, 1e-20);
    }
}
