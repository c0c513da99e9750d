using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Observatory.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class PagesTests(DashboardFixture fx)
{
    [Theory]
    [InlineData("", "Overview", "overview")]
    [InlineData("models", "Models", "models")]
    [InlineData("alerts", "Alerts", "alerts")]
    [InlineData("datasets", "Datasets", "datasets")]
    [InlineData("jobs", "Jobs", "jobs")]
    public async Task EveryPage_RendersItsHeadingWithoutErrors_AndIsScreenshotted(string path, string heading, string screenshot)
    {
        var page = await fx.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        page.PageError += (_, e) => errors.Add(e);
        var response = await page.GotoAsync(path);
        Assert.Equal(200, response!.Status);
        await Browser.WaitForCircuitAsync(page);
        await Expect(page.Locator("h1")).ToHaveTextAsync(heading);
        await Expect(page.Locator(".rz-sidebar")).ToContainTextAsync("Datasets");
        Assert.False(await page.Locator("#blazor-error-ui").IsVisibleAsync());
        await Browser.ScreenshotAsync(page, screenshot);
        Assert.Empty(errors);
        await Expect(page.GetByTestId("monitoring-error")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task UnknownAddress_ShowsAFriendlyNotFoundPage()
    {
        var page = await fx.NewPageAsync();
        var response = await page.GotoAsync("no/such/page");
        Assert.Equal(404, response!.Status);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Page not found");
    }

    [Fact]
    public async Task ErrorPage_TellsThePersonPlainlyWithoutDetails()
    {
        var page = await fx.NewPageAsync();
        await page.GotoAsync("error");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Something went wrong");
        await Expect(page.Locator("body")).Not.ToContainTextAsync("Exception");
        await Browser.ScreenshotAsync(page, "error");
    }
}
