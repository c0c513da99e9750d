using System.Net.Http.Json;
using static Microsoft.Playwright.Assertions;

namespace Observatory.Dashboard.Tests;

/// <summary>The Model page draws the endpoint health clients report with their events, and stays quiet for models that report none.</summary>
[Collection(DashboardCollection.Name)]
public sealed class EndpointHealthPageTests(DashboardFixture fx)
{
    [Fact]
    public async Task ModelPage_ShowsTheLatestErrorRateAndP95Latency_TheServiceMeasured()
    {
        await using var own = await OwnDashboard.StartAsync(fx);
        await own.Monitoring.RegisterAsync("endpoint", new { classes = new[] { "cat", "dog" }, window = "01:00:00", schedule = "0 0 0 1 1 ? 2099" });
        var now = DateTimeOffset.UtcNow;
        // 20 events: latencies 5, 10, …, 100 ms (nearest-rank p95: the 19th, 95 ms); 4 failed (20 %).
        var events = Enumerable.Range(0, 20).Select(i => new
        {
            id = $"h{i}", timestamp = now.AddMinutes(-20).AddSeconds(i), predictedClass = "cat", confidence = 0.9,
            latencyMs = 5.0 * (i + 1), error = i % 5 == 0 ? "upstream 503" : null,
        });
        using (var r = await own.Monitoring.Client.PostAsJsonAsync("api/models/endpoint/events", new { events }))
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        await own.Monitoring.RunDriftAsync("endpoint");

        var page = await fx.NewPageAsync(own.Server.BaseAddress);
        Assert.Equal(200, (await page.GotoAsync("models/endpoint"))!.Status);
        await Browser.WaitForCircuitAsync(page);
        // Loaded, not just connected: a loaded 2-core machine renders the data well after the circuit is up.
        await Expect(page.Locator("[data-testid=model-page][data-interactive=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("error-rate-latest")).ToHaveTextAsync("20.0 %");
        await Expect(page.GetByTestId("latency-p95-latest")).ToHaveTextAsync("95 ms");
        await Expect(page.GetByTestId("latency-chart")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task AModelWhoseClientsReportNoHealth_HasNoEndpointCard()
    {
        var page = await fx.NewPageAsync();
        Assert.Equal(200, (await page.GotoAsync($"models/{DashboardFixture.DriftingModel}"))!.Status);
        await Expect(page.Locator("[data-testid=model-page][data-interactive=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("drift-chart").First).ToBeVisibleAsync();
        await Expect(page.GetByTestId("endpoint-health")).ToHaveCountAsync(0);
    }
}
