using System.Text.Json;
using Observatory.Monitoring.Core.Accuracy;

namespace Observatory.Monitoring.Tests.Accuracy;

/// <summary>Against SciPy/NumPy reference values made by Fixtures/accuracy/make_fixtures.py.</summary>
public sealed class AccuracyIntervalTests
{
    private const double Tolerance = 1e-9;

    private static readonly JsonElement Expected =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "accuracy", "expected.json"))).RootElement;

    public static TheoryData<int, int> ClopperPearsonCases()
    {
        var data = new TheoryData<int, int>();
        foreach (var c in Expected.GetProperty("clopper_pearson").EnumerateArray()) data.Add(c.GetProperty("k").GetInt32(), c.GetProperty("n").GetInt32());
        return data;
    }

    public static TheoryData<string> BandCases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Expected.GetProperty("sampling_band").EnumerateArray()) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(ClopperPearsonCases))]
    public void ClopperPearson_MatchesScipyBetaPpf(int correct, int count)
    {
        var expected = Expected.GetProperty("clopper_pearson").EnumerateArray().Single(c => c.GetProperty("k").GetInt32() == correct && c.GetProperty("n").GetInt32() == count);

        var interval = AccuracyInterval.ClopperPearson(correct, count);

        Assert.InRange(interval.Lower, expected.GetProperty("lower").GetDouble() - Tolerance, expected.GetProperty("lower").GetDouble() + Tolerance);
        Assert.InRange(interval.Upper, expected.GetProperty("upper").GetDouble() - Tolerance, expected.GetProperty("upper").GetDouble() + Tolerance);
    }

    [Fact]
    public void ClopperPearson_AllWrongStartsAtZero_AllRightEndsAtOne()
    {
        Assert.Equal(0, AccuracyInterval.ClopperPearson(0, 12).Lower);
        Assert.Equal(1, AccuracyInterval.ClopperPearson(12, 12).Upper);
    }

    [Fact]
    public void ClopperPearson_NarrowsWithMoreLabels()
    {
        var few = AccuracyInterval.ClopperPearson(7, 10);
        var many = AccuracyInterval.ClopperPearson(7000, 10000);
        Assert.True(few.Upper - few.Lower > 10 * (many.Upper - many.Lower));
    }

    [Fact]
    public void ClopperPearson_WithoutLabelsOrMoreRightThanCounted_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AccuracyInterval.ClopperPearson(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => AccuracyInterval.ClopperPearson(5, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => AccuracyInterval.ClopperPearson(-1, 4));
    }

    [Theory]
    [MemberData(nameof(BandCases))]
    public void SamplingBand_MatchesNumpy(string name)
    {
        var expected = Expected.GetProperty("sampling_band").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var p = expected.GetProperty("p").EnumerateArray().Select(e => e.GetDouble()).ToList();

        var (estimate, band) = AccuracyInterval.SamplingBand(p);

        Assert.InRange(estimate, expected.GetProperty("estimate").GetDouble() - Tolerance, expected.GetProperty("estimate").GetDouble() + Tolerance);
        Assert.InRange(band.Lower, expected.GetProperty("lower").GetDouble() - Tolerance, expected.GetProperty("lower").GetDouble() + Tolerance);
        Assert.InRange(band.Upper, expected.GetProperty("upper").GetDouble() - Tolerance, expected.GetProperty("upper").GetDouble() + Tolerance);
    }

    [Fact]
    public void EstimateAccuracyWithBand_BandsTheCalibratedProbabilities()
    {
        // Calibrated: confidence below 0.5 is right 0 % of the time, above it 100 %; a window of 0.3 and 0.8 is one sure miss and one
        // sure hit, so the estimate is 0.5 and, every outcome being certain, the band has no width.
        var calibration = ConfidenceCalibration.Fit([0.2, 0.3, 0.8, 0.9], [false, false, true, true]);

        var (estimate, band) = calibration.EstimateAccuracyWithBand([0.3, 0.8]);

        Assert.Equal(0.5, estimate, 12);
        Assert.Equal(calibration.EstimateAccuracy([0.3, 0.8]), estimate, 12);
        Assert.Equal(new AccuracyInterval(0.5, 0.5), band);
    }
}
