using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Observatory.Testing;

namespace Observatory.Dashboard.Tests;

/// <summary>
/// The published dashboard started the way users start it: `dotnet /elsewhere/Observatory.Dashboard.dll` from a working directory
/// that is not its own folder. It used to answer every stylesheet and script with an empty 200, leaving an unstyled page whose
/// circuit never connected.
/// </summary>
public sealed partial class PublishedDashboardTests
{
    [Fact]
    public async Task PublishedDashboard_StartedFromAnotherFolder_ServesItsAssetsAndConnects()
    {
        await using var host = await PublishedHost.StartAsync("Dashboard/Observatory.Dashboard");
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        var html = await http.GetStringAsync("");
        var assets = AssetReference().Matches(html).Select(m => m.Groups["url"].Value).Where(u => !u.StartsWith("http", StringComparison.Ordinal)).ToList();
        Assert.Contains(assets, a => a.StartsWith("_framework/blazor.web", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.StartsWith("_content/Radzen.Blazor/css/", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.StartsWith("_content/Radzen.Blazor/Radzen.Blazor.js", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.StartsWith("app.", StringComparison.Ordinal) && a.EndsWith(".css", StringComparison.Ordinal));
        foreach (var asset in assets.Append("app.css").Append("_framework/blazor.web.js"))
        {
            using var r = await http.GetAsync(asset);
            var body = await r.Content.ReadAsByteArrayAsync();
            Assert.True(r.IsSuccessStatusCode, $"{asset}: {(int)r.StatusCode}");
            Assert.True(body.Length > 100, $"{asset} came back with {body.Length} bytes\n{host.Log}");
            var type = r.Content.Headers.ContentType?.MediaType;
            if (asset.Contains(".css", StringComparison.Ordinal)) Assert.Equal("text/css", type);
            else if (asset.Contains(".js", StringComparison.Ordinal)) Assert.Equal("text/javascript", type);
        }

        var (playwright, browser) = await Browser.LaunchAsync();
        try
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = host.BaseAddress.ToString() });
            var circuit = page.WaitForWebSocketAsync(new() { Predicate = w => w.Url.Contains("/_blazor", StringComparison.Ordinal) });
            await page.GotoAsync("");
            await Browser.WaitForCircuitAsync(page);
            // Connected: the circuit's socket opened, and the error bar (hidden by app.css, shown by blazor.web.js) stays hidden.
            Assert.False((await circuit).IsClosed, host.Log);
            Assert.False(await page.IsVisibleAsync("#blazor-error-ui"), host.Log);
            // Styled: app.css placed the main area, Radzen's theme set the layout's font.
            Assert.NotEqual("0px", await page.EvalOnSelectorAsync<string>(".obs-main", "e => getComputedStyle(e).paddingTop"));
            Assert.Contains("Roboto", await page.EvalOnSelectorAsync<string>("body", "e => getComputedStyle(e).fontFamily"), StringComparison.Ordinal);
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }

    [GeneratedRegex("""(?:href|src)="(?<url>[^"]+\.(?:css|js)[^"]*)" """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex AssetReference();
}
