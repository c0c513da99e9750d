using Microsoft.Playwright;
using Observatory.DataService.Api.Tests.Seed;

namespace Observatory.Dashboard.Tests;

/// <summary>
/// One seeded registry, one seeded Monitoring service, one dashboard on 127.0.0.1 connected to both, and one Chromium for the
/// browser tests. Monitoring holds model <see cref="DriftingModel"/> (a reference period, then a shifted window: drift job run
/// <see cref="DriftRuns"/> times, its embedding-drift alert firing) and <see cref="QuietModel"/> (registered, no traffic).
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public SeededRegistry Registry { get; private set; } = null!;
    public const string DriftingModel = "shapes";
    public const string QuietModel = "digits";
    public const int DriftRuns = 3;
    public const double Accuracy = 0.95;
    public const string AlertSummary = "retraining recommended: input drift";

    public DashboardServer Server { get; private set; } = null!;
    public MonitoringService Monitoring { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        (Playwright, Browser) = await Tests.Browser.LaunchAsync();
        Registry = await SeededRegistry.CreateAsync();
        Monitoring = await MonitoringService.StartAsync();
        await SeedMonitoringAsync();
        Server = await DashboardServer.StartAsync(Registry.Root, environment: new Dictionary<string, string>
        {
            ["Dashboard__MonitoringUrl"] = Monitoring.BaseAddress.ToString(),
            ["Dashboard__MonitoringApiKey"] = MonitoringService.ApiKey,
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
            driftMethods = new[] { "mmd" },
            alertRules = new[] { new { id = "embedding-drift", kind = "embeddingDrift", severity = "warning", consecutiveWindows = 1, summary = AlertSummary } },
        });
        await Monitoring.RegisterAsync(QuietModel, new
        {
            classes = new[] { "zero", "one" },
            embeddingDimension = 8,
            baselineAccuracy = 0.95,
            schedule = "0 0 0 1 1 ? 2099",
        });
        await Monitoring.SendEventsAsync(DriftingModel, "ref", 300, now.AddHours(-3), now.AddHours(-2), 0, 1);
        var current = await Monitoring.SendEventsAsync(DriftingModel, "cur", 200, now.AddMinutes(-25), now, 1.0, 2);
        for (var i = 0; i < DriftRuns; i++) await Monitoring.RunDriftAsync(DriftingModel);
        // Feedback on 100 window events, 95 right: accuracy 0.95 over a 0.9 baseline (drifting, not degraded).
        await Monitoring.SendFeedbackAsync(DriftingModel, current.Take(100).Select((e, i) => (e.Key, i < 95 ? e.Value : e.Value == "circle" ? "square" : "circle")));
        await Monitoring.RunAccuracyAsync(DriftingModel);
        if ((await Monitoring.AlertsAsync(DriftingModel)).Length != 1)
            throw new InvalidOperationException($"seeding: expected one embedding-drift alert\n{Monitoring.Log}");
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
