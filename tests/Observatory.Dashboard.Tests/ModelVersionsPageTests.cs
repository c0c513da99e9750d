using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Observatory.Dashboard.Tests;

/// <summary>
/// The Model page's versions: the current one with its stage, the one it replaced, where the new one took over, and each
/// version's accuracy compared.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class ModelVersionsPageTests(DashboardFixture fx)
{
    private static object Definition(string version, string stage) => new
    {
        version, stage, classes = new[] { "cat", "dog" }, baselineAccuracy = 0.9,
        window = "01:00:00", schedule = "0 0 0 1 1 ? 2099",
    };

    private static async Task SendAsync(OwnDashboard own, string prefix, int count, int wrongEvery)
    {
        var now = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, count).Select(i => new
        {
            id = $"{prefix}{i}", timestamp = now.AddMinutes(-20).AddSeconds(i), predictedClass = i % wrongEvery == 0 ? "dog" : "cat",
            confidence = 0.8, trueClass = "cat",
        });
        using var r = await own.Monitoring.Client.PostAsJsonAsync("api/models/pets/events", new { events });
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ModelPage_ShowsTheCurrentVersionAndTheOneItReplaced_AndEachVersionsAccuracy()
    {
        await using var own = await OwnDashboard.StartAsync(fx);
        await own.Monitoring.RegisterAsync("pets", Definition("1", "production"));
        await SendAsync(own, "a", 40, wrongEvery: 4);
        await own.Monitoring.RunDriftAsync("pets");                      // a window served by version 1
        await own.Monitoring.RegisterAsync("pets", Definition("2", "staging"));
        await SendAsync(own, "b", 60, wrongEvery: 10);
        await own.Monitoring.RunDriftAsync("pets");                      // version 2 serves most of this one
        using (var run = await own.Monitoring.Client.PostAsync("api/models/pets/jobs/accuracy/run?wait=true", null))
            Assert.True(run.IsSuccessStatusCode, await run.Content.ReadAsStringAsync());

        var page = await fx.NewPageAsync(own.Server.BaseAddress);
        Assert.Equal(200, (await page.GotoAsync("models/pets"))!.Status);
        await Browser.WaitForCircuitAsync(page);
        // Loaded, not just connected: a loaded 2-core machine renders the data well after the circuit is up.
        await Expect(page.Locator("[data-testid=model-page][data-interactive=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
        var versions = page.GetByTestId("model-versions");
        await Expect(versions.GetByTestId("model-version")).ToHaveTextAsync("2");
        await Expect(versions).ToContainTextAsync("(staging)");
        var previous = versions.GetByTestId("previous-version");
        await Expect(previous).ToHaveCountAsync(1);
        await Expect(previous).ToContainTextAsync("production");
        await Expect(previous.Locator("td").First).ToHaveTextAsync("1");
        await Expect(previous.Locator("td").Last).ToHaveTextAsync("yes");
        // Where version 2 took over is marked.
        await Expect(page.GetByTestId("version-change")).ToContainTextAsync("Model version 2 took over");
        // Both versions' own accuracy is drawn beside the window's.
        var chart = page.GetByTestId("accuracy-chart");
        await Expect(chart).ToContainTextAsync("version 1");
        await Expect(chart).ToContainTextAsync("version 2");
        // And side by side: version 1 fell 15 points below its baseline (30 of 40 right), version 2 holds it (54 of 60).
        var v1 = page.Locator("[data-testid=version-row][data-version='1']");
        var v2 = page.Locator("[data-testid=version-row][data-version='2']");
        await Expect(v1.GetByTestId("version-accuracy")).ToContainTextAsync("75.0");
        await Expect(v1.GetByTestId("version-vs-baseline")).ToHaveTextAsync("−15.0 pts");
        await Expect(v2.GetByTestId("version-accuracy")).ToContainTextAsync("90.0");
        await Expect(v2).ToContainTextAsync("2 (now)");
        await Expect(v1.GetByTestId("version-drifted")).ToHaveTextAsync("—");   // no embeddings: not measured
        await Browser.ScreenshotAsync(page, "model-versions");
    }

    [Fact]
    public async Task ModelPage_SaysWhichVersionsEmbeddingsDrifted_WhenTwoServedTheWindow()
    {
        await using var own = await OwnDashboard.StartAsync(fx);
        var now = DateTimeOffset.UtcNow;
        var random = new Random(7);
        async Task SendAsync(string prefix, int count, DateTimeOffset from, double shift, string version)
        {
            var events = Enumerable.Range(0, count).Select(i => new
            {
                id = $"{prefix}{i}", timestamp = from.AddSeconds(i), predictedClass = "cat", confidence = 0.8, modelVersion = version,
                embedding = Enumerable.Range(0, 8).Select(_ => (float)(shift + random.NextDouble() * 2 - 1)).ToArray(),
            }).ToList();
            using var r = await own.Monitoring.Client.PostAsJsonAsync("api/models/rollout/events", new { events });
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        }
        await own.Monitoring.RegisterAsync("rollout", new
        {
            classes = new[] { "cat", "dog" }, embeddingModel = "client", embeddingDimension = 8, referenceUntil = now.AddHours(-2),
            window = "01:00:00", schedule = "0 0 0 1 1 ? 2099", driftMethods = new[] { "mmd" },
        });
        await SendAsync("ref", 80, now.AddHours(-3), 0, "1");
        await SendAsync("old", 40, now.AddMinutes(-30), 0, "1");
        await SendAsync("new", 40, now.AddMinutes(-20), 1.5, "2");
        await own.Monitoring.RunDriftAsync("rollout");

        var page = await fx.NewPageAsync(own.Server.BaseAddress);
        Assert.Equal(200, (await page.GotoAsync("models/rollout"))!.Status);
        await Browser.WaitForCircuitAsync(page);
        // Loaded, not just connected: a loaded 2-core machine renders the data well after the circuit is up.
        await Expect(page.Locator("[data-testid=model-page][data-interactive=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=version-drift][data-version='1']")).ToHaveAttributeAsync("data-drifted", "false");
        await Expect(page.Locator("[data-testid=version-drift][data-version='2']")).ToHaveAttributeAsync("data-drifted", "true");
        await Expect(page.GetByTestId("drift-by-version")).ToContainTextAsync("2 — drifted");
        await Expect(page.Locator("[data-testid=version-row][data-version='2']").GetByTestId("version-drifted")).ToHaveTextAsync("1 of 1");
    }

    [Fact]
    public async Task ModelPage_MarksTheWindowWhereTheReferenceChanged()
    {
        await using var own = await OwnDashboard.StartAsync(fx);
        var now = DateTimeOffset.UtcNow;
        var random = new Random(3);
        async Task SendAsync(string prefix, int count, DateTimeOffset from)
        {
            var events = Enumerable.Range(0, count).Select(i => new
            {
                id = $"{prefix}{i}", timestamp = from.AddSeconds(i), predictedClass = "cat", confidence = 0.8,
                embedding = Enumerable.Range(0, 8).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(),
            }).ToList();
            using var r = await own.Monitoring.Client.PostAsJsonAsync("api/models/moving/events", new { events });
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        }
        object Definition(DateTimeOffset until) => new
        {
            classes = new[] { "cat", "dog" }, embeddingModel = "client", embeddingDimension = 8, referenceUntil = until,
            window = "01:00:00", schedule = "0 0 0 1 1 ? 2099", driftMethods = new[] { "mmd" },
        };
        await own.Monitoring.RegisterAsync("moving", Definition(now.AddHours(-4)));
        await SendAsync("old", 60, now.AddHours(-5));
        await SendAsync("new", 60, now.AddHours(-3));
        await SendAsync("cur", 40, now.AddMinutes(-30));
        await own.Monitoring.RunDriftAsync("moving");
        await own.Monitoring.RegisterAsync("moving", Definition(now.AddHours(-2)));   // the reference period now takes in the newer traffic
        await own.Monitoring.RunDriftAsync("moving");

        var page = await fx.NewPageAsync(own.Server.BaseAddress);
        Assert.Equal(200, (await page.GotoAsync("models/moving"))!.Status);
        await Browser.WaitForCircuitAsync(page);
        // Loaded, not just connected: a loaded 2-core machine renders the data well after the circuit is up.
        await Expect(page.Locator("[data-testid=model-page][data-interactive=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
        var change = page.GetByTestId("reference-change");
        await Expect(change).ToHaveCountAsync(1);
        await Expect(change).ToContainTextAsync($"events before {now.AddHours(-2).UtcDateTime:yyyy-MM-dd HH:mm} UTC");
    }
}
