using System.Diagnostics;
using System.Globalization;
using Observatory.Cli;
using Observatory.DataService.Core.Queries;
using Observatory.Samples;

namespace Observatory.Bench;

/// <summary>
/// The Datasets page's gallery and class balance over a committed version of N labelled images (default 5,000: 4,000 train and
/// 1,000 val, 320×240, YOLO labels): the first page with a fresh catalog (every label file read once, into the per-tree index
/// both views share), later pages, a class filter and a validation-rule filter, and the class balance after the gallery (served
/// from the same index). Beside it, the floor: `cat` of every label file. Figures are medians of --runs fresh catalogs.
/// args: [--count N] [--runs R]
/// </summary>
public sealed class GalleryBenchmark : IBenchmark
{
    public string Name => "gallery";
    public string Description => "dataset gallery pages and class balance over a version of 5,000 labelled images (cold index, warm pages, filters)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = Arg(args, "--count", 5000);
        var runs = Arg(args, "--runs", 5);
        var repo = Path.Combine(Path.GetTempPath(), $"obs-bench-gallery-{count}");
        if (!File.Exists(Path.Combine(repo, ".generated")))
        {
            if (Directory.Exists(repo)) Directory.Delete(repo, recursive: true);
            Directory.CreateDirectory(repo);
            var g = Stopwatch.StartNew();
            BenchProcess.EnsureOk(await BenchProcess.ShellAsync("git init -q . && git config user.email b@b && git config user.name b", repo, cancellationToken), "git init");
            BenchProcess.EnsureOk(await BenchProcess.ObsAsync(repo, cancellationToken, "init"), "obs init");
            var train = count * 4 / 5;
            SampleDataset.Generate(Path.Combine(repo, "data", "shapes"), new SampleDatasetOptions { TrainCount = train, ValCount = count - train, Width = 320, Height = 240 });
            BenchProcess.EnsureOk(await BenchProcess.ObsAsync(repo, cancellationToken, "add", "data/shapes"), "obs add");
            BenchProcess.EnsureOk(await BenchProcess.ObsAsync(repo, cancellationToken, "commit", "-m", "v1"), "obs commit");
            File.WriteAllText(Path.Combine(repo, ".generated"), "ok");
            Console.Error.WriteLine($"generated and committed {count:N0} images in {g.Elapsed.TotalSeconds:F1} s at {repo}");
        }
        const string dataset = "data/shapes";
        var environment = CliEnvironment.Create();

        var floor = new List<double>();
        var cold = new List<double>();
        var warm = new List<double>();
        var later = new List<double>();
        var byClass = new List<double>();
        var byRule = new List<double>();
        var balance = new List<double>();
        var balanceCold = new List<double>();
        GalleryPage? first = null;
        string? rule = null;
        for (var r = 0; r < runs; r++)
        {
            var f = await BenchProcess.ShellAsync("find data/shapes/labels -type f -exec cat {} + > /dev/null", repo, cancellationToken);
            floor.Add(f.Elapsed.TotalSeconds);

            var catalog = new DatasetCatalog(repo, environment);
            first = await Time(cold, () => catalog.GalleryAsync(dataset, "HEAD", null, null, 0, 48, cancellationToken));
            await Time(warm, () => catalog.GalleryAsync(dataset, "HEAD", null, null, 0, 48, cancellationToken));
            await Time(later, () => catalog.GalleryAsync(dataset, "HEAD", null, null, 40, 48, cancellationToken));
            await Time(byClass, () => catalog.GalleryAsync(dataset, "HEAD", 2, null, 3, 48, cancellationToken));
            rule ??= first.Rules.FirstOrDefault();
            if (rule is not null) await Time(byRule, () => catalog.GalleryAsync(dataset, "HEAD", null, rule, 0, 48, cancellationToken));
            await Time(balance, () => catalog.ClassBalanceAsync(dataset, "HEAD", cancellationToken));
            await Time(balanceCold, () => new DatasetCatalog(repo, environment).ClassBalanceAsync(dataset, "HEAD", cancellationToken));
        }
        using var self = Process.GetCurrentProcess();
        Console.WriteLine($"gallery benchmark: {first!.Total:N0} images in {dataset}, pages of 48, {runs} runs (median), {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"step",-58} {"seconds",9}");
        void Row(string what, List<double> s) { if (s.Count > 0) Console.WriteLine($"{what,-58} {Median(s),9:F3}"); }
        Row("floor: cat every label file (find -exec cat)", floor);
        Row("first page, fresh catalog (reads every label once)", cold);
        Row("same page again", warm);
        Row("page 41", later);
        Row("class filter (class 2), page 4", byClass);
        Row($"rule filter ({rule ?? "none"}), page 1", byRule);
        Row("class balance after the gallery (shared index)", balance);
        Row("class balance, fresh catalog", balanceCold);
        Console.WriteLine($"peak working set of the benchmark process: {BenchProcess.Mb(self.PeakWorkingSet64)}");
        return 0;
    }

    private static async Task<T> Time<T>(List<double> into, Func<Task<T>> step)
    {
        var sw = Stopwatch.StartNew();
        var result = await step();
        into.Add(sw.Elapsed.TotalSeconds);
        return result;
    }

    private static double Median(List<double> s)
    {
        var o = s.Order().ToList();
        return o.Count % 2 == 1 ? o[o.Count / 2] : (o[o.Count / 2 - 1] + o[o.Count / 2]) / 2;
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
