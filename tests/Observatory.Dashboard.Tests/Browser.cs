using Microsoft.Playwright;
using Observatory.Testing;

namespace Observatory.Dashboard.Tests;

/// <summary>Debian's Chromium driven by Playwright; never downloads a browser. A missing Chromium fails with the command to run.</summary>
public static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>How long an <c>Expect(...)</c> waits for its condition unless the test names its own timeout.</summary>
    public const float ExpectTimeoutMs = 20_000;

    public static async Task<(IPlaywright, IBrowser)> LaunchAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing. Run: sudo scripts/setup-test-deps.sh   (or: apt-get install -y chromium fonts-roboto)");
        // Playwright's own expect timeout is 5 s. A full CI run shares 2 cores between the Blazor server, the Monitoring
        // service, Chromium and other test projects; a page that renders in 1 s alone has been seen to need more than 5 s
        // there. The longer wait only costs time when an assertion is failing anyway.
        Assertions.SetDefaultExpectTimeout(ExpectTimeoutMs);
        var pw = await Playwright.CreateAsync();
        var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return (pw, browser);
    }

    public static string ScreenshotPath(string name)
    {
        var dir = Path.Combine(RepoLocator.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name + ".png");
    }

    /// <summary>
    /// Saves a screenshot of the whole page. RadzenLayout scrolls inside its body, so a "full page" shot would stop at the
    /// viewport: the viewport is first grown to the body's content height.
    /// </summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var height = await page.EvaluateAsync<int>("() => { const b = document.querySelector('.rz-body'); const h = document.querySelector('.rz-header'); return Math.ceil((b ? b.scrollHeight : document.body.scrollHeight) + (h ? h.offsetHeight : 0)); }");
        var width = page.ViewportSize?.Width ?? 1440;
        await page.SetViewportSizeAsync(width, Math.Clamp(height, 600, 6000));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath(name), FullPage = true });
    }

    /// <summary>Waits until the Blazor circuit is up, so clicks reach the server (prerendered buttons do nothing before).</summary>
    public static async Task WaitForCircuitAsync(IPage page)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined && document.querySelector('[data-testid=loading]') === null");
    }
}
