using Microsoft.Playwright;
using Observatory.Testing;

namespace Observatory.EndToEnd.Tests;

/// <summary>Debian's Chromium driven by Playwright, launched as tests/Observatory.Dashboard.Tests does; never downloads a browser.</summary>
internal static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static async Task<(IPlaywright, IBrowser)> LaunchAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing. Run: sudo scripts/setup-test-deps.sh   (or: apt-get install -y chromium fonts-roboto)");
        var pw = await Playwright.CreateAsync();
        try
        {
            var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            return (pw, browser);
        }
        catch
        {
            pw.Dispose();
            throw;
        }
    }

    public static string ScreenshotPath(string name)
    {
        var dir = Path.Combine(RepoLocator.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name + ".png");
    }

    /// <summary>Waits until the Blazor circuit is up, so clicks reach the server (prerendered buttons do nothing before).</summary>
    public static async Task WaitForCircuitAsync(IPage page)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined && document.querySelector('[data-testid=loading]') === null");
    }
}
