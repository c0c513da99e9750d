using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Validation;
using Observatory.DataService.Imaging;
using Observatory.Samples;

namespace Observatory.Bench;

/// <summary>
/// `obs validate` on 5,000 JPEGs (640×480) with YOLO labels vs a Pillow script doing decode + variance + YOLO checks
/// (scripts/validate_pillow.py, Debian's /usr/bin/python3), then a warm re-validation from the file cache.
/// args: [--count N] [--dir D] [--runs R]
/// </summary>
public sealed class ValidateBenchmark : IBenchmark
{
    public string Name => "validate";
    public string Description => "obs validate (cold, warm cache) vs Pillow decode+variance+YOLO script on 5,000 640x480 JPEGs";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = 5000;
        var runs = 3;
        string? dir = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--count": count = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--dir": dir = args[i + 1]; break;
                case "--runs": runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        dir ??= Path.Combine(Path.GetTempPath(), $"obs-bench-validate-{count}");
        var script = FindScript();
        var marker = Path.Combine(dir, ".generated");
        if (!File.Exists(marker))
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            var g = Stopwatch.StartNew();
            var train = count * 4 / 5;
            SampleDataset.Generate(dir, new SampleDatasetOptions { TrainCount = train, ValCount = count - train, Width = 640, Height = 480, PngShare = 0 });
            File.WriteAllText(marker, "ok");
            Console.Error.WriteLine($"generated {count} images in {g.Elapsed.TotalSeconds:F1} s at {dir}");
        }

        var h = Stopwatch.StartNew();
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".generated", StringComparison.Ordinal))
            .AsParallel()
            .Select(f => new TreeEntry(Path.GetRelativePath(dir, f).Replace('\\', '/'), ContentHash.Compute(File.ReadAllBytes(f)), new FileInfo(f).Length))
            .OrderBy(e => e.Path, StringComparer.Ordinal)
            .ToList();
        var hashSeconds = h.Elapsed.TotalSeconds;

        var rules = new ValidationRules();
        var cold = new List<double>();
        var warm = new List<double>();
        var python = new List<double>();
        var noCache = new List<double>();
        var pythonDraft = new List<double>();
        ValidationReport? report = null;
        JsonElement pyResult = default;
        long warmDecodes = 0, coldDecodes = 0;
        for (var r = 0; r < runs; r++)
        {
            // Peer first, then Observatory, alternating per run so neither always gets a warmer page cache.
            var (pySeconds, py) = RunPython(script, dir, draft: false);
            python.Add(pySeconds);
            pyResult = py;
            pythonDraft.Add(RunPython(script, dir, draft: true).Seconds);

            var plain = Stopwatch.StartNew();
            await new DatasetValidator(new SkiaImageInspector()).ValidateAsync(dir, "data/bench", files, rules, null, null, cancellationToken);
            noCache.Add(plain.Elapsed.TotalSeconds);

            var cacheDir = Path.Combine(Path.GetTempPath(), $"obs-bench-validate-cache-{Environment.ProcessId}");
            if (Directory.Exists(cacheDir)) Directory.Delete(cacheDir, recursive: true);
            var counting = new CountingInspector(new SkiaImageInspector());
            var validator = new DatasetValidator(counting);
            var cache = new FileValidationCache(cacheDir);
            var sw = Stopwatch.StartNew();
            report = await validator.ValidateAsync(dir, "data/bench", files, rules, cache, null, cancellationToken);
            cold.Add(sw.Elapsed.TotalSeconds);
            coldDecodes = counting.Calls;

            counting.Calls = 0;
            var fresh = new FileValidationCache(cacheDir); // a new process would start with only the files on disk
            sw.Restart();
            await validator.ValidateAsync(dir, "data/bench", files, rules, fresh, null, cancellationToken);
            warm.Add(sw.Elapsed.TotalSeconds);
            warmDecodes = counting.Calls;
            Directory.Delete(cacheDir, recursive: true);
        }

        var images = files.Count(f => f.Path.StartsWith("images/", StringComparison.Ordinal));
        double obsCold = Median(cold), obsWarm = Median(warm), py0 = Median(python);
        Console.WriteLine($"validate: {images} JPEG 640x480 + {files.Count(f => f.Path.StartsWith("labels/", StringComparison.Ordinal))} YOLO labels + COCO json, {Environment.ProcessorCount} cores, median of {runs} runs");
        var pyDraft = Median(pythonDraft);
        var noCacheMedian = Median(noCache);
        Console.WriteLine($"{"",-50} {"Observatory",12} {"peer",12} {"ratio",8}");
        Console.WriteLine($"{"cold validate vs Pillow full decode, s",-50} {obsCold,12:F3} {py0,12:F3} {py0 / obsCold,7:F2}x");
        Console.WriteLine($"{"cold validate vs Pillow draft (same DCT scale), s",-50} {obsCold,12:F3} {pyDraft,12:F3} {pyDraft / obsCold,7:F2}x");
        Console.WriteLine($"{"cold, no cache at all vs Pillow full decode, s",-50} {noCacheMedian,12:F3} {py0,12:F3} {py0 / noCacheMedian,7:F2}x");
        Console.WriteLine($"{"re-validate unchanged (warm cache) vs Pillow, s",-50} {obsWarm,12:F3} {py0,12:F3} {py0 / obsWarm,7:F2}x");
        Console.WriteLine($"images decoded: cold {coldDecodes}, warm {warmDecodes}");
        Console.WriteLine($"(hashing the {files.Count} files, done by `obs add` before validation and not included above: {hashSeconds:F3} s)");
        Console.WriteLine($"all runs, s: observatory cold [{Join(cold)}] no-cache [{Join(noCache)}] warm [{Join(warm)}] pillow [{Join(python)}] pillow-draft [{Join(pythonDraft)}]");
        Console.WriteLine($"findings: observatory errors {report!.Summary.Errors} warnings {report.Summary.Warnings} by rule {JsonSerializer.Serialize(report.Summary.ByRule)}");
        Console.WriteLine($"          pillow      errors {pyResult.GetProperty("errors")} warnings {pyResult.GetProperty("warnings")} by rule {pyResult.GetProperty("by_rule")}");
        foreach (var f in report.Findings.Where(f => f.Severity != Severity.Info).Take(12)) Console.WriteLine($"  {f.Rule} {f.Path}: {f.Message}");
        Console.WriteLine($"goal: cold >= 3x Pillow: {(py0 / obsCold >= 3 ? "met" : "NOT met")} (like-for-like draft: {(pyDraft / obsCold >= 3 ? "met" : "NOT met")}); warm <= 1 s: {(obsWarm <= 1 ? "met" : "NOT met")}");
        return 0;
    }

    private static (double Seconds, JsonElement Result) RunPython(string script, string dir, bool draft)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(dir);
        if (draft) psi.ArgumentList.Add("--draft");
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        var seconds = sw.Elapsed.TotalSeconds;
        if (p.ExitCode != 0) throw new InvalidOperationException($"validate_pillow.py failed ({p.ExitCode}): {stderr}");
        return (seconds, JsonDocument.Parse(stdout).RootElement.Clone());
    }

    private static string FindScript()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "bench", "Observatory.Bench", "scripts", "validate_pillow.py");
            if (File.Exists(candidate)) return candidate;
            candidate = Path.Combine(d.FullName, "scripts", "validate_pillow.py");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("bench/Observatory.Bench/scripts/validate_pillow.py not found above " + AppContext.BaseDirectory);
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    private static string Join(IEnumerable<double> xs) => string.Join(", ", xs.Select(x => x.ToString("F3", CultureInfo.InvariantCulture)));

    /// <summary>Counts decodes, to show the warm run decodes nothing.</summary>
    private sealed class CountingInspector(IImageInspector inner) : IImageInspector
    {
        public long Calls;
        public string Version => inner.Version;

        public ImageInspection Inspect(byte[] content, ImageInspectionLimits limits)
        {
            Interlocked.Increment(ref Calls);
            return inner.Inspect(content, limits);
        }
    }
}
