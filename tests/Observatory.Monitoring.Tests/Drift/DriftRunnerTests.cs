using System.Text.Json;
using Observatory.Monitoring.Core.Drift;
using Xunit.Abstractions;
using static Observatory.Monitoring.Tests.Drift.DriftFixtures;

namespace Observatory.Monitoring.Tests.Drift;

public sealed class DriftRunnerTests(ITestOutputHelper output)
{
    [Fact]
    public void Rotation_WhenOnlyJointChanges_KsDoesNotFlagButMmdAndClassifierDo()
    {
        var report = DriftRunner.Run(Load("rotation_ref"), Load("rotation_cur"),
            [DriftMethodNames.Ks, DriftMethodNames.Mmd, DriftMethodNames.Classifier, DriftMethodNames.Wasserstein]);
        var ks = report.Methods.Single(m => m.Method == "ks");
        var mmd = report.Methods.Single(m => m.Method == "mmd");
        var clf = report.Methods.Single(m => m.Method == "classifier");
        output.WriteLine($"ks p={ks.PValue} mmd²={mmd.Statistic} p={mmd.PValue} auc={clf.Statistic}");
        Assert.False(ks.Drifted);
        Assert.False(report.Methods.Single(m => m.Method == "wasserstein").Drifted);
        // Per-dimension KS p-values are SciPy's, so the "not flagged" verdict is SciPy's too.
        var p = (double[])ks.Details["p_values"]!;
        for (var j = 0; j < 2; j++) Close(Array("rotation", "ks_p_value")[j], p[j], 1e-9, 1e-15, "p");
        Assert.True(mmd.Drifted);
        Assert.Equal(1.0 / 101.0, mmd.PValue);
        Assert.True(clf.Drifted, $"classifier AUC {clf.Statistic}");
    }

    [Fact]
    public void Run_OnShiftFixture_ReportsScipyPerDimensionValuesAndCorrections()
    {
        var report = DriftRunner.Run(Load("shift_ref"), Load("shift_cur"),
            [DriftMethodNames.Ks, DriftMethodNames.Wasserstein, DriftMethodNames.Psi, DriftMethodNames.JensenShannon, DriftMethodNames.MeanDistance]);
        var ks = report.Methods.Single(m => m.Method == "ks");
        var p = (double[])ks.Details["p_values"]!;
        Close(Array("shift", "bonferroni").Min(), ks.PValue!.Value, 1e-9, 1e-300, "min adjusted p");
        Assert.True(ks.Drifted);
        Assert.Equal(Array("shift", "ks_statistic").Max(), ks.Statistic, 12);
        for (var j = 0; j < p.Length; j++) Close(Array("shift", "ks_p_value")[j], p[j], 1e-9, 1e-300, "p");
        var w = (double[])report.Methods.Single(m => m.Method == "wasserstein").Details["values"]!;
        var psi = (double[])report.Methods.Single(m => m.Method == "psi").Details["values"]!;
        var js = (double[])report.Methods.Single(m => m.Method == "js").Details["values"]!;
        for (var j = 0; j < w.Length; j++)
        {
            Close(Array("shift", "wasserstein_normed")[j], w[j], 1e-9, 0, "w");
            Close(Array("shift", "psi")[j], psi[j], 1e-9, 0, "psi");
            Close(Array("shift", "js")[j], js[j], 1e-9, 0, "js");
        }
        Close(Number("shift", "mean_distance"), report.Methods.Single(m => m.Method == "mean_distance").Statistic, 1e-12, 0, "mean distance");
    }

    [Fact]
    public void Run_WithSameSeed_GivesIdenticalJson()
    {
        var r = MmdTests.Gaussian(300, 6, 0.0, 5);
        var c = MmdTests.Gaussian(250, 6, 0.1, 6);
        var a = DriftRunner.Run(r, c, DriftMethodNames.Numeric).ToJson();
        var b = DriftRunner.Run(r, c, DriftMethodNames.Numeric).ToJson();
        Assert.Equal(a, b);
    }

    [Fact]
    public void Run_CapsSamplesSoCostDoesNotGrowWithTraffic()
    {
        var r = MmdTests.Gaussian(3000, 2, 0.0, 8);
        var c = MmdTests.Gaussian(3000, 2, 0.0, 9);
        var options = new DriftOptions { MaxSamples = 500, Mmd = new MmdOptions { MaxSamples = 200 }, Classifier = new ClassifierOptions { MaxSamples = 300 } };
        var report = DriftRunner.Run(r, c, [DriftMethodNames.Mmd, DriftMethodNames.Ks, DriftMethodNames.Classifier], options);
        Assert.Equal(3000, report.Reference.N);
        Assert.Equal(200, report.Methods[0].Details["reference_samples"]);
        Assert.Equal(500, report.Methods[1].Details["current_samples"]);
        Assert.Equal(600, (int)report.Methods[2].Details["train_samples"]! + (int)report.Methods[2].Details["test_samples"]!);
        Assert.Equal(new RowCounts(200, 200), report.Methods[0].RowsUsed);
        Assert.Equal(new RowCounts(500, 500), report.Methods[1].RowsUsed);
        Assert.Equal(new RowCounts(300, 300), report.Methods[2].RowsUsed);
    }

    /// <summary>
    /// 20,000 rows per side: KS and Wasserstein use every row (no subsample) and equal SciPy's ks_2samp (method='auto', which
    /// at this size is the asymptotic kstwo.sf at n = 10,000: dimension 0 in its 2·smirnov upper-tail branch, dimension 1 in
    /// Pelz–Good) and wasserstein_distance; MMD² and the classifier keep their 2,000-row caps and say so in rows_used.
    /// </summary>
    [Fact]
    public void Run_At20000RowsPerSide_KsAndWassersteinUseEveryRowAndEqualScipy()
    {
        var reference = Load("large_ref");
        var current = Load("large_cur");
        var e = ExpectedLarge;
        double[] Values(string key) => e.GetProperty(key).EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var report = DriftRunner.Run(reference, current, [DriftMethodNames.Ks, DriftMethodNames.Wasserstein, DriftMethodNames.Mmd, DriftMethodNames.Classifier]);
        var ks = report.Methods.Single(m => m.Method == "ks");
        var w = report.Methods.Single(m => m.Method == "wasserstein");
        Assert.Equal(new RowCounts(20_000, 20_000), ks.RowsUsed);
        Assert.Equal(new RowCounts(20_000, 20_000), w.RowsUsed);
        Assert.Equal(new RowCounts(2_000, 2_000), report.Methods.Single(m => m.Method == "mmd").RowsUsed);
        Assert.Equal(new RowCounts(2_000, 2_000), report.Methods.Single(m => m.Method == "classifier").RowsUsed);
        Assert.Equal(["asymp", "asymp"], e.GetProperty("ks_method").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["asymp"], (string[])ks.Details["p_value_methods"]!);
        var statistics = (double[])ks.Details["statistics"]!;
        var p = (double[])ks.Details["p_values"]!;
        var normed = (double[])w.Details["values"]!;
        for (var j = 0; j < 2; j++)
        {
            Close(Values("ks_statistic")[j], statistics[j], 1e-12, 0, $"D[{j}]");
            Close(Values("ks_p_value")[j], p[j], 1e-9, 0, $"p[{j}]");
            Close(Values("wasserstein_normed")[j], normed[j], 1e-9, 0, $"normed W[{j}]");
            Close(Values("wasserstein")[j], UnivariateDistances.WassersteinSorted(SortedColumn(reference, j), SortedColumn(current, j)), 1e-9, 0, $"W[{j}]");
        }
        Close(e.GetProperty("ks_bonferroni_min").GetDouble(), ks.PValue!.Value, 1e-9, 0, "min Bonferroni p");
    }

    /// <summary>
    /// Large-sample no-drift case: 40 windows of 1,000 vs 1,000 samples in 8 dimensions, both N(0, I), default settings.
    /// The p-value tests should alarm in about α = 5 % of windows (KS with Bonferroni at most that). The effect-size rules
    /// are not calibrated: at n = 1,000 a normed Wasserstein ≥ 0.1 happens in ~3.9 % of null dimensions (SciPy simulation),
    /// so "≥ 2 of 8 dimensions" fires in ~3.6 % of windows; mean distance &gt; 0.2 in ~1 %. The rates are printed for the report.
    /// </summary>
    [Fact]
    public void FalseAlarmRate_WithoutDrift_StaysNearNominalLevel()
    {
        const int windows = 40;
        var alarms = DriftMethodNames.Numeric.ToDictionary(m => m, _ => 0);
        for (var w = 0; w < windows; w++)
        {
            var r = MmdTests.Gaussian(1000, 8, 0.0, 1000 + 2 * w);
            var c = MmdTests.Gaussian(1000, 8, 0.0, 1001 + 2 * w);
            var report = DriftRunner.Run(r, c, DriftMethodNames.Numeric, new DriftOptions { Seed = w });
            foreach (var m in report.Methods) if (m.Drifted) alarms[m.Method]++;
        }
        foreach (var (m, n) in alarms) output.WriteLine($"false alarms {m}: {n}/{windows} = {100.0 * n / windows:F1} %");
        // Binomial(40, 0.05): P(X ≥ 7) ≈ 0.9 %; a broken p-value (e.g. no +1, or always small) exceeds these.
        Assert.InRange(alarms["mmd"], 0, 6);
        Assert.InRange(alarms["ks"], 0, 6);
        Assert.InRange(alarms["classifier"], 0, 2);
        Assert.InRange(alarms["wasserstein"], 0, 5);
        Assert.Equal(0, alarms["psi"]);
        Assert.Equal(0, alarms["js"]);
        Assert.InRange(alarms["mean_distance"], 0, 3);
    }

    [Fact]
    public void RunCategorical_ReportsChiSquareAndJensenShannonLikeScipy()
    {
        var e = Expected("chi2_multi");
        var refCounts = e.GetProperty("reference").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var curCounts = e.GetProperty("current").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var reference = refCounts.SelectMany((n, k) => Enumerable.Repeat(k, n)).ToArray();
        var current = curCounts.SelectMany((n, k) => Enumerable.Repeat(k, n)).ToArray();
        var report = DriftRunner.RunCategorical(reference, current);
        var chi2 = report.Methods.Single(m => m.Method == "chi2");
        Close(Number("chi2_multi", "statistic"), chi2.Statistic, 1e-12, 0, "chi2");
        Close(Number("chi2_multi", "p_value"), chi2.PValue!.Value, 1e-9, 0, "p");
        Assert.True(chi2.Drifted);
        Close(Number("chi2_multi", "js"), report.Methods.Single(m => m.Method == "js").Statistic, 1e-12, 0, "js");
    }

    [Fact]
    public void RunNumeric_OnConfidences_GivesKsAndWassersteinOnTheValuesThemselves()
    {
        var r = Column(Load("shift_ref"), 0);
        var c = Column(Load("shift_cur"), 0);
        var report = DriftRunner.RunNumeric(r, c);
        var ks = report.Methods.Single(m => m.Method == "ks");
        Close(Array("shift", "ks_p_value")[0], ks.PValue!.Value, 1e-9, 0, "p");
        var w = report.Methods.Single(m => m.Method == "wasserstein");
        Close(Array("shift", "wasserstein_normed")[0], w.Statistic, 1e-9, 0, "w");
        Assert.Equal(0.1, w.Threshold);
    }

    [Fact]
    public void ToJson_FollowsTheDriftContract()
    {
        var report = DriftRunner.Run(Load("mmd_ref"), Load("mmd_cur"), [DriftMethodNames.Mmd, DriftMethodNames.Classifier],
            referencePath: "a.npy", currentPath: "b.npy");
        using var doc = JsonDocument.Parse(report.ToJson());
        var root = doc.RootElement;
        Assert.Equal("a.npy", root.GetProperty("reference").GetProperty("path").GetString());
        Assert.Equal(60, root.GetProperty("reference").GetProperty("n").GetInt32());
        Assert.Equal(5, root.GetProperty("current").GetProperty("d").GetInt32());
        var methods = root.GetProperty("methods").EnumerateArray().ToArray();
        Assert.Equal("mmd", methods[0].GetProperty("method").GetString());
        foreach (var key in new[] { "statistic", "p_value", "threshold", "drifted", "details" }) Assert.True(methods[0].TryGetProperty(key, out _), key);
        Assert.True(methods[0].GetProperty("details").TryGetProperty("sigma", out _));
        Assert.False(methods[1].TryGetProperty("p_value", out _)); // the classifier has no p-value
    }

    [Fact]
    public void Run_WhenDimensionsDiffer_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => DriftRunner.Run(MmdTests.Gaussian(10, 3, 0, 1), MmdTests.Gaussian(10, 4, 0, 2), ["ks"]));
        Assert.Contains("3 dimensions", ex.Message);
    }

    [Fact]
    public void Run_WhenMethodUnknown_ThrowsListingValidMethods()
    {
        var ex = Assert.Throws<ArgumentException>(() => DriftRunner.Run(MmdTests.Gaussian(10, 3, 0, 1), MmdTests.Gaussian(10, 3, 0, 2), ["energy"]));
        Assert.Contains("mmd, ks", ex.Message);
    }
}
