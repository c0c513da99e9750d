using Observatory.Testing;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Accuracy;
using Observatory.Monitoring.Core.Alerts;
using Observatory.Monitoring.Core.Drift;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Storage;

namespace Observatory.Bench;

/// <summary>
/// First render of the dashboard's Model page over a year of hourly results: 8,760 drift results (real reports of MMD² + KS on 512-d
/// embeddings, prediction and confidence drift) and 8,760 accuracy results are written to a SQLite store, the Monitoring service
/// (separate process) serves them, the dashboard (separate process) asks for the series thinned to 300 points, and headless Debian
/// Chromium (Playwright) opens /models/{name}. Timed from navigation to the interactive page with both charts drawn. Goal ≤ 1 s.
/// Args: [--hours 8760] [--runs 5]
/// </summary>
public sealed class DashboardRenderBenchmark : IBenchmark
{
    private const string ModelName = "year";
    public string Name => "dashboard-render";
    public string Description => "first render of the Model page with a year of hourly drift and accuracy results (goal <= 1 s)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int hours = Arg(args, "--hours", 8760), runs = Arg(args, "--runs", 5);
        if (!File.Exists("/usr/bin/chromium")) { Console.Error.WriteLine("/usr/bin/chromium missing: run scripts/setup-test-deps.sh"); return 1; }
        var dir = Directory.CreateTempSubdirectory("obs-bench-dash-").FullName;
        try
        {
            var cs = $"Data Source={Path.Combine(dir, "monitoring.db")}";
            var seed = Stopwatch.StartNew();
            await SeedAsync(new SqliteMonitoringStore(cs), hours, cancellationToken);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Console.WriteLine($"dashboard-render benchmark: {hours:N0} hourly drift + {hours:N0} accuracy results seeded in {seed.Elapsed.TotalSeconds:0.0} s ({new FileInfo(Path.Combine(dir, "monitoring.db")).Length / 1048576.0:0} MiB SQLite), {Environment.ProcessorCount} cores");

            await using var monitoring = await MonitoringBenchHost.StartAsync(new Dictionary<string, string> { ["ConnectionStrings:Monitoring"] = cs }, cancellationToken);
            var api = new Dictionary<string, List<double>> { ["full"] = [], ["compact"] = [] };
            foreach (var details in api.Keys)
                for (var i = 0; i < runs + 1; i++)
                {
                    var sw = Stopwatch.StartNew();
                    using var r = await monitoring.Client.GetAsync($"/api/models/{ModelName}/drift?maxPoints=300&details={details}", cancellationToken);
                    var body = await r.Content.ReadAsByteArrayAsync(cancellationToken);
                    if (i > 0) api[details].Add(sw.Elapsed.TotalSeconds);
                    if (i == 0) Console.WriteLine($"API: drift?maxPoints=300&details={details} -> {JsonDocument.Parse(body).RootElement.GetArrayLength()} of {r.Headers.GetValues("X-Total-Count").Single()} windows, {body.Length / 1024.0:N0} KiB");
                }

            await using var dashboard = await DashboardProcess.StartAsync(monitoring.Client.BaseAddress!, cancellationToken);
            using var pw = await Playwright.CreateAsync();
            await using var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = "/usr/bin/chromium", Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            (double Html, double Ready) cold;
            try { cold = await MeasureAsync(browser, dashboard.BaseAddress); }
            catch (TimeoutException) { Console.Error.WriteLine("the Model page never became ready; dashboard log:\n" + dashboard.Log); throw; }
            var warm = new List<(double Html, double Ready)>();
            for (var i = 0; i < runs; i++) warm.Add(await MeasureAsync(browser, dashboard.BaseAddress));
            // A returning visitor: scripts and styles already in the browser cache (one context, a new tab each time).
            await using var returning = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
            await MeasureAsync(browser, dashboard.BaseAddress, returning);
            var cached = new List<(double Html, double Ready)>();
            for (var i = 0; i < runs; i++) cached.Add(await MeasureAsync(browser, dashboard.BaseAddress, returning));
            var html = Median(warm.Select(w => w.Html));
            var ready = Median(warm.Select(w => w.Ready));

            Console.WriteLine();
            Console.WriteLine($"{"",-58} {"seconds",8}");
            Console.WriteLine($"{"API drift series, 8,760 -> 300 points, full details",-58} {Median(api["full"]),8:0.000}");
            Console.WriteLine($"{"API drift series, 8,760 -> 300 points, compact (dashboard)",-58} {Median(api["compact"]),8:0.000}");
            Console.WriteLine($"{"Model page, first visit after dashboard start (cold)",-58} {cold.Ready,8:0.000}");
            Console.WriteLine($"{"Model page, HTML shell loaded (median of " + runs + ")",-58} {html,8:0.000}");
            Console.WriteLine($"{"Observatory: Model page interactive, charts drawn (median)",-58} {ready,8:0.000}");
            Console.WriteLine($"{"  same, browser cache warm (returning visitor, median)",-58} {Median(cached.Select(w => w.Ready)),8:0.000}");
            Console.WriteLine($"{"goal",-58} {1.0,8:0.000}");
            Console.WriteLine($"ratio (Observatory / goal): {ready:0.00} empty cache, {Median(cached.Select(w => w.Ready)):0.00} warm cache");
            Console.WriteLine($"runs, empty cache: {string.Join(", ", warm.Select(w => w.Ready.ToString("0.000", CultureInfo.InvariantCulture)))}; warm cache: {string.Join(", ", cached.Select(w => w.Ready.ToString("0.000", CultureInfo.InvariantCulture)))}");
            return 0;
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    /// <summary>Navigation start to the interactive page showing both charts with their lines; a fresh context (empty cache) unless one is shared.</summary>
    private static async Task<(double Html, double Ready)> MeasureAsync(IBrowser browser, Uri baseAddress, IBrowserContext? shared = null)
    {
        var context = shared ?? await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        try
        {
            var page = await context.NewPageAsync();
            var result = await MeasurePageAsync(page, baseAddress);
            await page.CloseAsync();
            return result;
        }
        finally
        {
            if (shared is null) await context.DisposeAsync();
        }
    }

    private static async Task<(double Html, double Ready)> MeasurePageAsync(IPage page, Uri baseAddress)
    {
        var sw = Stopwatch.StartNew();
        await page.GotoAsync(new Uri(baseAddress, $"models/{ModelName}").ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.DOMContentLoaded });
        var html = sw.Elapsed.TotalSeconds;
        await page.WaitForFunctionAsync("""
            () => document.querySelector('[data-testid=model-page][data-interactive=true]')
               && document.querySelector('[data-testid=drift-chart] .rz-line-series path')
               && document.querySelector('[data-testid=accuracy-chart] .rz-line-series path')
            """, null, new PageWaitForFunctionOptions { Timeout = 60_000, PollingInterval = 10 });
        var ready = sw.Elapsed.TotalSeconds;
        var shown = await page.GetByTestId("drift-points").TextContentAsync();
        if (shown != "300") throw new InvalidOperationException($"expected 300 drift windows shown, the page says {shown}");
        return (html, ready);
    }

    private static async Task SeedAsync(SqliteMonitoringStore store, int hours, CancellationToken ct)
    {
        await store.MigrateAsync(ct);
        var end = new DateTimeOffset(DateTimeOffset.UtcNow.Year, DateTimeOffset.UtcNow.Month, DateTimeOffset.UtcNow.Day, DateTimeOffset.UtcNow.Hour, 0, 0, TimeSpan.Zero);
        string[] classes = ["circle", "square", "triangle"];
        await store.UpsertModelAsync(new MonitoredModel
        {
            Name = ModelName, Classes = classes, EmbeddingDimension = 512, BaselineAccuracy = 0.9, Window = TimeSpan.FromHours(1),
            Schedule = "0 0 0 1 1 ? 2099", DriftMethods = [DriftMethodNames.Mmd, DriftMethodNames.Ks], CreatedAt = end, UpdatedAt = end,
        }, ct);
        // A few real drift runs (quiet and drifted) reused across the year: the JSON each window stores is what the service writes.
        var options = new DriftOptions();
        var templates = Enumerable.Range(0, 8).Select(t => Template(t, t == 7 ? 0.6 : 0, options, ct)).ToList();
        var rng = new Random(7);
        for (var h = 0; h < hours; h++)
        {
            var (start, stop) = (end.AddHours(h - hours), end.AddHours(h - hours + 1));
            var drifted = h % 997 == 500;
            var t = drifted ? templates[7] : templates[h % 7];
            var window = t.Window with { Model = ModelName, WindowStart = start, WindowEnd = stop, EventCount = 400 };
            await store.AddResultAsync(new StoredResult(ModelName, StoredResults.Drift, start, stop, 400, window.EmbeddingDrift == true,
                t.Embedding!.Methods[0].Statistic, StoredResults.Serialize(t with { Window = window }), stop), ct);
            var truth = Enumerable.Range(0, 100).Select(_ => rng.Next(3)).ToList();
            var accuracyTarget = drifted ? 0.7 : 0.93;
            var predicted = truth.Select(c => rng.NextDouble() < accuracyTarget ? c : (c + 1) % 3).ToList();
            var metrics = ClassificationMetrics.Compute(truth, predicted, classes.Length);
            var acc = new AccuracyRun(new WindowResult { Model = ModelName, WindowStart = start, WindowEnd = stop, EventCount = 400, Accuracy = metrics.Accuracy },
                100, metrics.ToScores(), 0.9, 300, null);
            await store.AddResultAsync(new StoredResult(ModelName, StoredResults.Accuracy, start, stop, 400, metrics.Accuracy < 0.9, metrics.Accuracy,
                StoredResults.Serialize(acc), stop), ct);
        }
    }

    private static DriftRun Template(int seed, double shift, DriftOptions options, CancellationToken ct)
    {
        var rng = new Random(seed);
        const int n = 200, d = 512;
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var r = new DataMatrix(n, d, Enumerable.Range(0, n * d).Select(_ => Normal()).ToArray());
        var c = new DataMatrix(n, d, Enumerable.Range(0, n * d).Select(_ => Normal() + shift).ToArray());
        var embedding = DriftRunner.Run(r, c, [DriftMethodNames.Mmd, DriftMethodNames.Ks], options, cancellationToken: ct);
        var prediction = DriftRunner.RunCategorical(Enumerable.Range(0, n).Select(_ => rng.Next(3)).ToList(), Enumerable.Range(0, n).Select(_ => rng.Next(3)).ToList(), options);
        var confidence = DriftRunner.RunNumeric(Enumerable.Range(0, n).Select(_ => 0.7 + 0.3 * rng.NextDouble()).ToList(), Enumerable.Range(0, n).Select(_ => 0.7 + 0.3 * rng.NextDouble()).ToList(), options);
        var placeholder = new WindowResult { Model = ModelName, WindowStart = default, WindowEnd = default, EventCount = n };
        return DriftRuns.Create(placeholder, embedding, prediction, confidence, null, null, null, null);
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>The dashboard's own build output as a process on loopback, Development environment (static web assets from the build manifest).</summary>
    private sealed class DashboardProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _log = new();
        public Uri BaseAddress { get; }
        public string Log { get { lock (_log) return _log.ToString(); } }

        private DashboardProcess(Process process, Uri baseAddress) => (_process, BaseAddress) = (process, baseAddress);

        public static async Task<DashboardProcess> StartAsync(Uri monitoring, CancellationToken ct)
        {
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            var project = Path.Combine(RepoLocator.Root, "Dashboard", "Observatory.Dashboard");
            var dll = Path.Combine(project, "bin", configuration, "net10.0", "Observatory.Dashboard.dll");
            var port = Ports.Free();
            var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = project, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { dll, "--urls", $"http://127.0.0.1:{port}", "--contentRoot", project }) psi.ArgumentList.Add(a);
            psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
            psi.Environment["Dashboard__MonitoringUrl"] = monitoring.ToString();
            psi.Environment["Dashboard__RepositoryPath"] = Path.GetTempPath();
            psi.Environment["Logging__LogLevel__Default"] = "Warning";
            var p = Process.Start(psi)!;
            var host = new DashboardProcess(p, new Uri($"http://127.0.0.1:{port}/"));
            p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (host._log) host._log.AppendLine(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (host._log) host._log.AppendLine(e.Data); };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < TimeSpan.FromSeconds(90))
            {
                if (p.HasExited) throw new InvalidOperationException($"dashboard exited with {p.ExitCode}:\n{host._log}");
                try { if ((await http.GetAsync("healthz", ct)).IsSuccessStatusCode) return host; }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
                await Task.Delay(100, ct);
            }
            throw new TimeoutException($"dashboard did not become healthy in 90 s:\n{host._log}");
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }
    }
}
