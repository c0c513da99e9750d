using System.Diagnostics;
using System.Globalization;
using Observatory.Monitoring.Core.Drift;

namespace Observatory.Bench;

/// <summary>
/// False-alarm rate of every drift method at default settings on large no-drift windows (both sides N(0, I)), next to the
/// nominal level: α = 0.05 for the p-value tests; the effect-size thresholds have no nominal level (shown as "-").
/// Args: [--windows 100] [--n 2000] [--d 32]
/// </summary>
public sealed class DriftFalseAlarmBenchmark : IBenchmark
{
    public string Name => "drift-fpr";
    public string Description => "false-alarm rate of each drift method on no-drift windows vs nominal α";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int windows = Arg(args, "--windows", 100), n = Arg(args, "--n", 2000), d = Arg(args, "--d", 32);
        Console.WriteLine($"{windows} no-drift windows of {n} vs {n} samples, d={d}, default DriftOptions (seed = window index)");
        var alarms = DriftMethodNames.Numeric.ToDictionary(m => m, _ => 0);
        var sw = Stopwatch.StartNew();
        for (var w = 0; w < windows; w++)
        {
            var r = Gaussian(n, d, 10_000 + 2 * w);
            var c = Gaussian(n, d, 10_001 + 2 * w);
            var report = DriftRunner.Run(r, c, DriftMethodNames.Numeric, new DriftOptions { Seed = w }, cancellationToken: cancellationToken);
            foreach (var m in report.Methods) if (m.Drifted) alarms[m.Method]++;
        }
        Console.WriteLine($"{"method",-14}{"alarms",8}{"rate",9}{"nominal",9}");
        foreach (var (m, k) in alarms)
        {
            var nominal = m is DriftMethodNames.Mmd or DriftMethodNames.Ks ? "≤ 5.0%" : "-";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{m,-14}{k,8}{100.0 * k / windows,8:F1}%{nominal,9}"));
        }
        Console.WriteLine($"elapsed {sw.Elapsed.TotalSeconds:F1} s ({sw.Elapsed.TotalSeconds / windows:F2} s per window, all methods)");
        return Task.FromResult(0);
    }

    private static DataMatrix Gaussian(int rows, int cols, int seed)
    {
        var data = new double[rows * cols];
        MathNet.Numerics.Distributions.Normal.Samples(SeededRandom.Create(seed), data, 0.0, 1.0);
        return new DataMatrix(rows, cols, data);
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
