using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Observatory.Monitoring.Contracts;
using static Microsoft.Playwright.Assertions;

namespace Observatory.Dashboard.Tests;

/// <summary>
/// "Export to dataset…" on the Model page: the service selects the drifted window's images, the page shows them (the kept
/// images, through the dashboard) with their labels and reasons, gives the exact obs command, and the manifest to download.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class ExportWindowPageTests(DashboardFixture fx)
{
    [Fact]
    public async Task ADriftedWindow_ExportsItsOutliers_ShowingEachImageWithItsLabelAndReason_TheObsCommand_AndTheManifest()
    {
        var page = await fx.NewPageAsync();
        Assert.Equal(200, (await page.GotoAsync($"models/{DashboardFixture.CameraModel}"))!.Status);
        await Expect(page.Locator("[data-testid=model-page][data-interactive=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
        var card = page.GetByTestId("export-window");
        await card.GetByTestId("export-open").ClickAsync();
        var count = card.GetByTestId("export-count").Locator("input").Or(card.Locator("input[data-testid=export-count]")).First;
        await count.FillAsync("5");
        await count.BlurAsync();
        await card.GetByTestId("export-run").ClickAsync();

        var items = card.GetByTestId("export-item");
        await Expect(items).ToHaveCountAsync(5, new() { Timeout = 30_000 });
        // The uploads had no feedback: every pre-label is the prediction, shown as such, with the reason it was chosen.
        foreach (var item in await items.AllAsync())
        {
            await Expect(item).ToHaveAttributeAsync("data-source", "prediction");
            await Expect(item.GetByTestId("export-reason")).ToContainTextAsync(new Regex(@"distance \d"));
            var img = item.Locator("img");
            await Expect(img).ToHaveJSPropertyAsync("complete", true);
            Assert.True(await img.EvaluateAsync<int>("i => i.naturalWidth") > 0, await img.GetAttributeAsync("src"));
        }
        var command = (await card.GetByTestId("export-command").TextContentAsync())!;
        var windowEnd = Regex.Match(command, @"--window (\S+)").Groups[1].Value;
        Assert.Equal(
            $"obs import-window {fx.Monitoring.BaseAddress.ToString().TrimEnd('/')} {DashboardFixture.CameraModel} --window {windowEnd} --select outliers --count 5 --format yolo data/{DashboardFixture.CameraModel}-window",
            command);

        // The export exists in the service, and the manifest downloaded through the dashboard is its manifest.
        var id = Regex.Match((await card.GetByTestId("export-summary").TextContentAsync())!, @"Export (\S+):").Groups[1].Value;
        var href = (await card.GetByTestId("export-manifest").GetAttributeAsync("href"))!;
        var response = await page.APIRequest.GetAsync(href);
        Assert.Equal(200, response.Status);
        var manifest = JsonSerializer.Deserialize<ExportManifest>(await response.BodyAsync(), MonitoringJson.Options)!;
        Assert.Equal(id, manifest.Id);
        Assert.Equal(ExportSelection.Outliers, manifest.Select);
        Assert.Equal(DateTimeOffset.Parse(windowEnd, System.Globalization.CultureInfo.InvariantCulture), manifest.WindowEnd);
        Assert.Equal(5, manifest.Items.Count);
        Assert.Equal(manifest.Items.Select(i => i.EventId), await items.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.id)"));
        // Outliers come farthest first.
        var distances = manifest.Items.Select(i => i.Reason.Distance!.Value).ToList();
        Assert.Equal(distances.OrderByDescending(d => d).ToList(), distances);
        await Browser.ScreenshotAsync(page, "model-export");
    }

    [Fact]
    public async Task TheLinkOfAnAlertNotice_OpensThePageAtItsWindow_WhoseExportIsOffered()
    {
        // An earlier drifted window than the latest: what a notice sent then links to.
        var drifted = (await fx.Monitoring.Client.GetFromJsonAsync<JsonElement>($"api/models/{DashboardFixture.DriftingModel}/drift?limit=100"))
            .EnumerateArray().Where(w => w.GetProperty("flagged").GetBoolean()).Select(w => w.GetProperty("windowEnd").GetDateTimeOffset()).Order().ToList();
        Assert.True(drifted.Count >= 2, "the fixture has several drifted windows");
        var linked = drifted[0];
        var page = await fx.NewPageAsync();
        var url = $"models/{DashboardFixture.DriftingModel}?window={Uri.EscapeDataString(linked.ToString("O", System.Globalization.CultureInfo.InvariantCulture))}";
        Assert.Equal(200, (await page.GotoAsync(url))!.Status);
        await Expect(page.Locator("[data-testid=model-page][data-interactive=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("linked-window")).ToContainTextAsync("its outliers and its export are shown below");
        var shown = await page.GetByTestId("export-window-end").GetAttributeAsync("data-window");
        Assert.Equal(linked.UtcDateTime, DateTime.Parse(shown!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind));
        // Without the link, the latest drifted window is offered.
        var plain = await fx.NewPageAsync();
        Assert.Equal(200, (await plain.GotoAsync($"models/{DashboardFixture.DriftingModel}"))!.Status);
        await Expect(plain.Locator("[data-testid=model-page][data-interactive=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
        Assert.Equal(drifted[^1].UtcDateTime, DateTime.Parse((await plain.GetByTestId("export-window-end").GetAttributeAsync("data-window"))!,
            System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind));
    }

    [Fact]
    public async Task AModelWithoutADriftedWindow_OffersNoExport()
    {
        var page = await fx.NewPageAsync();
        Assert.Equal(200, (await page.GotoAsync($"models/{DashboardFixture.QuietModel}"))!.Status);
        await Expect(page.Locator("[data-testid=model-page][data-interactive=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("export-none")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("export-open")).ToHaveCountAsync(0);
    }
}
