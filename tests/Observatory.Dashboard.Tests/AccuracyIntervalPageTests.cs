using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Observatory.Dashboard.Tests;

/// <summary>The accuracy chart draws each window's 95 % interval: wide with few labels, narrow with many.</summary>
[Collection(DashboardCollection.Name)]
public sealed class AccuracyIntervalPageTests(DashboardFixture fx)
{
    private static async Task MeasureAsync(OwnDashboard own, string model, int count, int right)
    {
        await own.Monitoring.RegisterAsync(model, new
        {
            classes = new[] { "cat", "dog" }, baselineAccuracy = 0.9, window = "01:00:00", schedule = "0 0 0 1 1 ? 2099",
        });
        var now = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, count).Select(i => new
        {
            id = $"e{i}", timestamp = now.AddMinutes(-20).AddSeconds(i), predictedClass = i < right ? "cat" : "dog", confidence = 0.8, trueClass = "cat",
        });
        using (var r = await own.Monitoring.Client.PostAsJsonAsync($"api/models/{model}/events", new { events }))
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        using (var run = await own.Monitoring.Client.PostAsync($"api/models/{model}/jobs/accuracy/run?wait=true", null))
            Assert.True(run.IsSuccessStatusCode, await run.Content.ReadAsStringAsync());
    }

    private async Task<(double Lower, double Upper, float Drawn)> IntervalOnPageAsync(OwnDashboard own, string model)
    {
        var page = await fx.NewPageAsync(own.Server.BaseAddress);
        Assert.Equal(200, (await page.GotoAsync($"models/{model}"))!.Status);
        await Browser.WaitForCircuitAsync(page);
        // Loaded, not just connected: a loaded 2-core machine renders the data well after the circuit is up.
        await Expect(page.Locator("[data-testid=model-page][data-interactive=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
        var chart = page.GetByTestId("accuracy-chart");
        await Expect(chart).ToContainTextAsync("95 % interval (upper)");
        await Expect(chart).ToContainTextAsync("95 % interval (lower)");
        await Expect(page.GetByTestId("accuracy-interval-caption")).ToContainTextAsync("whole interval lies under the baseline − tolerance");
        // Drawn, not only listed: each bound of the window is a marker in the interval's colour (legend swatches have no stroke).
        var bounds = chart.Locator("svg .rz-marker path[stroke='#90a4ae']");
        await Expect(bounds).ToHaveCountAsync(2);
        var (top, bottom) = ((await bounds.Nth(0).BoundingBoxAsync())!, (await bounds.Nth(1).BoundingBoxAsync())!);
        var interval = page.GetByTestId("accuracy-interval");
        await Expect(interval).ToHaveCountAsync(1);
        await Browser.ScreenshotAsync(page, $"accuracy-interval-{model}");
        return (double.Parse((await interval.GetAttributeAsync("data-lower"))!, CultureInfo.InvariantCulture),
            double.Parse((await interval.GetAttributeAsync("data-upper"))!, CultureInfo.InvariantCulture), Math.Abs(top.Y - bottom.Y));
    }

    [Fact]
    public async Task AccuracyChart_DrawsAWideIntervalForFewLabels_AndANarrowOneForMany()
    {
        await using var own = await OwnDashboard.StartAsync(fx);
        await MeasureAsync(own, "few", 12, 8);
        await MeasureAsync(own, "many", 400, 280);

        // scipy.stats.beta.ppf: 8 of 12 → [0.3489, 0.9008]; 280 of 400 → [0.6525, 0.7445].
        var few = await IntervalOnPageAsync(own, "few");
        Assert.Equal(0.34887550641881554, few.Lower, 9);
        Assert.Equal(0.9007539088504167, few.Upper, 9);
        var many = await IntervalOnPageAsync(own, "many");
        Assert.Equal(0.6524781209263504, many.Lower, 9);
        Assert.Equal(0.74453327190469, many.Upper, 9);
        Assert.True(few.Upper - few.Lower > 5 * (many.Upper - many.Lower));
        // On screen too: the few-label window's bounds are drawn far apart, the many-label window's close together.
        Assert.True(few.Drawn > 4 * many.Drawn, $"drawn {few.Drawn} px vs {many.Drawn} px");

        // The latest window's interval is also said in words beside its accuracy.
        var page = await fx.NewPageAsync(own.Server.BaseAddress);
        await page.GotoAsync("models/few");
        await Browser.WaitForCircuitAsync(page);
        // Loaded, not just connected: a loaded 2-core machine renders the data well after the circuit is up.
        await Expect(page.Locator("[data-testid=model-page][data-interactive=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("accuracy-latest")).ToHaveTextAsync("66.7 %");
        await Expect(page.GetByTestId("accuracy-latest-interval")).ToHaveTextAsync(", 95 % interval 34.9 %–90.1 %");
    }
}
