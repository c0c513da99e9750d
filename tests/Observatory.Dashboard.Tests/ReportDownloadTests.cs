using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;
using Observatory.DataService.Api.Tests.Seed;
using Observatory.Reports;
using Observatory.Testing;
using static Microsoft.Playwright.Assertions;

namespace Observatory.Dashboard.Tests;

/// <summary>
/// The HTML reports in a real Chromium: the Model and Datasets pages' download links give the report file, and a report file opened
/// from disk renders its verdict and charts with no console error and no request but the page itself (CDP Network and Log events).
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class ReportDownloadTests(DashboardFixture fx)
{
    /// <summary>What Chromium did while showing a report: every request it started, and every error it logged.</summary>
    private sealed record Opened(IPage Page, string Url, IReadOnlyCollection<string> Requests, IReadOnlyCollection<string> Errors);

    /// <summary>Opens a report file in a fresh context with CDP Network, Log and Runtime events recorded from before navigation.</summary>
    private async Task<Opened> OpenFileAsync(string path, bool imagesDecode = true)
    {
        var context = await fx.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        var requests = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<string>();
        var cdp = await context.NewCDPSessionAsync(page);
        cdp.Event("Network.requestWillBeSent").OnEvent += (_, e) => requests.Enqueue(e?.GetProperty("request").GetProperty("url").GetString() ?? "?");
        cdp.Event("Log.entryAdded").OnEvent += (_, e) =>
        {
            var entry = e?.GetProperty("entry");
            if (entry?.GetProperty("level").GetString() is "error" or "warning") errors.Enqueue($"log {entry?.GetProperty("source")}: {entry?.GetProperty("text")}");
        };
        cdp.Event("Runtime.consoleAPICalled").OnEvent += (_, e) =>
        {
            if (e?.GetProperty("type").GetString() is "error" or "warning" or "assert") errors.Enqueue($"console: {e}");
        };
        cdp.Event("Runtime.exceptionThrown").OnEvent += (_, e) => errors.Enqueue($"exception: {e}");
        await cdp.SendAsync("Network.enable");
        await cdp.SendAsync("Log.enable");
        await cdp.SendAsync("Runtime.enable");
        page.Console += (_, m) => { if (m.Type is "error" or "warning") errors.Enqueue($"console: {m.Text}"); };
        page.PageError += (_, m) => errors.Enqueue($"page error: {m}");
        var url = new Uri(Path.GetFullPath(path)).AbsoluteUri;
        await page.GotoAsync(url);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        // Every inline image decoded (a broken data: URI would be a zero-width image, not an error).
        if (imagesDecode) await page.WaitForFunctionAsync("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)");
        return new Opened(page, url, requests, errors);
    }

    private static void NothingButThePage(Opened opened)
    {
        Assert.Empty(opened.Errors);
        // The page itself; inline images show up as data: URLs, which never leave the browser.
        Assert.Contains(opened.Url, opened.Requests);
        Assert.All(opened.Requests, r => Assert.True(r == opened.Url || r.StartsWith("data:image/", StringComparison.Ordinal), $"request to {r}"));
    }

    /// <summary>Clicks a download link and keeps the file, checking the endpoint's headers (attachment, the report's own policy) on the way.</summary>
    private static async Task<string> DownloadAsync(IPage page, ILocator link, string name)
    {
        // Resolved by the browser (against the page's <base href>), as a click would.
        var href = await link.EvaluateAsync<string>("a => a.href");
        var response = await page.Context.APIRequest.GetAsync(href);
        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/html", response.Headers["content-type"], StringComparison.Ordinal);
        Assert.StartsWith("attachment;", response.Headers["content-disposition"], StringComparison.Ordinal);
        Assert.Equal(HtmlReports.ContentSecurityPolicy, response.Headers["content-security-policy"]);
        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        Assert.EndsWith(".html", download.SuggestedFilename, StringComparison.Ordinal);
        var path = Path.Combine(Directory.CreateTempSubdirectory("obs-report-").FullName, name);
        await download.SaveAsAsync(path);
        return path;
    }

    [Fact]
    public async Task ModelPage_DownloadsTheWindowReport_WhichRendersVerdictChartsAndOutlierImages_OfflineAndWithoutErrors()
    {
        var latest = (await fx.Monitoring.DriftAsync(DashboardFixture.CameraModel)).Last();
        var drifted = latest.GetProperty("flagged").GetBoolean();
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"models/{DashboardFixture.CameraModel}");
        await Expect(page.Locator("[data-testid=model-page][data-interactive=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
        var link = page.GetByTestId("window-report");
        await Expect(link).ToBeVisibleAsync();
        var path = await DownloadAsync(page, link, "window.html");
        var html = await File.ReadAllTextAsync(path);
        Assert.Contains(latest.GetProperty("windowEnd").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture), html);

        var opened = await OpenFileAsync(path);
        NothingButThePage(opened);
        var report = opened.Page;
        await Expect(report.GetByTestId("verdict")).ToHaveTextAsync(drifted ? "Drift detected" : "No drift detected");
        await Expect(report.Locator("[data-testid=methods][data-report='embedding drift'] [data-method=mmd]")).ToBeVisibleAsync();
        // Image statistics before/after as drawn bars: brightness moved (the fixture darkens the window).
        var chart = report.GetByTestId("image-statistics-chart");
        await Expect(chart).ToBeVisibleAsync();
        Assert.True(await chart.EvaluateAsync<int>("c => [...c.querySelectorAll('rect')].filter(r => r.getBBox().width > 1).length") >= 4);
        await Expect(chart).ToContainTextAsync("brightness (moved)");
        // The outliers are the images the service kept, inline.
        Assert.True(await report.GetByTestId("outlier-thumbnail").CountAsync() > 0);
        Assert.True(await report.Locator("[data-testid=outlier-thumbnail] img").EvaluateAllAsync<bool>("imgs => imgs.every(i => i.src.startsWith('data:image/') && i.naturalWidth > 0)"));
        await report.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("report-window"), FullPage = true });
    }

    [Fact]
    public async Task DatasetsPage_DownloadsTheVersionReport_WithClassBalanceChartAndFindingThumbnails_OfflineAndWithoutErrors()
    {
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"datasets?dataset={Uri.EscapeDataString(SeededRegistry.Sample)}");
        await Browser.WaitForCircuitAsync(page);
        var link = page.GetByTestId("diff-report");
        await Expect(link).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var path = await DownloadAsync(page, link, "versions.html");

        var opened = await OpenFileAsync(path);
        NothingButThePage(opened);
        var report = opened.Page;
        await Expect(report.Locator($"[data-testid=dataset][data-dataset='{SeededRegistry.Sample}']")).ToBeVisibleAsync();
        // The page compares the newest change (v1 → v2); the report says what the seeded versions differ by.
        var added = fx.Registry.V2.Hashes.Keys.Except(fx.Registry.V1.Hashes.Keys).Count();
        await Expect(report.GetByTestId("diff-added")).ToHaveTextAsync(added.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var chart = report.GetByTestId("class-balance-chart");
        foreach (var name in SeededRegistry.Classes.Where((_, id) => fx.Registry.V2.ClassCounts.GetValueOrDefault(id) > 0))
            await Expect(chart).ToContainTextAsync(name);
        // The newest version has an error finding: its row shows the image, inline, with the flagged box drawn over it.
        await Expect(report.GetByTestId("findings")).ToContainTextAsync("yolo.coordinate_range");
        var thumbnail = report.GetByTestId("finding-thumbnail").First;
        await Expect(thumbnail).ToBeVisibleAsync();
        Assert.True(await thumbnail.Locator("svg rect").CountAsync() >= 1);
        await report.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("report-datasets"), FullPage = true });
    }

    [Fact]
    public async Task TheReadmesExampleReport_RendersWithNoConsoleErrorAndNoRequest()
    {
        var example = Path.Combine(RepoLocator.Root, "docs", "examples", "drift-report.html");
        Assert.True(File.Exists(example), $"{example} is missing; the README links it");
        var opened = await OpenFileAsync(example);
        NothingButThePage(opened);
        await Expect(opened.Page.GetByTestId("verdict")).ToHaveTextAsync("Drift detected");
        await Expect(opened.Page.GetByTestId("methods").First).ToBeVisibleAsync();
    }

    /// <summary>The probes themselves: a page that reaches out is caught by its request and, under the reports' policy, by the violation it logs.</summary>
    [Fact]
    public async Task TheProbes_SeeAPagesExternalRequest_AndTheViolationThePolicyLogs()
    {
        var dir = Directory.CreateTempSubdirectory("obs-report-probe-").FullName;
        const string body = "<body><img src=\"http://127.0.0.1:9/x.png\"></body>";
        var open = Path.Combine(dir, "open.html");
        await File.WriteAllTextAsync(open, $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head>{body}</html>");
        var opened = await OpenFileAsync(open, imagesDecode: false);
        Assert.Contains("http://127.0.0.1:9/x.png", opened.Requests);
        var locked = Path.Combine(dir, "locked.html");
        await File.WriteAllTextAsync(locked, $"<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"{HtmlReports.ContentSecurityPolicy}\"></head>{body}</html>");
        var blocked = await OpenFileAsync(locked, imagesDecode: false);
        await Task.Delay(500);
        // Chromium reports the attempt (then fails it as blocked by CSP) and logs the violation: either fails NothingButThePage.
        Assert.Contains("http://127.0.0.1:9/x.png", blocked.Requests);
        Assert.Contains(blocked.Errors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ReportEndpoints_AnswerNotFound_ForAnUnknownWindowOrRevision()
    {
        var page = await fx.NewPageAsync();
        var window = await page.APIRequest.GetAsync($"reports/window?model={DashboardFixture.CameraModel}&end=2001-01-01T00:00:00Z");
        Assert.Equal(404, window.Status);
        var revision = await page.APIRequest.GetAsync($"reports/datasets?dataset={Uri.EscapeDataString(SeededRegistry.Sample)}&from=nope&to=HEAD");
        Assert.Equal(400, revision.Status);
        Assert.Contains("nope", await revision.TextAsync());
    }
}
