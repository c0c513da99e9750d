using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace Observatory.Dashboard.Tests;

/// <summary>The Model page's per-class view: macro-F1 and recall per class, and the confusion matrix the service stored, cell by cell.</summary>
[Collection(DashboardCollection.Name)]
public sealed class ClassScoresPageTests(DashboardFixture fx)
{
    [Fact]
    public async Task TheConfusionMatrix_AndMacroF1_OfTheLatestLabelledWindow_AreTheServicesOwn()
    {
        var latest = (await fx.Monitoring.Client.GetFromJsonAsync<JsonElement>($"api/models/{DashboardFixture.DriftingModel}/accuracy?limit=1"))
            .EnumerateArray().Last().GetProperty("details");
        var metrics = latest.GetProperty("metrics");
        var confusion = metrics.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetInt64()).ToArray()).ToArray();
        var classes = (await fx.Monitoring.Client.GetFromJsonAsync<JsonElement>($"api/models/{DashboardFixture.DriftingModel}"))
            .GetProperty("classes").EnumerateArray().Select(c => c.GetString()!).ToArray();
        Assert.True(confusion.Sum(r => r.Sum()) > 0, "the fixture's drifting model has labelled events");
        Assert.Contains(confusion.SelectMany((r, t) => r.Select((c, p) => (c, t, p))), x => x.t != x.p && x.c > 0);   // some mistakes to show

        var page = await fx.NewPageAsync();
        Assert.Equal(200, (await page.GotoAsync($"models/{DashboardFixture.DriftingModel}"))!.Status);
        await Expect(page.Locator("[data-testid=model-page][data-interactive=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
        var card = page.GetByTestId("class-scores");
        await Expect(card.GetByTestId("macro-f1")).ToHaveTextAsync(metrics.GetProperty("macroF1").GetDouble().ToString("P1", CultureInfo.InvariantCulture));
        var cells = card.GetByTestId("confusion-cell");
        await Expect(cells).ToHaveCountAsync(confusion.Sum(r => r.Length));
        for (var t = 0; t < confusion.Length; t++)
            for (var p = 0; p < confusion[t].Length; p++)
                await Expect(card.Locator($"[data-testid=confusion-cell][data-true='{classes[t]}'][data-predicted='{classes[p]}']"))
                    .ToHaveAttributeAsync("data-count", confusion[t][p].ToString(CultureInfo.InvariantCulture));
        // The chart draws macro-F1 and one recall series per class the latest window measured.
        var chart = card.GetByTestId("class-recall-chart");
        await Expect(chart).ToContainTextAsync("macro-F1");
        var recall = metrics.GetProperty("recall").EnumerateArray().ToArray();
        for (var k = 0; k < recall.Length; k++)
            if (recall[k].ValueKind == JsonValueKind.Number) await Expect(chart).ToContainTextAsync($"recall {classes[k]}");
        await Browser.ScreenshotAsync(page, "model-classes");
    }

    [Fact]
    public async Task ChoosingAnEarlierWindow_ShowsThatWindowsConfusionMatrix()
    {
        var labelled = (await fx.Monitoring.Client.GetFromJsonAsync<JsonElement>($"api/models/{DashboardFixture.HistoryModel}/accuracy?limit=500"))
            .EnumerateArray().Where(w => w.GetProperty("details").TryGetProperty("metrics", out var m) && m.ValueKind == JsonValueKind.Object)
            .ToDictionary(w => w.GetProperty("windowEnd").GetDateTimeOffset().UtcDateTime, w => w.GetProperty("details").GetProperty("metrics").GetProperty("confusion")
                .EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetInt64()).ToArray()).ToArray());
        Assert.True(labelled.Count >= 2, "the fixture's history model has several labelled windows");
        var page = await fx.NewPageAsync();
        Assert.Equal(200, (await page.GotoAsync($"models/{DashboardFixture.HistoryModel}"))!.Status);
        await Expect(page.Locator("[data-testid=model-page][data-interactive=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
        // A day of hourly windows is drawn whole; a month is thinned to the chart's points, which may leave labelled windows out.
        await page.GetByTestId("time-range").ClickAsync();
        await page.Locator(".rz-dropdown-item", new() { HasText = "last 24 hours" }).ClickAsync();
        var card = page.GetByTestId("class-scores");
        var table = card.GetByTestId("confusion-matrix");
        await Expect(page.GetByTestId("drift-points")).ToHaveTextAsync("25");
        await Expect(page.Locator(".rz-dropdown-item:visible")).ToHaveCountAsync(0);   // the range list has closed
        var latest = await table.GetAttributeAsync("data-window-end");

        await card.GetByTestId("confusion-window").ClickAsync();
        await page.Locator(".rz-dropdown-item:visible").Last.ClickAsync();   // the choices run newest first
        await Expect(table).Not.ToHaveAttributeAsync("data-window-end", latest!);

        var shown = DateTime.Parse((await table.GetAttributeAsync("data-window-end"))!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.True(labelled.TryGetValue(shown, out var confusion), $"the page shows the window ending {shown:O}, which the service has no labelled result for");
        var classes = (await fx.Monitoring.Client.GetFromJsonAsync<JsonElement>($"api/models/{DashboardFixture.HistoryModel}"))
            .GetProperty("classes").EnumerateArray().Select(c => c.GetString()!).ToArray();
        Assert.NotEqual(labelled[labelled.Keys.Max()].SelectMany(r => r), confusion.SelectMany(r => r));   // a different matrix, so the check can fail
        for (var t = 0; t < confusion.Length; t++)
            for (var p = 0; p < confusion[t].Length; p++)
                await Expect(card.Locator($"[data-testid=confusion-cell][data-true='{classes[t]}'][data-predicted='{classes[p]}']"))
                    .ToHaveAttributeAsync("data-count", confusion[t][p].ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task AModelWithoutFeedback_SaysPerClassScoresNeedTrueClasses()
    {
        var page = await fx.NewPageAsync();
        Assert.Equal(200, (await page.GotoAsync($"models/{DashboardFixture.CameraModel}"))!.Status);
        await Expect(page.Locator("[data-testid=model-page][data-interactive=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("class-scores-empty")).ToContainTextAsync("need true classes");
    }
}
