using System.Text.Json;
using Microsoft.Playwright;
using Observatory.DataService.Api.Tests.Seed;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Workspace;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Storage;
using Observatory.Samples;

namespace Observatory.Dashboard.Tests;

/// <summary>
/// One seeded registry, one seeded Monitoring service, one dashboard on 127.0.0.1 connected to both, and one Chromium for the
/// browser tests. Monitoring holds model <see cref="DriftingModel"/> (a reference period, then a shifted window: drift job run
/// <see cref="DriftRuns"/> times, its embedding-drift alert firing; events carry image URIs served by the dashboard's /objects),
/// <see cref="QuietModel"/> (registered, no traffic), <see cref="LiveModel"/> (a reference period only: the live-update test sends
/// its window), <see cref="CameraModel"/> (uploaded images, darker and blurred in the window: image statistics drift) and
/// <see cref="HistoryModel"/> (<see cref="HistoryHours"/> hourly results written to the store before the service starts) and
/// <see cref="DatasetReferenceModel"/> (its reference is <see cref="ReferenceDataset"/>, a dataset version of the registry the dashboard
/// serves, so its typical files are objects the dashboard has).
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public SeededRegistry Registry { get; private set; } = null!;
    public const string DriftingModel = "shapes";
    public const string QuietModel = "digits";
    public const int DriftRuns = 3;
    public const double Accuracy = 0.95;
    public const string AlertSummary = "retraining recommended: input drift";
    public const string LiveModel = "live";
    public const string LiveAlertSummary = "live traffic drifted";
    public const string CameraModel = "cameras";
    public const int CameraImages = 40;
    public const string HistoryModel = "history";
    public const int HistoryHours = 720;
    /// <summary>Flagged history windows, in hours before the latest window.</summary>
    public static readonly int[] HistorySpikes = [48, 480];

    /// <summary>How many of <see cref="HistoryModel"/>'s latest windows carry per-class scores (labelled windows).</summary>
    public const int HistoryLabelledWindows = 3;
    /// <summary>A history window, in hours before the latest, whose confidences alone drifted: the service's stored flag stays false.</summary>
    public const int HistoryConfidenceDrift = 100;
    /// <summary>Output dimension of the service's shipped encoder (EncoderSpec.Default); the service rejects uploads for any other.</summary>
    public const int EncoderDimension = 152;
    /// <summary>A model whose reference is <see cref="ReferenceDataset"/> at <see cref="ReferenceCommit"/>; its window drifted.</summary>
    public const string DatasetReferenceModel = "gallery";
    /// <summary>A dataset added to <see cref="Registry"/> for <see cref="DatasetReferenceModel"/>: 24 images, over the 20 drift needs.</summary>
    public const string ReferenceDataset = "data/shapes";
    public const int ReferenceImages = 24;
    public string ReferenceCommit { get; private set; } = "";
    /// <summary>A dataset whose findings are about non-image files (<see cref="NonImageFindingsValidation"/>): an annotation JSON, a text file, an undecodable PNG.</summary>
    public const string FindingsDataset = "data/survey";
    /// <summary>Content hash of each file of <see cref="ReferenceDataset"/>, by path inside it, as written to disk.</summary>
    public IReadOnlyDictionary<string, string> ReferenceHashes { get; private set; } = new Dictionary<string, string>();
    public const int ModelCount = 6;
    /// <summary>A dataset of <see cref="GalleryImages"/> images, more than one gallery page (24) holds.</summary>
    public const string GalleryDataset = "data/atlas";
    public const int GalleryImages = 30;

    /// <summary>Image URIs (dashboard /objects paths of the registry's v2 images) the drifting model's events were sent with, by event id.</summary>
    public IReadOnlyDictionary<string, string> ImageUris { get; private set; } = new Dictionary<string, string>();

    public DashboardServer Server { get; private set; } = null!;
    public MonitoringService Monitoring { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        (Playwright, Browser) = await Tests.Browser.LaunchAsync();
        Registry = await SeededRegistry.CreateAsync();
        await AddReferenceDatasetAsync();
        await AddFindingsDatasetAsync();
        await AddGalleryDatasetAsync();
        Monitoring = await MonitoringService.StartAsync(SeedHistoryAsync);
        await SeedMonitoringAsync();
        Server = await DashboardServer.StartAsync(Registry.Root, environment: new Dictionary<string, string>
        {
            ["Dashboard__MonitoringUrl"] = Monitoring.BaseAddress.ToString(),
            ["Dashboard__MonitoringApiKey"] = MonitoringService.ApiKey,
            ["Dashboard__RefreshSeconds"] = "1",
        });
    }

    /// <summary>Real clock in the service: events are placed relative to now (reference 3–2 h ago, drifted traffic the last 25 min).</summary>
    private async Task SeedMonitoringAsync()
    {
        var now = DateTimeOffset.UtcNow;
        await Monitoring.RegisterAsync(DriftingModel, new
        {
            classes = new[] { "circle", "square", "triangle" },
            embeddingDimension = 8,
            baselineAccuracy = 0.9,
            referenceUntil = now.AddHours(-2),
            window = "00:30:00",
            schedule = "0 0 0 1 1 ? 2099",
            driftMethods = new[] { "mmd", "ks" },
            alertRules = new[] { new { id = "embedding-drift", kind = "embeddingDrift", severity = "warning", consecutiveWindows = 1, summary = AlertSummary } },
        });
        await Monitoring.RegisterAsync(QuietModel, new
        {
            classes = new[] { "zero", "one" },
            embeddingDimension = 8,
            baselineAccuracy = 0.95,
            schedule = "0 0 0 1 1 ? 2099",
        });
        var images = Registry.V2.Hashes.Where(h => h.Key.EndsWith(".jpg", StringComparison.Ordinal) || h.Key.EndsWith(".png", StringComparison.Ordinal))
            .OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"/objects/{h.Value}?name={Uri.EscapeDataString(Path.GetFileName(h.Key))}").ToList();
        var uris = new Dictionary<string, string>();
        string ImageFor(string prefix, int i) => uris[$"{prefix}-{i}"] = images[(prefix == "ref" ? i : i + 7) % images.Count];
        await Monitoring.SendEventsAsync(DriftingModel, "ref", 300, now.AddHours(-3), now.AddHours(-2), 0, 1, i => ImageFor("ref", i));
        // Every fifth window event without an image URI: the page shows a placeholder for those.
        var current = await Monitoring.SendEventsAsync(DriftingModel, "cur", 200, now.AddMinutes(-25), now, 1.0, 2, i => i % 5 == 4 ? null : ImageFor("cur", i));
        ImageUris = uris;
        for (var i = 0; i < DriftRuns; i++) await Monitoring.RunDriftAsync(DriftingModel);
        // Feedback on 100 window events, 95 right: accuracy 0.95 over a 0.9 baseline (drifting, not degraded).
        await Monitoring.SendFeedbackAsync(DriftingModel, current.Take(100).Select((e, i) => (e.Key, i < 95 ? e.Value : e.Value == "circle" ? "square" : "circle")));
        await Monitoring.RunAccuracyAsync(DriftingModel);
        if ((await Monitoring.AlertsAsync(DriftingModel)).Length != 1)
            throw new InvalidOperationException($"seeding: expected one embedding-drift alert\n{Monitoring.Log}");

        await Monitoring.RegisterAsync(LiveModel, new
        {
            classes = new[] { "circle", "square", "triangle" },
            embeddingDimension = 8,
            referenceUntil = now.AddHours(-2),
            window = "00:30:00",
            schedule = "0 0 0 1 1 ? 2099",
            driftMethods = new[] { "mmd" },
            alertRules = new[] { new { id = "live-drift", kind = "embeddingDrift", severity = "warning", consecutiveWindows = 1, summary = LiveAlertSummary } },
        });
        await Monitoring.SendEventsAsync(LiveModel, "ref", 300, now.AddHours(-3), now.AddHours(-2), 0, 3);

        await Monitoring.RegisterAsync(CameraModel, new
        {
            classes = new[] { "circle", "square", "triangle" },
            embeddingDimension = EncoderDimension,
            referenceUntil = now.AddHours(-2),
            window = "00:30:00",
            schedule = "0 0 0 1 1 ? 2099",
            driftMethods = new[] { "mmd" },
        });
        await Monitoring.UploadImagesAsync(CameraModel, "ref", RenderImages(CameraImages, 11, 0, 0), now.AddHours(-3), now.AddHours(-2), "circle");
        await Monitoring.UploadImagesAsync(CameraModel, "cur", RenderImages(CameraImages, 12, -0.4, 3), now.AddMinutes(-20), now, "circle");
        await Monitoring.RunDriftAsync(CameraModel);

        await Monitoring.RegisterAsync(DatasetReferenceModel, new
        {
            classes = new[] { "circle", "square", "triangle" },
            embeddingDimension = EncoderDimension,
            reference = new { repoPath = Registry.Root, pointerPath = ReferenceDataset + ".obs", revision = ReferenceCommit },
            window = "00:30:00",
            schedule = "0 0 0 1 1 ? 2099",
            driftMethods = new[] { "mmd" },
        });
        // Darkened and blurred: the window drifts, so the Model page shows its outliers beside the typical reference files.
        await Monitoring.UploadImagesAsync(DatasetReferenceModel, "cur", RenderImages(CameraImages, 13, -0.4, 3), now.AddMinutes(-20), now, "circle");
        await Monitoring.RunDriftAsync(DatasetReferenceModel);
        if (!(await Monitoring.DriftAsync(DatasetReferenceModel)).Last().GetProperty("flagged").GetBoolean())
            throw new InvalidOperationException($"seeding: expected the {DatasetReferenceModel} window to drift\n{(await Monitoring.DriftAsync(DatasetReferenceModel)).Last()}\n{Monitoring.Log}");
    }

    /// <summary>Versions <see cref="ReferenceDataset"/> in the registry (a commit after sample@v2 that leaves data/sample alone).</summary>
    private async Task AddReferenceDatasetAsync()
    {
        SampleDataset.Generate(Registry.Git.PathOf(ReferenceDataset), new SampleDatasetOptions { TrainCount = ReferenceImages, ValCount = 0, Seed = 21 });
        using var repo = ObsRepository.Open(Registry.Root, SeededRegistry.Environment());
        await AddOperation.RunAsync(repo, [repo.FullPath(ReferenceDataset)], new AddOptions(), CancellationToken.None);
        var commit = await CommitOperation.RunAsync(repo, new CommitOptions { Message = "Shapes: a model's reference", Tag = "" }, CancellationToken.None);
        ReferenceCommit = commit.Commit!;
        ReferenceHashes = Registry.Git.Snapshot(ReferenceDataset);
    }

    /// <summary>Versions <see cref="FindingsDataset"/> (after the reference's commit, leaving the other datasets alone).</summary>
    private async Task AddFindingsDatasetAsync()
    {
        Registry.Git.WriteFile($"{FindingsDataset}/images/a.png", SampleDataset.RenderImage(1, new SampleDatasetOptions(), out IReadOnlyList<SampleObject> _, png: true));
        var junk = new byte[2048];
        new Random(5).NextBytes(junk);
        Registry.Git.WriteFile($"{FindingsDataset}/images/broken.png", junk);
        Registry.Git.WriteFile($"{FindingsDataset}/annotations.json", """{"images":[{"id":1,"file_name":"a.png"},{"id":4,"file_name":"IMG_0004.jpg"}]}"""u8.ToArray());
        Registry.Git.WriteFile($"{FindingsDataset}/README.txt", "Survey photos."u8.ToArray());
        using var repo = ObsRepository.Open(Registry.Root, SeededRegistry.Environment());
        await AddOperation.RunAsync(repo, [repo.FullPath(FindingsDataset)], new AddOptions { Validation = new NonImageFindingsValidation(), AllowInvalid = true }, CancellationToken.None);
        await CommitOperation.RunAsync(repo, new CommitOptions { Message = "Survey: findings on non-image files", Tag = "" }, CancellationToken.None);
    }

    /// <summary>Versions <see cref="GalleryDataset"/> (the newest commit, leaving the other datasets alone).</summary>
    private async Task AddGalleryDatasetAsync()
    {
        SampleDataset.Generate(Registry.Git.PathOf(GalleryDataset), new SampleDatasetOptions { TrainCount = GalleryImages, ValCount = 0, Seed = 33 });
        using var repo = ObsRepository.Open(Registry.Root, SeededRegistry.Environment());
        await AddOperation.RunAsync(repo, [repo.FullPath(GalleryDataset)], new AddOptions(), CancellationToken.None);
        await CommitOperation.RunAsync(repo, new CommitOptions { Message = "Atlas: more images than a gallery page", Tag = "" }, CancellationToken.None);
    }

    private static List<byte[]> RenderImages(int n, int seed, double brightness, double blur)
    {
        var rng = new Random(seed);
        var o = new SampleDatasetOptions { BrightnessShift = brightness, Blur = blur };
        return Enumerable.Range(0, n).Select(_ => SampleDataset.RenderImage(rng.Next(), o, out IReadOnlyList<SampleObject> _)).ToList();
    }

    /// <summary>The latest window of <see cref="HistoryModel"/> ends at this hour; windows end every hour before it.</summary>
    public DateTimeOffset HistoryEnd { get; } = new(DateTimeOffset.UtcNow.Year, DateTimeOffset.UtcNow.Month, DateTimeOffset.UtcNow.Day, DateTimeOffset.UtcNow.Hour, 0, 0, TimeSpan.Zero);

    /// <summary>A month of hourly drift (MMD, p-value) and accuracy results, two of them flagged, written before the service starts.</summary>
    private async Task SeedHistoryAsync(string database)
    {
        var store = SqliteMonitoringStore.ForFile(database);
        await store.MigrateAsync();
        await store.UpsertModelAsync(new MonitoredModel
        {
            Name = HistoryModel, Classes = ["circle", "square", "triangle"], EmbeddingDimension = 8, BaselineAccuracy = 0.9, Window = TimeSpan.FromHours(1),
            Schedule = "0 0 0 1 1 ? 2099", CreatedAt = HistoryEnd.AddDays(-40), UpdatedAt = HistoryEnd.AddDays(-40),
        });
        for (var k = HistoryHours - 1; k >= 0; k--)
        {
            var end = HistoryEnd.AddHours(-k);
            var spike = HistorySpikes.Contains(k);
            var statistic = spike ? 0.4 : 0.01 + 0.001 * (k % 7);
            var pValue = spike ? 0.001 : 0.5;
            var confidenceDrift = k == HistoryConfidenceDrift;
            var drift = new
            {
                window = new { model = HistoryModel, windowStart = end.AddHours(-1), windowEnd = end, eventCount = 100, embeddingDrift = spike, confidenceDrift },
                embedding = new { methods = new[] { new { method = "mmd", statistic, pValue, threshold = 0.05, drifted = spike, details = new { } } } },
            };
            await store.AddResultAsync(new StoredResult(HistoryModel, "drift", end.AddHours(-1), end, 100, spike, statistic, JsonSerializer.Serialize(drift, MonitoringJson.Options), end));
            // The latest windows were labelled: per-class scores and a confusion matrix that differs window to window.
            var confusion = k < HistoryLabelledWindows ? new[] { new long[] { 30 - k, k, 0 }, new long[] { 2, 28, 0 }, new long[] { 0, 3 * k, 37 - 3 * k } } : null;
            var metrics = confusion is null ? null : new
            {
                count = 100, accuracy = 0.93, macroF1 = 0.9 - 0.01 * k,
                recall = confusion.Select((row, t) => (double?)row[t] / row.Sum()).ToArray(), f1 = new[] { 0.9, 0.9, 0.9 }, confusion,
            };
            var accuracy = new { window = new { accuracy = spike ? 0.8 : 0.93 }, labelled = metrics is null ? 0 : 100, metrics, baselineAccuracy = 0.9 };
            await store.AddResultAsync(new StoredResult(HistoryModel, "accuracy", end.AddHours(-1), end, 100, spike, spike ? 0.8 : 0.93, JsonSerializer.Serialize(accuracy, MonitoringJson.Options), end));
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    public async Task<IPage> NewPageAsync(Uri? baseAddress = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = (baseAddress ?? Server.BaseAddress).ToString(),
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
        });
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        if (Monitoring is not null) await Monitoring.DisposeAsync();
        if (Browser is not null) await Browser.DisposeAsync();
        Playwright?.Dispose();
        Registry?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
