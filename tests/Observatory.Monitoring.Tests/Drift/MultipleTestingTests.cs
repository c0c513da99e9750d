using Observatory.Monitoring.Core.Drift;
using static Observatory.Monitoring.Tests.Drift.DriftFixtures;

namespace Observatory.Monitoring.Tests.Drift;

public sealed class MultipleTestingTests
{
    [Fact]
    public void BenjaminiHochberg_IsStepUpAndMonotone()
    {
        // Hand-worked: sorted p (0.01, 0.02, 0.03, 0.5) × 4 / rank = (0.04, 0.04, 0.04, 0.5).
        var q = MultipleTesting.BenjaminiHochberg([0.03, 0.5, 0.01, 0.02]);
        Assert.Equal([0.04, 0.5, 0.04, 0.04], q.Select(v => Math.Round(v, 12)).ToArray());
    }

    [Fact]
    public void Bonferroni_MultipliesByCountAndCapsAtOne()
    {
        Assert.Equal([0.04, 1.0], MultipleTesting.Bonferroni([0.02, 0.7]));
    }

    [Theory]
    [InlineData("shift")]
    [InlineData("ties")]
    public void Corrections_OnFixturePValues_MatchNumpyReference(string section)
    {
        var p = Array(section, "ks_p_value");
        var bonf = MultipleTesting.Bonferroni(p);
        var bh = MultipleTesting.BenjaminiHochberg(p);
        for (var j = 0; j < p.Length; j++)
        {
            Close(Array(section, "bonferroni")[j], bonf[j], 1e-12, 1e-300, "bonferroni");
            Close(Array(section, "fdr_bh")[j], bh[j], 1e-12, 1e-300, "fdr_bh");
        }
    }
}
