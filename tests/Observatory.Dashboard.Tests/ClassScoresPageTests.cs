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
        await Expect(card.GetByTestId("class-recall-chart")).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "model-classes");
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
