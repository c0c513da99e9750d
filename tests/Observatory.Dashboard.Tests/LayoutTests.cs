using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Observatory.Dashboard.Tests;

/// <summary>
/// Every page at a desktop, a small laptop and a phone width: nothing scrolls sideways, the actions stay in view, the sidebar
/// toggles (collapsed by default on a phone, closed again once a page is chosen there) and text keeps a readable width.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class LayoutTests(DashboardFixture fx)
{
    private static readonly string[] Pages = ["", "models", $"models/{DashboardFixture.DriftingModel}", "alerts", "jobs", "datasets"];

    private const string SidebarOpen = "() => document.querySelector('.rz-sidebar').getBoundingClientRect().width > 100";
    private const string SidebarClosed = "() => document.querySelector('.rz-sidebar').getBoundingClientRect().width < 2";

    private async Task<IPage> OpenAsync(string path, int width)
    {
        var page = await fx.NewPageAsync();
        await page.SetViewportSizeAsync(width, 800);
        var response = await page.GotoAsync(path);
        Assert.Equal(200, response!.Status);
        await Browser.WaitForCircuitAsync(page);
        return page;
    }

    [Theory]
    [InlineData(1440)]
    [InlineData(1024)]
    [InlineData(390)]
    public async Task EveryPage_AtThisWidth_HasNoSidewaysScrollAndKeepsItsActionsInView(int width)
    {
        foreach (var path in Pages)
        {
            var page = await OpenAsync(path, width);
            if (path == "alerts") await Expect(page.GetByTestId("alerts-grid")).ToContainTextAsync(DashboardFixture.AlertSummary);
            if (path == "jobs") await Expect(page.GetByTestId("run-now").First).ToBeVisibleAsync();
            if (path.StartsWith("models/", StringComparison.Ordinal)) await Expect(page.Locator(".obs-main h1, .obs-main .rz-card").First).ToBeVisibleAsync();
            await Browser.ScreenshotAsync(page, $"layout-{width}-{(path.Length == 0 ? "overview" : path.Replace('/', '-'))}");
            await page.SetViewportSizeAsync(width, 800);

            var overflow = await page.EvaluateAsync<string>("""
                () => {
                  const d = document.documentElement, b = document.querySelector('.rz-body');
                  const out = [];
                  if (d.scrollWidth > d.clientWidth + 1) out.push(`document ${d.scrollWidth} > ${d.clientWidth}`);
                  if (b && b.scrollWidth > b.clientWidth + 1) out.push(`body ${b.scrollWidth} > ${b.clientWidth}`);
                  for (const g of document.querySelectorAll('.rz-data-grid-data'))
                    if (g.scrollWidth > g.clientWidth + 1) out.push(`grid ${g.scrollWidth} > ${g.clientWidth}`);
                  return out.join('; ');
                }
                """);
            Assert.True(overflow.Length == 0, $"/{path} at {width} px scrolls sideways: {overflow}");

            var actions = path switch
            {
                "alerts" => page.GetByTestId("alerts-grid").Locator("tr", new() { HasText = DashboardFixture.AlertSummary }).GetByTestId("resolve"),
                "jobs" => page.GetByTestId("run-now"),
                _ => null,
            };
            if (actions is not null) await AssertInViewAsync(actions, path, width);
            await page.Context.CloseAsync();
        }
    }

    private static async Task AssertInViewAsync(ILocator actions, string path, int width)
    {
        var count = await actions.CountAsync();
        Assert.True(count > 0, $"/{path} shows no action button");
        for (var i = 0; i < count; i++)
        {
            var box = await actions.Nth(i).BoundingBoxAsync();
            Assert.True(box is not null && box.Width > 0 && box.X >= 0 && box.X + box.Width <= width,
                $"/{path} at {width} px: action {i} lies outside the viewport ({box?.X} + {box?.Width})");
        }
    }

    [Theory]
    [InlineData(1440, true)]
    [InlineData(1024, true)]
    [InlineData(390, false)]
    public async Task Sidebar_Toggle_CollapsesAndExpandsIt(int width, bool expandedAtFirst)
    {
        var page = await OpenAsync("models", width);
        await page.WaitForFunctionAsync(expandedAtFirst ? SidebarOpen : SidebarClosed);
        await page.GetByTestId("sidebar-toggle").ClickAsync();
        await page.WaitForFunctionAsync(expandedAtFirst ? SidebarClosed : SidebarOpen);
        if (!expandedAtFirst) await Expect(page.Locator(".rz-sidebar").GetByText("Alerts")).ToBeVisibleAsync();
        await page.GetByTestId("sidebar-toggle").ClickAsync();
        await page.WaitForFunctionAsync(expandedAtFirst ? SidebarOpen : SidebarClosed);
    }

    [Theory]
    [InlineData("Jobs")]
    [InlineData("Models")]
    public async Task Sidebar_OnAPhone_ClosesByItselfOnceAPageIsChosen(string link)
    {
        var page = await fx.NewPageAsync();
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("models");
        await Browser.WaitForCircuitAsync(page);
        await page.WaitForFunctionAsync(SidebarClosed);
        await page.GetByTestId("sidebar-toggle").ClickAsync();
        await page.WaitForFunctionAsync(SidebarOpen);

        // "Models" is the page already shown: choosing it must close the sidebar too, though the address does not change.
        await page.Locator(".rz-sidebar").GetByText(link, new() { Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/{link.ToLowerInvariant()}$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync(link);
        await page.WaitForFunctionAsync(SidebarClosed);
        Assert.False(await page.GetByTestId("sidebar-toggle").IsCheckedAsync());
    }

    [Fact]
    public async Task ModelPage_OnAPhone_KeepsTextBlocksReadable()
    {
        var page = await OpenAsync($"models/{DashboardFixture.DriftingModel}", 390);
        await Expect(page.Locator(".obs-main .rz-card").First).ToBeVisibleAsync();
        var narrow = await page.EvaluateAsync<string>("""
            () => [...document.querySelectorAll('.obs-main p, .obs-main h1, .obs-main h2, .obs-main .rz-card')]
              .filter(e => e.textContent.trim().length > 20 && e.getClientRects().length > 0)
              .map(e => [e.tagName + ' ' + e.textContent.trim().slice(0, 30), e.getBoundingClientRect().width])
              .filter(([, w]) => w <= 200).map(([t, w]) => `${t} (${Math.round(w)} px)`).join('; ')
            """);
        Assert.True(narrow.Length == 0, $"narrow text blocks at 390 px: {narrow}");
    }
}
