using System.Diagnostics;
using System.Globalization;
using Observatory.Monitoring.Core.Drift;

namespace Observatory.Bench;

/// <summary>
/// The default drift policy (any-of:mmd,ks, Bonferroni at α = 0.05) as `obs drift` runs it: its false-alarm rate on no-drift
/// windows and its detection rate on three kinds of drift, at each window size. Only the deciding methods run (the others
/// do not change the verdict). Scenarios (d dimensions, N(0, I) reference unless said):
/// none — both sides N(0, I); shift — dimension 0 of current moved by --shift σ; scale — dimension 0 of current scaled by
/// --scale; rotation — both sides have pairs (0,1), (2,3)… correlated at ρ = --rho, current at −ρ (each pair's ellipse turned
/// 90°): every marginal stays N(0, 1), so only a joint test (MMD²) can see it. Columns: windows the verdict calls drift, the
/// Wilson 95 % interval of that rate, the windows each method voted drift (at its corrected level), and the rate the verdict
/// would have without the correction (any deciding method at its own α).
/// Args: [--windows 1000] [--detect-windows 200] [--sizes 2000,20000] [--d 8] [--shift 0.1] [--scale 1.1] [--rho 0.5]
/// [--policy default] [--scenarios none,shift,scale,rotation] [--first-window 0] (windows first…first+count−1: a later run with
/// another first window draws new, disjoint windows to narrow an estimate).
/// </summary>
public sealed class DriftPolicyBenchmark : IBenchmark
{
    public string Name => "drift-policy";
    public string Description => "false-alarm and detection rates of the drift verdict policy (default any-of:mmd,ks)";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int windows = Arg(args, "--windows", 1000), detectWindows = Arg(args, "--detect-windows", 200), d = Arg(args, "--d", 8);
        var sizes = Text(args, "--sizes", "2000,20000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        double shift = Number(args, "--shift", 0.1), scale = Number(args, "--scale", 1.1), rho = Number(args, "--rho", 0.5);
        var policy = DriftPolicy.Parse(Text(args, "--policy", DriftPolicy.DefaultName));
        var scenarios = Text(args, "--scenarios", string.Join(",", Scenarios)).Split(',');
        var first = Arg(args, "--first-window", 0);
        if (scenarios.Except(Scenarios).Any()) throw new ArgumentException($"--scenarios: valid: {string.Join(",", Scenarios)}");
        var methods = policy.RequiredMethods.Count > 0 ? policy.RequiredMethods : DriftMethodNames.Default;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"policy {policy.Name} (methods {string.Join(",", methods)}), d={d}, {Environment.ProcessorCount} cores; no-drift windows: {windows}, drift windows: {detectWindows} per scenario, from window {first}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scenarios: shift dim 0 by {shift}σ; scale dim 0 by {scale}; rotation ρ {rho} → −{rho} on every pair of dims"));
        Console.WriteLine($"{"n per side",10}  {"scenario",-9}{"windows",8}{"drift",7}{"rate",8}   {"95% CI (Wilson)",-17}{"by mmd",8}{"by ks",7}{"uncorrected",13}{"s/window",10}");
        var total = Stopwatch.StartNew();
        foreach (var n in sizes)
        {
            foreach (var scenario in scenarios)
            {
                var count = scenario == "none" ? windows : detectWindows;
                int drift = 0, byMmd = 0, byKs = 0, uncorrected = 0;
                var sw = Stopwatch.StartNew();
                for (var w = first; w < first + count; w++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var seed = 1_000_000 * Array.IndexOf(Scenarios, scenario) + 4 * w + n;
                    var (r, c) = Window(scenario, n, d, seed, shift, scale, rho);
                    var report = DriftRunner.Run(r, c, methods, new DriftOptions { Seed = w }, cancellationToken: cancellationToken).WithVerdict(policy);
                    if (report.Drift == true) drift++;
                    if (report.Policy!.Votes.Any(v => v.Method == DriftMethodNames.Mmd && v.Drifted)) byMmd++;
                    if (report.Policy.Votes.Any(v => v.Method == DriftMethodNames.Ks && v.Drifted)) byKs++;
                    // What the verdict would be without the correction: any deciding method at its own level.
                    if (report.Methods.Any(m => report.Policy.Methods.Contains(m.Method) && m.Drifted)) uncorrected++;
                }
                var (lo, hi) = Wilson(drift, count);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{n,10}  {scenario,-9}{count,8}{drift,7}{100.0 * drift / count,7:F1}%   [{100 * lo,5:F1}%, {100 * hi,5:F1}%]  {byMmd,6}{byKs,7}{100.0 * uncorrected / count,12:F1}%{sw.Elapsed.TotalSeconds / count,10:F3}"));
            }
        }
        Console.WriteLine($"elapsed {total.Elapsed.TotalMinutes:F1} min");
        return Task.FromResult(0);
    }

    internal static readonly string[] Scenarios = ["none", "shift", "scale", "rotation"];

    /// <summary>One window's reference and current samples for a scenario (see the class summary).</summary>
    internal static (DataMatrix Reference, DataMatrix Current) Window(string scenario, int n, int d, int seed, double shift, double scale, double rho)
    {
        var correlated = scenario == "rotation";
        var r = Gaussian(n, d, seed, correlated ? rho : 0);
        var c = Gaussian(n, d, seed + 1, correlated ? -rho : 0);
        for (var i = 0; i < n; i++)
        {
            if (scenario == "shift") c.Data[i * d] += shift;
            if (scenario == "scale") c.Data[i * d] *= scale;
        }
        return (r, c);
    }

    // Pairs (2k, 2k+1) with correlation rho and N(0, 1) marginals: x, rho·x + sqrt(1 − rho²)·y.
    private static DataMatrix Gaussian(int rows, int cols, int seed, double rho)
    {
        var data = new double[rows * cols];
        MathNet.Numerics.Distributions.Normal.Samples(SeededRandom.Create(seed), data, 0.0, 1.0);
        if (rho != 0)
        {
            var s = Math.Sqrt(1 - rho * rho);
            for (var i = 0; i < rows; i++)
                for (var j = 0; j + 1 < cols; j += 2)
                    data[i * cols + j + 1] = rho * data[i * cols + j] + s * data[i * cols + j + 1];
        }
        return new DataMatrix(rows, cols, data);
    }

    private static (double Lo, double Hi) Wilson(int k, int n)
    {
        const double z = 1.959964;
        double p = (double)k / n, denom = 1 + z * z / n, centre = (p + z * z / (2 * n)) / denom;
        var half = z * Math.Sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denom;
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    private static string Text(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private static int Arg(string[] args, string name, int fallback) => int.Parse(Text(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    private static double Number(string[] args, string name, double fallback) => double.Parse(Text(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
}
