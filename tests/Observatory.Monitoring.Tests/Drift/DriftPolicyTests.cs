using Observatory.Monitoring.Core.Drift;
using Xunit.Abstractions;

namespace Observatory.Monitoring.Tests.Drift;

public sealed class DriftPolicyTests(ITestOutputHelper output)
{
    private static DriftResult PValue(string method, double p, double alpha = 0.05) =>
        new(method, 0.1, p, alpha, p < alpha, new Dictionary<string, object?>());

    private static DriftResult Effect(string method, double statistic, double threshold) =>
        new(method, statistic, null, threshold, statistic > threshold, new Dictionary<string, object?>());

    [Theory]
    [InlineData("default", DriftPolicyRule.AnyOf, "mmd,ks", "default")]
    [InlineData(" Any-Of: mmd , ks,classifier ", DriftPolicyRule.AnyOf, "mmd,ks,classifier", "any-of:mmd,ks,classifier")]
    [InlineData("all-of:ks,wasserstein", DriftPolicyRule.AllOf, "ks,wasserstein", "all-of:ks,wasserstein")]
    [InlineData("majority:mmd,ks,classifier", DriftPolicyRule.Majority, "mmd,ks,classifier", "majority:mmd,ks,classifier")]
    [InlineData("majority", DriftPolicyRule.Majority, null, "majority")]
    public void Parse_ReadsEachForm(string text, DriftPolicyRule rule, string? methods, string name)
    {
        var p = DriftPolicy.Parse(text);
        Assert.Equal(rule, p.Rule);
        Assert.Equal(methods?.Split(','), p.Methods);
        Assert.Equal(name, p.Name);
        Assert.Equal(0.05, p.Alpha);
    }

    [Theory]
    [InlineData("strict", "is not a drift policy; valid: default, any-of:")]
    [InlineData("any-of", "is not a drift policy")]
    [InlineData("any-of:", "names no method")]
    [InlineData("all-of:ks,energy", "unknown method 'energy'; valid: mmd, ks")]
    public void Parse_WhenInvalid_ThrowsListingValidForms(string text, string message)
    {
        var ex = Assert.Throws<FormatException>(() => DriftPolicy.Parse(text));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void Default_IsAnyOfMmdAndKs_WithBonferroniAcrossTheTwo()
    {
        // mmd's own test says drift at p = 0.03 < 0.05, but the verdict needs p < 0.025 from either method.
        var decision = DriftPolicy.Default.Decide([PValue("mmd", 0.03), PValue("ks", 0.5), Effect("wasserstein", 0.9, 0.2)]);
        Assert.False(decision.Drift);
        Assert.Equal("bonferroni", decision.Correction);
        Assert.Equal(0.025, decision.MethodAlpha);
        Assert.Equal(1, decision.VotesNeeded);
        Assert.Equal(["mmd", "ks"], decision.Votes.Select(v => v.Method));
        Assert.Contains("p < 0.025 (α 0.05 / 2, Bonferroni)", decision.Description);
        Assert.Empty(decision.Notes);

        var drift = DriftPolicy.Default.Decide([PValue("mmd", 0.5), PValue("ks", 0.024)]);
        Assert.True(drift.Drift);
        Assert.Equal([false, true], drift.Votes.Select(v => v.Drifted));
    }

    [Fact]
    public void AllOf_NeedsEveryVote_AtAlphaUncorrected()
    {
        var policy = DriftPolicy.Parse("all-of:mmd,ks");
        Assert.False(policy.Decide([PValue("mmd", 0.01), PValue("ks", 0.06)]).Drift);
        var d = policy.Decide([PValue("mmd", 0.04), PValue("ks", 0.049)]);
        Assert.True(d.Drift);
        Assert.Equal("none", d.Correction);
        Assert.Equal(0.05, d.MethodAlpha);
    }

    [Fact]
    public void Majority_OfThree_NeedsTwoVotes_EachAtTheMarkovLevel()
    {
        var policy = DriftPolicy.Parse("majority:mmd,ks,classifier");
        var d = policy.Decide([PValue("mmd", 0.03), PValue("ks", 0.9), Effect("classifier", 0.6, 0.55)]);
        Assert.True(d.Drift);
        Assert.Equal(2, d.VotesNeeded);
        Assert.Equal("markov", d.Correction);
        Assert.Equal(0.05 * 2 / 3, d.MethodAlpha, 15);
        Assert.Equal("threshold", d.Votes[2].Basis);
        Assert.Equal(0.55, d.Votes[2].Threshold);
        Assert.Contains("classifier votes by its effect-size threshold, outside the α bound", d.Notes);
        Assert.False(policy.Decide([PValue("mmd", 0.034), PValue("ks", 0.9), Effect("classifier", 0.6, 0.55)]).Drift);
    }

    [Fact]
    public void ImplicitMajority_CountsEveryMethodRun()
    {
        var d = DriftPolicy.Parse("majority").Decide([PValue("ks", 0.001), Effect("psi", 0.3, 0.1), Effect("js", 0.01, 0.1), Effect("wasserstein", 0.01, 0.2)]);
        Assert.Equal(3, d.VotesNeeded);
        Assert.False(d.Drift);
    }

    [Fact]
    public void Decide_WhenADecidingMethodWasNotRun_ThrowsNamingIt()
    {
        var ex = Assert.Throws<ArgumentException>(() => DriftPolicy.Default.Decide([PValue("ks", 0.01)]));
        Assert.Contains("needs method(s) mmd which were not run", ex.Message);
    }

    [Fact]
    public void Decide_WhenTooFewPermutationsToReachTheLevel_SaysMmdCannotVote()
    {
        var mmd = new DriftResult("mmd", 0.2, 1.0 / 11, 0.05, false, new Dictionary<string, object?> { ["permutations"] = 10 });
        var d = DriftPolicy.Default.Decide([mmd, PValue("ks", 0.5)]);
        Assert.Contains("mmd: 10 permutations cannot give p < 0.025 (smallest p is 1/11); it cannot vote drift", d.Notes);
    }

    [Fact]
    public void WithVerdict_PutsDriftAndPolicyAtTheTopOfTheJson()
    {
        var report = DriftRunner.Run(MmdTests.Gaussian(200, 3, 0, 1), MmdTests.Gaussian(200, 3, 1.0, 2), [DriftMethodNames.Ks, DriftMethodNames.Mmd])
            .WithVerdict(DriftPolicy.Default);
        using var doc = System.Text.Json.JsonDocument.Parse(report.ToJson());
        var root = doc.RootElement;
        Assert.Equal(["reference", "current", "drift", "policy", "methods"], root.EnumerateObject().Select(p => p.Name));
        Assert.True(root.GetProperty("drift").GetBoolean());
        var policy = root.GetProperty("policy");
        Assert.Equal("any-of", policy.GetProperty("rule").GetString());
        Assert.Equal("bonferroni", policy.GetProperty("correction").GetString());
        Assert.Equal(0.025, policy.GetProperty("method_alpha").GetDouble());
        Assert.False(policy.TryGetProperty("drift", out _));
        var ks = root.GetProperty("methods")[0];
        Assert.Equal(200, ks.GetProperty("rows_used").GetProperty("reference").GetInt32());
    }

    /// <summary>
    /// The default policy on the three kinds of drift it is meant to see, and on no drift; 8 dimensions, 2,000 rows per side,
    /// fixed seeds (the drift-policy benchmark measures the rates over 1,000 windows). A rotation keeps every marginal N(0, 1):
    /// KS must not see it, so the verdict there shows MMD² is in the policy for a reason.
    /// </summary>
    [Fact]
    public void DefaultPolicy_DetectsShiftScaleAndRotation_AndStaysQuietWithoutDrift()
    {
        const int windows = 4, n = 2000, d = 8;
        foreach (var scenario in new[] { "none", "shift", "scale", "rotation" })
        {
            var verdicts = new List<DriftReport>();
            for (var w = 0; w < windows; w++)
            {
                var (r, c) = Window(scenario, n, d, 500 + 10 * w);
                verdicts.Add(DriftRunner.Run(r, c, DriftPolicy.Default.RequiredMethods, new DriftOptions { Seed = w }).WithVerdict(DriftPolicy.Default));
            }
            output.WriteLine($"{scenario}: {verdicts.Count(v => v.Drift == true)}/{windows} drift; ks votes {verdicts.Count(v => v.Policy!.Votes[1].Drifted)}");
            Assert.All(verdicts, v => Assert.Equal(scenario != "none", v.Drift));
            if (scenario == "rotation") Assert.All(verdicts, v => Assert.Equal([true, false], v.Policy!.Votes.Select(x => x.Drifted)));
        }
    }

    // As the drift-policy benchmark's scenarios, with larger effects: dimension 0 shifted by 0.3σ or scaled by 1.5; pairs of
    // dimensions correlated at +0.7 against −0.7.
    private static (DataMatrix, DataMatrix) Window(string scenario, int n, int d, int seed)
    {
        var rho = scenario == "rotation" ? 0.7 : 0;
        var r = Correlated(n, d, seed, rho);
        var c = Correlated(n, d, seed + 1, -rho);
        for (var i = 0; i < n; i++)
        {
            if (scenario == "shift") c.Data[i * d] += 0.3;
            if (scenario == "scale") c.Data[i * d] *= 1.5;
        }
        return (r, c);
    }

    private static DataMatrix Correlated(int rows, int cols, int seed, double rho)
    {
        var m = MmdTests.Gaussian(rows, cols, 0, seed);
        var s = Math.Sqrt(1 - rho * rho);
        for (var i = 0; i < rows; i++)
            for (var j = 0; j + 1 < cols; j += 2)
                m.Data[i * cols + j + 1] = rho * m.Data[i * cols + j] + s * m.Data[i * cols + j + 1];
        return m;
    }
}
