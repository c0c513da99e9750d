using Observatory.Monitoring.Core.Drift;
using static Observatory.Monitoring.Tests.Drift.DriftFixtures;

namespace Observatory.Monitoring.Tests.Drift;

public sealed class UnivariateDistanceTests
{
    [Theory]
    [InlineData("shift")]
    [InlineData("ties")]
    [InlineData("rotation")]
    public void Wasserstein_MatchesScipyAndEvidentlyNorming(string section)
    {
        var r = Load(section + "_ref");
        var c = Load(section + "_cur");
        for (var j = 0; j < r.Cols; j++)
        {
            var rs = SortedColumn(r, j);
            var cs = SortedColumn(c, j);
            Close(Array(section, "wasserstein")[j], UnivariateDistances.WassersteinSorted(rs, cs), 1e-9, 1e-15, $"W[{j}]");
            Close(Array(section, "wasserstein_normed")[j], UnivariateDistances.WassersteinNormedSorted(rs, cs), 1e-9, 1e-15, $"Wn[{j}]");
        }
    }

    [Theory]
    [InlineData("shift")]
    [InlineData("ties")]
    [InlineData("asymp")]
    public void PsiAndJensenShannon_OnSturgesBins_MatchNumpyReference(string section)
    {
        var r = Load(section + "_ref");
        var c = Load(section + "_cur");
        for (var j = 0; j < r.Cols; j++)
        {
            var (rp, cp) = UnivariateDistances.BinnedProportions(Column(r, j), Column(c, j));
            Close(Array(section, "psi")[j], UnivariateDistances.Psi(rp, cp), 1e-9, 1e-15, $"psi[{j}]");
            Close(Array(section, "js")[j], UnivariateDistances.JensenShannon(rp, cp), 1e-9, 1e-15, $"js[{j}]");
        }
    }

    [Theory]
    [InlineData("chi2_multi")]
    [InlineData("chi2_binary")] // dof 1: SciPy's Yates correction
    public void ChiSquare_MatchesScipyChi2Contingency(string section)
    {
        var e = Expected(section);
        var r = e.GetProperty("reference").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        var c = e.GetProperty("current").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        var (stat, p, dof) = UnivariateDistances.ChiSquareHomogeneity(r, c);
        Assert.Equal(e.GetProperty("dof").GetInt32(), dof);
        Close(Number(section, "statistic"), stat, 1e-12, 0, "chi2");
        Close(Number(section, "p_value"), p, 1e-9, 1e-15, "p");
        var js = UnivariateDistances.JensenShannon(r.Select(v => v / (double)r.Sum()).ToArray(), c.Select(v => v / (double)c.Sum()).ToArray());
        Close(Number(section, "js"), js, 1e-12, 0, "js");
    }

    [Fact]
    public void Histogram_PutsMaximumInLastBinAndEdgeValuesInUpperBin()
    {
        double[] edges = [0.0, 1.0, 2.0, 3.0];
        var counts = UnivariateDistances.Histogram(new double[] { 0.0, 1.0, 1.5, 2.0, 3.0, 3.5, -0.1 }, edges);
        Assert.Equal(new long[] { 1, 2, 2 }, counts);
    }

    [Fact]
    public void Psi_WhenDistributionsEqual_IsZero()
    {
        double[] p = [0.2, 0.3, 0.5];
        Assert.Equal(0.0, UnivariateDistances.Psi(p, p), 15);
        Assert.Equal(0.0, UnivariateDistances.JensenShannon(p, p), 15);
    }
}
