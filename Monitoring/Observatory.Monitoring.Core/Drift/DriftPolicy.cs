using System.Globalization;
using System.Text.Json.Serialization;

namespace Observatory.Monitoring.Core.Drift;

/// <summary>How many of a policy's deciding methods must vote drift.</summary>
public enum DriftPolicyRule { AnyOf, AllOf, Majority }

/// <summary>
/// The one verdict a user gates on, made from the methods' results. A policy names its deciding methods (m) and how many
/// must vote drift (k: one for any-of, all m for all-of, more than half for majority). A method with a p-value votes drift
/// when p &lt; α·k/m, which keeps the verdict's false-alarm rate at or below α whatever the dependence between the methods:
/// for any-of that is Bonferroni (α/m); for all-of it is α itself (an intersection–union test); for a majority it is the
/// Markov bound P(votes ≥ k) ≤ m·(α·k/m)/k = α. Methods without a p-value (classifier, wasserstein, psi, js, mean_distance)
/// vote by their own effect-size threshold and are outside that bound.
/// <para>
/// The default, <c>any-of:mmd,ks</c> at α = 0.05 (each at 0.025), joins the two tests that see different changes: KS, on
/// every row, any change of a marginal (shift, scale); MMD² a change of the joint distribution with the same marginals (a
/// rotation of the covariance), which no per-dimension test can see. Its measured false-alarm rate and power are in the
/// README (bench `drift-policy`).
/// </para>
/// </summary>
public sealed record DriftPolicy
{
    public const string DefaultName = "default";

    /// <summary>What <see cref="Parse"/> accepts, for error messages and help.</summary>
    public const string Forms = "default, any-of:M1,M2…, all-of:M1,M2…, majority, majority:M1,M2…";

    /// <summary>any-of:mmd,ks at α = 0.05, Bonferroni across the two.</summary>
    public static DriftPolicy Default { get; } = new(DefaultName, DriftPolicyRule.AnyOf, [DriftMethodNames.Mmd, DriftMethodNames.Ks]);

    /// <param name="name">As the user wrote it (or "default").</param>
    /// <param name="methods">The deciding methods; null (majority only) means every method run.</param>
    /// <param name="alpha">Bound on the verdict's false-alarm rate from the p-value methods.</param>
    public DriftPolicy(string name, DriftPolicyRule rule, IReadOnlyList<string>? methods, double alpha = 0.05)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (alpha is not (> 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must be in (0, 1)");
        if (methods is { Count: 0 }) throw new ArgumentException($"policy '{name}' names no method", nameof(methods));
        if (methods is null && rule != DriftPolicyRule.Majority) throw new ArgumentException("only a majority may leave its methods implicit", nameof(methods));
        Name = name;
        Rule = rule;
        Methods = methods;
        Alpha = alpha;
    }

    public string Name { get; }
    public DriftPolicyRule Rule { get; }
    public IReadOnlyList<string>? Methods { get; }
    public double Alpha { get; }

    /// <summary>
    /// Parses <c>default</c>, <c>any-of:mmd,ks</c>, <c>all-of:…</c>, <c>majority</c> (of every method run) or
    /// <c>majority:…</c>; method names must be numeric drift methods. Throws <see cref="FormatException"/> naming the valid forms.
    /// </summary>
    public static DriftPolicy Parse(string text, double alpha = 0.05)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim().ToLowerInvariant();
        if (t == DefaultName) return alpha == Default.Alpha ? Default : new DriftPolicy(DefaultName, Default.Rule, Default.Methods, alpha);
        if (t == "majority") return new DriftPolicy(t, DriftPolicyRule.Majority, null, alpha);
        var colon = t.IndexOf(':', StringComparison.Ordinal);
        var head = colon < 0 ? t : t[..colon];
        DriftPolicyRule? rule = head switch
        {
            "any-of" => DriftPolicyRule.AnyOf,
            "all-of" => DriftPolicyRule.AllOf,
            "majority" => DriftPolicyRule.Majority,
            _ => null,
        };
        if (rule is null || colon < 0)
            throw new FormatException($"'{text}' is not a drift policy; valid: {Forms}");
        var methods = t[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        if (methods.Count == 0) throw new FormatException($"'{text}' names no method; valid: {Forms}");
        var unknown = methods.Where(m => !DriftMethodNames.Numeric.Contains(m)).ToList();
        if (unknown.Count > 0)
            throw new FormatException($"'{text}': unknown method '{string.Join("', '", unknown)}'; valid: {string.Join(", ", DriftMethodNames.Numeric)}");
        return new DriftPolicy($"{head}:{string.Join(",", methods)}", rule.Value, methods, alpha);
    }

    /// <summary>The methods that must be run for this policy to decide (none beyond those run for an implicit majority).</summary>
    public IReadOnlyList<string> RequiredMethods => Methods ?? [];

    /// <summary>The verdict on one report's results; throws when a deciding method was not run.</summary>
    public DriftDecision Decide(IReadOnlyList<DriftResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var deciding = Methods ?? results.Select(r => r.Method).ToList();
        var missing = deciding.Where(m => results.All(r => r.Method != m)).ToList();
        if (missing.Count > 0 || deciding.Count == 0)
            throw new ArgumentException($"policy '{Name}' needs method(s) {string.Join(", ", missing)} which were not run");
        var m = deciding.Count;
        var k = Rule switch { DriftPolicyRule.AnyOf => 1, DriftPolicyRule.AllOf => m, _ => m / 2 + 1 };
        var methodAlpha = Alpha * k / m;
        var notes = new List<string>();
        var votes = deciding.Select(name =>
        {
            var r = results.First(x => x.Method == name);
            if (r.PValue is { } p)
            {
                // A permutation p-value is at least 1/(B+1): with too few permutations MMD can never vote drift.
                if (r.Details.GetValueOrDefault("permutations") is int b && 1.0 / (b + 1) >= methodAlpha)
                    notes.Add(Invariant($"{name}: {b} permutations cannot give p < {methodAlpha:G4} (smallest p is 1/{b + 1}); it cannot vote drift"));
                return new DriftVote(name, "p_value", p, methodAlpha, p < methodAlpha);
            }
            notes.Add($"{name} votes by its effect-size threshold, outside the α bound");
            return new DriftVote(name, "threshold", r.Statistic, r.Threshold, r.Drifted);
        }).ToList();
        var drift = votes.Count(v => v.Drifted) >= k;
        var correction = k == m ? "none" : k == 1 ? "bonferroni" : "markov";
        var ruleName = Rule switch { DriftPolicyRule.AnyOf => "any-of", DriftPolicyRule.AllOf => "all-of", _ => "majority" };
        var how = Rule switch
        {
            DriftPolicyRule.AnyOf when m == 1 => $"drift when {deciding[0]} votes drift",
            DriftPolicyRule.AnyOf => $"drift when any of {string.Join(", ", deciding)} votes drift",
            DriftPolicyRule.AllOf => $"drift when all of {string.Join(", ", deciding)} vote drift",
            _ => $"drift when at least {k} of {string.Join(", ", deciding)} vote drift",
        };
        var why = correction switch
        {
            "bonferroni" => Invariant($"a p-value method votes drift at p < {methodAlpha:G4} (α {Alpha:G4} / {m}, Bonferroni)"),
            "markov" => Invariant($"a p-value method votes drift at p < {methodAlpha:G4} (α {Alpha:G4} · {k}/{m}, Markov bound on the votes)"),
            _ => Invariant($"a p-value method votes drift at p < {methodAlpha:G4} (α, no correction needed)"),
        };
        return new DriftDecision(Name, ruleName, deciding, k, Alpha, correction, methodAlpha, $"{how}; {why}", votes, notes.Distinct().ToList()) { Drift = drift };
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// How a verdict was reached — the <c>policy</c> object of <c>obs drift --json</c>: the rule, its deciding methods, how many
/// votes it needs, α and the correction with the per-method level it gives, each method's vote, and notes.
/// </summary>
public sealed record DriftDecision(
    string Name, string Rule, IReadOnlyList<string> Methods, int VotesNeeded, double Alpha, string Correction, double MethodAlpha,
    string Description, IReadOnlyList<DriftVote> Votes, IReadOnlyList<string> Notes)
{
    /// <summary>The verdict; written as the report's top-level <c>drift</c>, not inside <c>policy</c>.</summary>
    [JsonIgnore]
    public bool Drift { get; init; }
}

/// <summary>One deciding method's vote: its p-value against the corrected level, or its statistic against its own threshold.</summary>
public sealed record DriftVote(string Method, string Basis, double Value, double Threshold, bool Drifted);
