using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Observatory.Dashboard.Tests;

/// <summary>The monitoring pages against a real, seeded Monitoring service (see <see cref="DashboardFixture"/>).</summary>
[Collection(DashboardCollection.Name)]
public sealed class MonitoringPagesTests(DashboardFixture fx)
{
    private async Task<IPage> OpenAsync(string path)
    {
        var page = await fx.NewPageAsync();
        var response = await page.GotoAsync(path);
        Assert.Equal(200, response!.Status);
        await Browser.WaitForCircuitAsync(page);
        return page;
    }

    [Fact]
    public async Task AlertsPage_ShowsTheSeededDriftAlert_AndItsNotificationAttempts()
    {
        var page = await OpenAsync("alerts");
        var row = page.GetByTestId("alerts-grid").Locator("tr", new() { HasText = DashboardFixture.AlertSummary });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("embedding-drift");
        await Expect(row).ToContainTextAsync(DashboardFixture.DriftingModel);
        await Expect(row).ToContainTextAsync("warning");
        var id = (await fx.Monitoring.AlertsAsync(DashboardFixture.DriftingModel)).Single().GetProperty("id").GetString()!;
        await MonitoringService.UntilAsync(async () =>
            (await fx.Monitoring.Client.GetFromJsonAsync<JsonElement>($"api/alerts/{id}/deliveries")).GetArrayLength() > 0, "a delivery attempt");
        await row.Locator("td").Nth(3).ClickAsync();
        var deliveries = page.GetByTestId("deliveries");
        await Expect(deliveries).ToContainTextAsync("Notification attempts of embedding-drift on shapes");
        await Expect(deliveries.Locator("tr", new() { HasText = MonitoringService.Webhook }).First).ToContainTextAsync("failed");
        await Browser.ScreenshotAsync(page, "alerts-seeded");
    }

    [Fact]
    public async Task AlertsPage_SeverityFilter_HidesAlertsOfOtherSeverities()
    {
        var page = await OpenAsync("alerts");
        await Expect(page.GetByTestId("alerts-grid")).ToContainTextAsync(DashboardFixture.AlertSummary);
        await page.GetByTestId("filter-severity").ClickAsync();
        await page.Locator(".rz-dropdown-item", new() { HasText = "critical" }).ClickAsync();
        await Expect(page.GetByTestId("alerts-empty")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task AlertsPage_Acknowledge_ChangesTheAlertStateInTheStore()
    {
        var id = (await fx.Monitoring.AlertsAsync(DashboardFixture.DriftingModel)).Single().GetProperty("id").GetString()!;
        var page = await OpenAsync("alerts");
        var row = page.GetByTestId("alerts-grid").Locator("tr", new() { HasText = DashboardFixture.AlertSummary });
        await row.GetByTestId("acknowledge").ClickAsync();
        await Expect(page.GetByTestId("alert-action-done")).ToContainTextAsync("Acknowledged embedding-drift on shapes");
        await Expect(row.GetByTestId("alert-state")).ToHaveTextAsync("acknowledged");

        var stored = await fx.Monitoring.Client.GetFromJsonAsync<JsonElement>($"api/alerts/{id}");
        Assert.Equal("acknowledged", stored.GetProperty("state").GetString());
        Assert.Equal("dashboard", stored.GetProperty("acknowledgedBy").GetString());
        await Browser.ScreenshotAsync(page, "alerts-acknowledged");
    }

    [Fact]
    public async Task AlertsPage_Silence_CreatesASilenceWithTheChosenExpiryInTheStore()
    {
        var page = await OpenAsync("alerts");
        var row = page.GetByTestId("alerts-grid").Locator("tr", new() { HasText = DashboardFixture.AlertSummary });
        var clicked = DateTimeOffset.UtcNow;
        await row.GetByTestId("silence").ClickAsync();
        await Expect(page.GetByTestId("alert-action-done")).ToContainTextAsync("Notifications of embedding-drift on shapes silenced until");

        var silences = (await fx.Monitoring.Client.GetFromJsonAsync<JsonElement>("api/silences")).EnumerateArray()
            .Where(x => x.GetProperty("model").GetString() == DashboardFixture.DriftingModel).ToList();
        var silence = Assert.Single(silences);
        Assert.Equal("embedding-drift", silence.GetProperty("ruleId").GetString());
        var endsAt = silence.GetProperty("endsAt").GetDateTimeOffset();
        Assert.InRange(endsAt, clicked.AddHours(4).AddMinutes(-1), clicked.AddHours(4).AddMinutes(5)); // the default choice: 4 hours
    }

    [Fact]
    public async Task ModelPage_ShowsADriftChartWithOnePointPerSeededDriftRun()
    {
        var stored = await fx.Monitoring.DriftAsync(DashboardFixture.DriftingModel);
        Assert.Equal(DashboardFixture.DriftRuns, stored.Length);
        var page = await OpenAsync($"models/{DashboardFixture.DriftingModel}");
        await Expect(page.Locator("h1")).ToHaveTextAsync(DashboardFixture.DriftingModel);
        await Expect(page.GetByTestId("drift-points")).ToHaveTextAsync(DashboardFixture.DriftRuns.ToString());
        await Expect(page.GetByTestId("drift-flagged")).ToHaveTextAsync(DashboardFixture.DriftRuns.ToString());
        var chart = page.Locator("[data-testid=drift-chart][data-method=mmd]");
        await Expect(chart).ToHaveAttributeAsync("data-points", DashboardFixture.DriftRuns.ToString());
        await Expect(page.GetByTestId("accuracy-points")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("accuracy-latest")).ToHaveTextAsync("95.0 %");
        var classes = page.GetByTestId("class-distribution");
        foreach (var c in new[] { "circle", "square", "triangle" }) await Expect(classes).ToContainTextAsync(c);
        await Browser.ScreenshotAsync(page, "model-shapes");
        await Expect(chart.Locator("svg .rz-line-series").First).ToBeAttachedAsync();
    }

    [Fact]
    public async Task ModelPage_OfAnUnknownModel_SaysSoInsteadOfAnExceptionPage()
    {
        var page = await OpenAsync("models/no-such-model");
        // The service's 404 means "not registered", not "unavailable" (ModelPageFeatureTests checks the wording and the link).
        await Expect(page.GetByTestId("model-not-found")).ToBeVisibleAsync();
        await Expect(page.Locator("body")).Not.ToContainTextAsync("Exception");
    }

    [Fact]
    public async Task ModelsPage_ListsBothModelsWithTheirHealth()
    {
        var page = await OpenAsync("models");
        var grid = page.GetByTestId("models-grid");
        await Expect(grid.Locator("tr", new() { HasText = DashboardFixture.DriftingModel }).GetByTestId("health")).ToHaveTextAsync("drifting");
        await Expect(grid.Locator("tr", new() { HasText = DashboardFixture.QuietModel }).GetByTestId("health")).ToHaveTextAsync("ok");
        await Browser.ScreenshotAsync(page, "models-list");
    }

    [Fact]
    public async Task Overview_ShowsTheDriftedModelAsDrifting_AndTheQuietOneAsOk()
    {
        var page = await OpenAsync("");
        var grid = page.GetByTestId("overview-models-grid");
        await Expect(grid.Locator("tr", new() { HasText = DashboardFixture.DriftingModel }).GetByTestId("health")).ToHaveTextAsync("drifting");
        await Expect(grid.Locator("tr", new() { HasText = DashboardFixture.QuietModel }).GetByTestId("health")).ToHaveTextAsync("ok");
        await Expect(page.GetByTestId("overview-models")).ToHaveTextAsync(DashboardFixture.ModelCount.ToString());
        await Expect(page.GetByTestId("overview-jobs")).ToContainTextAsync("drift · shapes");
        await Browser.ScreenshotAsync(page, "overview-monitoring");
    }

    [Fact]
    public async Task JobsPage_ShowsTheScheduleAndLastDriftRun_AndRunNowTriggersARun()
    {
        var page = await OpenAsync("jobs");
        var row = page.GetByTestId("jobs-grid").Locator("tr", new() { HasText = "drift" }).Filter(new() { HasText = DashboardFixture.DriftingModel }).First;
        await Expect(row).ToContainTextAsync("0 0 0 1 1 ? 2099");
        await Expect(row).ToContainTextAsync("succeeded");
        await Browser.ScreenshotAsync(page, "jobs-monitoring");
        var retention = page.GetByTestId("jobs-grid").Locator("tr", new() { HasText = "retention" });
        await retention.GetByTestId("run-now").ClickAsync();
        await Expect(page.GetByTestId("jobs-message")).ToContainTextAsync("retention triggered");
    }
}
