using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Observatory.Dashboard.Tests;

/// <summary>The Model page's explanations (drifted dimensions, image statistics, confidence, outliers), the time-range picker over a
/// month of history, the Overview's ingest rate, and live updates — against the seeded Monitoring service.</summary>
[Collection(DashboardCollection.Name)]
public sealed class ModelPageFeatureTests(DashboardFixture fx)
{
    private async Task<IPage> OpenModelAsync(string model)
    {
        var page = await fx.NewPageAsync();
        var response = await page.GotoAsync($"models/{model}");
        Assert.Equal(200, response!.Status);
        await Expect(page.Locator("[data-testid=model-page][data-interactive=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
        return page;
    }

    private async Task<JsonElement> LatestDriftAsync(string model) => (await fx.Monitoring.DriftAsync(model)).Last();

    private static string Percent(double v) => v.ToString("P0", CultureInfo.InvariantCulture);

    [Fact]
    public async Task ModelPage_ShowsTheShareOfDriftedDimensions_TheConfidenceHistogram_AndTheOutliersWithTheirImages()
    {
        var latest = await LatestDriftAsync(DashboardFixture.DriftingModel);
        var ks = latest.GetProperty("details").GetProperty("embedding").GetProperty("methods").EnumerateArray().Single(m => m.GetProperty("method").GetString() == "ks");
        var share = ks.GetProperty("details").GetProperty("share_drifted_bonferroni").GetDouble();
        Assert.True(share > 0.5, $"the seeded shift moves most dimensions, got {share}");
        var windowEnd = latest.GetProperty("windowEnd").GetDateTimeOffset();
        var expected = await fx.Monitoring.Client.GetFromJsonAsync<JsonElement>(
            $"api/models/{DashboardFixture.DriftingModel}/drift/outliers?count=6&windowEnd={Uri.EscapeDataString(windowEnd.ToString("O"))}");
        var outlierIds = expected.GetProperty("outliers").EnumerateArray().Select(o => o.GetProperty("id").GetString()!).ToList();
        var typicalIds = expected.GetProperty("typical").EnumerateArray().Select(o => o.GetProperty("id").GetString()!).ToList();
        Assert.Equal(6, outlierIds.Count);

        var page = await OpenModelAsync(DashboardFixture.DriftingModel);
        await Expect(page.GetByTestId("share-drifted-latest")).ToHaveTextAsync(Percent(share));
        await Expect(page.GetByTestId("confidence-reference-total")).ToHaveTextAsync("300");
        await Expect(page.GetByTestId("confidence-current-total")).ToHaveTextAsync("200");
        await Expect(page.GetByTestId("confidence-histogram").Locator("svg .rz-column-series").First).ToBeAttachedAsync();

        var outliers = page.GetByTestId("outlier");
        await Expect(outliers).ToHaveCountAsync(6);
        Assert.Equal(outlierIds, await outliers.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.id)"));
        Assert.Equal(typicalIds, await page.GetByTestId("typical").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.id)"));
        foreach (var id in outlierIds)
        {
            var item = page.Locator($"[data-testid=outlier][data-id='{id}']");
            if (fx.ImageUris.TryGetValue(id, out var uri))
            {
                await Expect(item.Locator("img")).ToHaveAttributeAsync("src", uri);
                await page.WaitForFunctionAsync($"() => {{ const i = document.querySelector(\"[data-testid=outlier][data-id='{id}'] img\"); return i && i.complete && i.naturalWidth > 0; }}");
            }
            else await Expect(item.GetByTestId("no-image")).ToBeVisibleAsync();
        }
        var typicalImages = page.GetByTestId("typical").Locator("img");
        await Expect(typicalImages).ToHaveCountAsync(6);
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=typical] img')].every(i => i.complete && i.naturalWidth > 0)");
        await Browser.ScreenshotAsync(page, "model-shapes-explained");
    }

    [Fact]
    public async Task ModelPage_OfADatasetReference_ShowsTheTypicalReferenceFiles_FromTheRegistryObjects()
    {
        var expected = await fx.Monitoring.Client.GetFromJsonAsync<JsonElement>($"api/models/{DashboardFixture.DatasetReferenceModel}/drift/outliers?count=6");
        Assert.Equal("dataset", expected.GetProperty("referenceSource").GetString());
        var typical = expected.GetProperty("typical").EnumerateArray()
            .Select(t => (Path: t.GetProperty("path").GetString()!, Sha256: t.GetProperty("sha256").GetString()!)).ToList();
        Assert.Equal(6, typical.Count);
        // The service names files of the version the dashboard's registry holds: same path, same content hash.
        Assert.All(typical, t => Assert.Equal(fx.ReferenceHashes[t.Path], t.Sha256));

        var page = await OpenModelAsync(DashboardFixture.DatasetReferenceModel);
        var items = page.GetByTestId("typical");
        await Expect(items).ToHaveCountAsync(6);
        await Expect(page.GetByTestId("typical-empty")).ToHaveCountAsync(0);
        Assert.Equal(typical.Select(t => t.Path).ToArray(), await items.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.id)"));
        foreach (var (path, sha) in typical)
            await Expect(page.Locator($"[data-testid=typical][data-id='{path}'] img"))
                .ToHaveAttributeAsync("src", $"objects/{sha}?name={Uri.EscapeDataString(Path.GetFileName(path))}");
        await page.WaitForFunctionAsync("() => { const imgs = [...document.querySelectorAll('[data-testid=typical] img')]; return imgs.length == 6 && imgs.every(i => i.complete && i.naturalWidth > 0); }");
        await page.GetByTestId("typical").First.ScrollIntoViewIfNeededAsync();
        await Browser.ScreenshotAsync(page, "model-dataset-reference-typical");
    }

    [Fact]
    public async Task ModelPage_OfTheCameraModel_ShowsThatBrightnessMoved_AsTheServiceFound()
    {
        var details = (await LatestDriftAsync(DashboardFixture.CameraModel)).GetProperty("details");
        var names = details.GetProperty("imageFeatureNames").EnumerateArray().Select(n => n.GetString()!).ToList();
        var ks = details.GetProperty("imageStatistics").GetProperty("methods").EnumerateArray().Single(m => m.GetProperty("method").GetString() == "ks");
        var moved = ks.GetProperty("details").GetProperty("drifted_dimensions_bonferroni").EnumerateArray().Select(i => names[i.GetInt32()]).ToHashSet();
        Assert.Contains("brightness", moved);

        var page = await OpenModelAsync(DashboardFixture.CameraModel);
        var rows = page.GetByTestId("image-feature");
        await Expect(rows).ToHaveCountAsync(names.Count);
        foreach (var name in names)
            await Expect(page.Locator($"[data-testid=image-feature][data-feature='{name}']")).ToHaveAttributeAsync("data-moved", moved.Contains(name) ? "true" : "false");
        await Expect(page.GetByTestId("image-moved")).ToContainTextAsync("brightness");
        // Per-dimension share needs ks/wasserstein among the model's methods; this model runs MMD only and says so.
        await Expect(page.GetByTestId("share-drifted-empty")).ToBeVisibleAsync();
        // Uploaded without imageUri: the outliers show the images the service kept, through the dashboard.
        await Expect(page.GetByTestId("outlier")).ToHaveCountAsync(6);
        await Expect(page.GetByTestId("outlier").GetByTestId("no-image")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("outliers-no-images")).ToHaveCountAsync(0);
        await Browser.ScreenshotAsync(page, "model-cameras");
    }

    [Fact]
    public async Task ModelPage_OfTheCameraModel_SaysTheWindowIsDarker_WithTheMeansTheServiceMeasured()
    {
        var features = (await LatestDriftAsync(DashboardFixture.CameraModel)).GetProperty("details").GetProperty("imageFeatures").EnumerateArray().ToList();
        var brightness = features.Single(f => f.GetProperty("feature").GetString() == "brightness");
        var (reference, current) = (brightness.GetProperty("referenceMean").GetDouble(), brightness.GetProperty("currentMean").GetDouble());
        // The fixture renders the window's images 0.4 darker.
        Assert.True(current < reference - 0.1, $"window brightness {current} vs reference {reference}");
        static string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);

        var page = await OpenModelAsync(DashboardFixture.CameraModel);
        var cell = page.Locator("[data-testid=image-feature][data-feature=brightness] [data-testid=image-feature-means]");
        await Expect(cell).ToHaveTextAsync($"darker: mean {F(current)} vs reference {F(reference)}");
        // Every statistic shows its two means; a stable one names no direction.
        foreach (var f in features.Where(f => !f.GetProperty("moved").GetBoolean()))
            await Expect(page.Locator($"[data-testid=image-feature][data-feature='{f.GetProperty("feature").GetString()}'] [data-testid=image-feature-means]"))
                .ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^mean [0-9.]+ vs reference [0-9.]+$"));
        await page.GetByTestId("image-statistics").ScrollIntoViewIfNeededAsync();
        await Browser.ScreenshotAsync(page, "model-cameras-means");
    }

    [Fact]
    public async Task ModelPage_OfAModelWithoutResults_ShowsEmptyStatesForEveryExplanation()
    {
        var page = await OpenModelAsync(DashboardFixture.QuietModel);
        foreach (var id in new[] { "drift-empty", "share-drifted-empty", "image-statistics-empty", "outliers-empty", "confidence-empty", "accuracy-empty" })
            await Expect(page.GetByTestId(id)).ToBeVisibleAsync();
    }

    [Fact]
    public async Task ModelPage_TimeRangePicker_AsksTheServiceForTheChosenRange_AndAMonthIsThinnedTo300PointsWithItsSpikes()
    {
        var page = await OpenModelAsync(DashboardFixture.HistoryModel);
        await Expect(page.GetByTestId("drift-points")).ToHaveTextAsync("300");
        await Expect(page.GetByTestId("drift-total")).ToContainTextAsync($"of {DashboardFixture.HistoryHours}");
        await Expect(page.GetByTestId("drift-flagged")).ToHaveTextAsync(DashboardFixture.HistorySpikes.Length.ToString());
        await Expect(page.Locator("[data-testid=drift-chart][data-method=mmd]")).ToHaveAttributeAsync("data-points", "300");
        // The latest flagged window was written without events, so there is nothing to rank: said plainly.
        await Expect(page.GetByTestId("outliers-empty")).ToContainTextAsync("no stored embeddings");
        await Browser.ScreenshotAsync(page, "model-history-month");

        async Task ChooseAsync(string text)
        {
            await page.GetByTestId("time-range").ClickAsync();
            await page.Locator(".rz-dropdown-item", new() { HasText = text }).ClickAsync();
        }
        // Windows end every hour up to the latest; a range includes both of its ends.
        await ChooseAsync("last 7 days");
        await Expect(page.GetByTestId("drift-points")).ToHaveTextAsync((7 * 24 + 1).ToString());
        await Expect(page.GetByTestId("drift-total")).ToHaveTextAsync("");
        await Expect(page.GetByTestId("drift-flagged")).ToHaveTextAsync((DashboardFixture.HistorySpikes.Count(k => k <= 7 * 24) + 1).ToString());
        await Expect(page.GetByTestId("accuracy-points")).ToHaveTextAsync((7 * 24 + 1).ToString());
        await ChooseAsync("last 24 hours");
        await Expect(page.GetByTestId("drift-points")).ToHaveTextAsync("25");
        await Expect(page.GetByTestId("drift-flagged")).ToHaveTextAsync("0");
        await Browser.ScreenshotAsync(page, "model-history-24h");
    }

    [Fact]
    public async Task Overview_ShowsEachModelsIngestRateOverTheLastHour()
    {
        var page = await fx.NewPageAsync();
        await page.GotoAsync("");
        await Browser.WaitForCircuitAsync(page);
        var grid = page.GetByTestId("overview-models-grid");
        // 200 window events in the 25 minutes before seeding: 200 / 60 per minute over the last hour; cameras 40; digits none.
        await Expect(grid.Locator("tr", new() { HasText = DashboardFixture.DriftingModel }).GetByTestId("ingest-rate")).ToHaveTextAsync("3.3");
        await Expect(grid.Locator("tr", new() { HasText = DashboardFixture.CameraModel }).GetByTestId("ingest-rate")).ToHaveTextAsync("0.7");
        await Expect(grid.Locator("tr", new() { HasText = DashboardFixture.QuietModel }).GetByTestId("ingest-rate")).ToHaveTextAsync("0");
    }

    [Fact]
    public async Task LiveUpdates_ANewDriftRunAndItsAlert_AppearOnOpenPagesWithoutAReload()
    {
        var model = await OpenModelAsync(DashboardFixture.LiveModel);
        await Expect(model.GetByTestId("drift-empty")).ToBeVisibleAsync();
        var alerts = await fx.NewPageAsync();
        await alerts.GotoAsync("alerts");
        await Browser.WaitForCircuitAsync(alerts);
        await Expect(alerts.GetByTestId("alerts-grid")).ToBeVisibleAsync();
        await Expect(alerts.Locator("tr", new() { HasText = DashboardFixture.LiveAlertSummary })).ToHaveCountAsync(0);
        var overview = await fx.NewPageAsync();
        await overview.GotoAsync("");
        await Browser.WaitForCircuitAsync(overview);
        var liveRow = overview.GetByTestId("overview-models-grid").Locator("tr", new() { HasText = DashboardFixture.LiveModel });
        await Expect(liveRow.GetByTestId("health")).ToHaveTextAsync("ok");
        // A page reload or navigation would drop this marker.
        foreach (var p in new[] { model, alerts, overview }) await p.EvaluateAsync("() => window.__sameDocument = true");

        var now = DateTimeOffset.UtcNow;
        await fx.Monitoring.SendEventsAsync(DashboardFixture.LiveModel, "cur", 120, now.AddMinutes(-10), now, 1.0, 4);
        await fx.Monitoring.RunDriftAsync(DashboardFixture.LiveModel);

        await Expect(model.GetByTestId("drift-points")).ToHaveTextAsync("1", new() { Timeout = 30_000 });
        await Expect(model.GetByTestId("drift-flagged")).ToHaveTextAsync("1");
        await Expect(alerts.Locator("tr", new() { HasText = DashboardFixture.LiveAlertSummary })).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Expect(liveRow.GetByTestId("health")).ToHaveTextAsync("drifting", new() { Timeout = 30_000 });
        await Expect(liveRow.GetByTestId("ingest-rate")).ToHaveTextAsync("2", new() { Timeout = 30_000 });
        foreach (var p in new[] { model, alerts, overview }) Assert.True(await p.EvaluateAsync<bool>("() => window.__sameDocument === true"), $"{p.Url} was reloaded");
        await Browser.ScreenshotAsync(model, "model-live-updated");
    }

    [Fact]
    public async Task ModelPage_OfADatasetReference_ShowsItsVersion_LinkedToTheDatasetsPage()
    {
        var page = await OpenModelAsync(DashboardFixture.DatasetReferenceModel);
        var link = page.GetByTestId("reference-link");
        await Expect(link).ToContainTextAsync($"{DashboardFixture.ReferenceDataset}.obs @ {fx.ReferenceCommit[..7]}");
        await Expect(link).ToHaveAttributeAsync("href",
            $"datasets?dataset={Uri.EscapeDataString(DashboardFixture.ReferenceDataset)}&version={fx.ReferenceCommit}");
        await link.ClickAsync();
        // The Datasets page opens on the reference's dataset, with its version listed.
        await Expect(page.GetByText($"Versions of {DashboardFixture.ReferenceDataset}")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator($"[data-testid=version][data-commit='{fx.ReferenceCommit}']")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task ModelPage_EmptyCards_SayTheServicesOwnReason()
    {
        // The dataset-reference model has no reference period: the service notes why prediction drift did not run.
        var note = (await LatestDriftAsync(DashboardFixture.DatasetReferenceModel)).GetProperty("details").GetProperty("note").GetString();
        Assert.Contains("reference period has 0 events", note);
        var page = await OpenModelAsync(DashboardFixture.DatasetReferenceModel);
        await Expect(page.GetByTestId("class-distribution-empty")).ToContainTextAsync(note!);
        await Expect(page.GetByTestId("drift-note")).ToContainTextAsync(note!);
    }

    [Fact]
    public async Task ModelPage_EachDriftChart_ExplainsItsStatisticAndThreshold()
    {
        var page = await OpenModelAsync(DashboardFixture.DriftingModel);
        await Expect(page.Locator("[data-testid=drift-chart][data-method=mmd] [data-testid=drift-explain]")).ToContainTextAsync("Maximum mean discrepancy");
        await Expect(page.Locator("[data-testid=drift-chart][data-method=mmd] [data-testid=drift-explain]")).ToContainTextAsync("below α");
        var charts = page.GetByTestId("drift-chart");
        await Expect(page.GetByTestId("drift-explain")).ToHaveCountAsync(await charts.CountAsync());
    }

    [Fact]
    public async Task ModelPage_CountsAWindowWhoseConfidencesAloneDrifted_AsFlagged()
    {
        var stored = (await fx.Monitoring.Client.GetFromJsonAsync<JsonElement>($"api/models/{DashboardFixture.HistoryModel}/drift?limit=1000"))
            .EnumerateArray().Single(r => r.GetProperty("details").GetProperty("window").TryGetProperty("confidenceDrift", out var c) && c.ValueKind == JsonValueKind.True);
        // The service flags it too (confidence drift counts since the confidence-shift rule); the page must count it as well.
        Assert.True(stored.GetProperty("flagged").GetBoolean());
        var page = await OpenModelAsync(DashboardFixture.HistoryModel);
        await page.GetByTestId("time-range").ClickAsync();
        await page.Locator(".rz-dropdown-item", new() { HasText = "last 7 days" }).ClickAsync();
        await Expect(page.GetByTestId("drift-points")).ToHaveTextAsync((7 * 24 + 1).ToString());
        // One embedding spike (48 h ago) and the confidence-drifted window (100 h ago).
        await Expect(page.GetByTestId("drift-flagged")).ToHaveTextAsync("2");
    }

    [Fact]
    public async Task ModelPage_AccuracyJobNotRunYet_SaysSo_AndRunsItOnRequest()
    {
        var page = await OpenModelAsync(DashboardFixture.QuietModel);
        await Expect(page.GetByTestId("accuracy-not-run")).ToContainTextAsync("has not run for this model yet");
        await Expect(page.GetByTestId("accuracy-empty")).Not.ToContainTextAsync("needs feedback");
        await page.GetByTestId("accuracy-run-now").ClickAsync();
        await Expect(page.GetByTestId("accuracy-run-message")).ToHaveTextAsync("Accuracy run requested; its result appears here when it finishes.");
    }

    [Fact]
    public async Task ModelPage_OfUploadedImages_ShowsTheImagesTheServiceKept_ThroughTheDashboard()
    {
        var page = await OpenModelAsync(DashboardFixture.CameraModel);
        var images = page.GetByTestId("outlier").Locator("img");
        await Expect(images).ToHaveCountAsync(6);
        foreach (var img in await images.AllAsync())
        {
            var src = (await img.GetAttributeAsync("src"))!;
            Assert.Matches($"^production-images/{DashboardFixture.CameraModel}/[0-9a-f]{{64}}$", src);
            // Decoded by the browser (not a broken image), and the bytes served are the bytes whose hash names them.
            await Expect(img).ToHaveJSPropertyAsync("complete", true);
            Assert.True(await img.EvaluateAsync<int>("i => i.naturalWidth") > 0, src);
            var response = await page.APIRequest.GetAsync(src);
            Assert.Equal(200, response.Status);
            Assert.Equal(src[^64..], Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await response.BodyAsync())));
        }
        // The typical reference events (the uploaded reference period) show their kept images too.
        var typical = page.GetByTestId("typical").Locator("img");
        await Expect(typical).ToHaveCountAsync(6);
        Assert.All(await typical.EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('src'))"), src => Assert.StartsWith($"production-images/{DashboardFixture.CameraModel}/", src));
        // A hash no event names is a 404 from the service, passed on; a malformed one never reaches it.
        Assert.Equal(404, (await page.APIRequest.GetAsync($"production-images/{DashboardFixture.CameraModel}/{new string('a', 64)}")).Status);
        Assert.Equal(400, (await page.APIRequest.GetAsync($"production-images/{DashboardFixture.CameraModel}/not-a-hash")).Status);
    }

    [Fact]
    public async Task ModelPage_OfAnUnknownModel_SaysItIsNotRegistered_AndLinksTheModelsList()
    {
        var page = await OpenModelAsync("no-such-model");
        await Expect(page.GetByTestId("model-not-found")).ToContainTextAsync("No model named “no-such-model” is registered");
        await Expect(page.GetByTestId("monitoring-error")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("models-link")).ToHaveAttributeAsync("href", "models");
    }

    [Fact]
    public async Task ModelPage_TypicalReferenceFileNames_StayOnOneLine_WithTheFullNameOnHover()
    {
        var page = await OpenModelAsync(DashboardFixture.DatasetReferenceModel);
        var names = page.GetByTestId("typical-name");
        await Expect(names).ToHaveCountAsync(6);
        foreach (var name in await names.AllAsync())
        {
            Assert.Equal(await name.TextContentAsync(), await name.GetAttributeAsync("title"));
            Assert.Equal("nowrap", await name.EvaluateAsync<string>("e => getComputedStyle(e).whiteSpace"));
            Assert.Equal("ellipsis", await name.EvaluateAsync<string>("e => getComputedStyle(e).textOverflow"));
        }
    }

    [Fact]
    public async Task ModelPage_DeleteModel_ShowsWhatTheServiceDeleted_AndGoesBackToTheListWithoutIt()
    {
        // A service of its own: deleting a fixture model would take it from the other tests.
        await using var own = await OwnDashboard.StartAsync(fx);
        await own.SeedFiringAsync("orders", ("orders-a", "orders drifted (a)"), ("orders-b", "orders drifted (b)"));
        await own.SeedFiringAsync("returns", ("returns-drift", "returns drifted"));
        var page = await fx.NewPageAsync(own.Server.BaseAddress);
        await page.GotoAsync("models/orders");
        await Expect(page.Locator("[data-testid=model-page][data-interactive=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });

        // Nothing goes before the confirmation.
        await page.GetByTestId("delete-model").ClickAsync();
        await Expect(page.GetByTestId("delete-confirm")).ToContainTextAsync("Delete orders from monitoring?");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await own.Monitoring.Client.GetAsync("api/models/orders")).StatusCode);

        await page.GetByTestId("delete-model-confirm").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/models$"), new() { Timeout = 15_000 });
        // The service's own account of the deletion: the model and its two open alerts, resolved.
        await Expect(page.GetByTestId("models-notice")).ToContainTextAsync("model 'orders' deleted; 2 open alerts resolved");
        var grid = page.GetByTestId("models-grid");
        await Expect(grid.Locator("tr", new() { HasText = "returns" })).ToHaveCountAsync(1);
        await Expect(grid.Locator("a", new() { HasTextString = "orders" })).ToHaveCountAsync(0);
        await Browser.ScreenshotAsync(page, "models-after-delete");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await own.Monitoring.Client.GetAsync("api/models/orders")).StatusCode);
        Assert.All(await own.Monitoring.AlertsAsync("orders"), a => Assert.Equal("resolved", a.GetProperty("state").GetString()));
    }
}
