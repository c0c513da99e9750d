using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Observatory.Dashboard.Tests;

/// <summary>Silences and the open-alert links, each against a Monitoring service of its own (<see cref="OwnDashboard"/>).</summary>
[Collection(DashboardCollection.Name)]
public sealed class AlertsPageFeatureTests(DashboardFixture fx)
{
    private async Task<IPage> OpenAsync(OwnDashboard own, string path)
    {
        var page = await fx.NewPageAsync(own.Server.BaseAddress);
        var response = await page.GotoAsync(path);
        Assert.Equal(200, response!.Status);
        await Browser.WaitForCircuitAsync(page);
        return page;
    }

    [Fact]
    public async Task AlertsPage_ListsActiveSilencesWithTheirExpiry_BadgesTheSilencedAlert_AndRemoveEndsTheSilence()
    {
        await using var own = await OwnDashboard.StartAsync(fx);
        await own.SeedFiringAsync("orders", ("orders-drift", "orders traffic drifted"));
        await own.SeedFiringAsync("returns", ("returns-drift", "returns traffic drifted"));
        var silence = await own.PostAsync("api/silences", new { model = "orders", ruleId = "orders-drift", duration = "04:00:00", comment = "deploy in progress", createdBy = "ops-tester" });
        var other = await own.PostAsync("api/silences", new { model = "returns", duration = "1.00:00:00", comment = "returns under review", createdBy = "ops-tester" });
        var id = silence.GetProperty("id").GetString()!;
        var endsAt = silence.GetProperty("endsAt").GetDateTimeOffset();

        var page = await OpenAsync(own, "alerts");
        var silences = page.GetByTestId("silences-grid");
        var row = silences.Locator("tr", new() { HasText = "deploy in progress" });
        await Expect(row).ToContainTextAsync("orders-drift");
        await Expect(row.GetByTestId("silence-until")).ToHaveTextAsync(endsAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        await Expect(silences.Locator("tr", new() { HasText = "returns under review" })).ToContainTextAsync("every rule");
        var alert = page.GetByTestId("alerts-grid").Locator("tr", new() { HasText = "orders traffic drifted" });
        await Expect(alert.GetByTestId("silenced")).ToBeVisibleAsync();
        await Expect(alert.GetByTestId("silenced")).ToHaveAttributeAsync("title", $"notifications muted until {endsAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        await Browser.ScreenshotAsync(page, "alerts-silences");

        // A removal is two calls to the service and a reload of the page's lists: on 2 shared cores that can take more than the 5 s
        // default. The page also reloads its lists on the notifier's timer: a click that reaches the circuit just after a reload
        // re-rendered the grid names a handler that is gone and is dropped, so the click is given again while the row is still there.
        for (var attempt = 1; ; attempt++)
        {
            if (await row.CountAsync() > 0) await row.GetByTestId("remove-silence").ClickAsync(new() { Timeout = 5_000 });
            try
            {
                await Expect(page.GetByTestId("alert-action-done")).ToContainTextAsync("Silence of orders-drift on orders removed", new() { Timeout = 10_000 });
                break;
            }
            catch (PlaywrightException) when (attempt < 3) { }
        }
        await Expect(row).ToHaveCountAsync(0);
        await Expect(alert.GetByTestId("silenced")).ToHaveCountAsync(0);
        // Only the silence removed: the other model's stays, on the page and in the service.
        await Expect(silences.Locator("tr", new() { HasText = "returns under review" })).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("alerts-grid").Locator("tr", new() { HasText = "returns traffic drifted" }).GetByTestId("silenced")).ToBeVisibleAsync();

        var listed = (await own.Monitoring.Client.GetFromJsonAsync<JsonElement>("api/silences")).EnumerateArray().Select(s => s.GetProperty("id").GetString()).ToList();
        Assert.DoesNotContain(id, listed);
        Assert.Contains(other.GetProperty("id").GetString(), listed);
    }

    [Fact]
    public async Task OpenAlertLinks_OnTheOverviewAndTheModelsPage_ShowOnlyOpenAlerts()
    {
        await using var own = await OwnDashboard.StartAsync(fx);
        var orders = await own.SeedFiringAsync("orders", ("orders-open", "orders alert still open"), ("orders-done", "orders alert resolved"));
        var returns = await own.SeedFiringAsync("returns", ("returns-acked", "returns alert acknowledged"));
        await own.PostAsync($"api/alerts/{orders["orders-done"]}/resolve");
        await own.PostAsync($"api/alerts/{returns["returns-acked"]}/acknowledge", new { by = "ops-tester" });

        // Overview: every model's open alerts (firing or acknowledged), not the resolved one.
        var page = await OpenAsync(own, "");
        await Expect(page.GetByTestId("overview-open")).ToHaveTextAsync("2");
        await page.GetByTestId("overview-open-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/alerts\?state=open$"));
        var grid = page.GetByTestId("alerts-grid");
        await Expect(grid.Locator("tr", new() { HasText = "orders alert still open" })).ToHaveCountAsync(1);
        await Expect(grid.Locator("tr", new() { HasText = "returns alert acknowledged" })).ToHaveCountAsync(1);
        await Expect(grid).Not.ToContainTextAsync("orders alert resolved");
        await Expect(page.GetByTestId("filter-state")).ToContainTextAsync("open");

        // Models: one model's open alerts only.
        page = await OpenAsync(own, "models");
        var link = page.GetByTestId("models-grid").Locator("tr", new() { HasText = "orders" }).GetByTestId("open-alerts-link");
        await Expect(link).ToHaveTextAsync("1");
        await link.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/alerts\?state=open&model=orders$"));
        grid = page.GetByTestId("alerts-grid");
        await Expect(grid.Locator("tr", new() { HasText = "orders alert still open" })).ToHaveCountAsync(1);
        await Expect(grid).Not.ToContainTextAsync("orders alert resolved");
        await Expect(grid).Not.ToContainTextAsync("returns alert acknowledged");
        await Expect(page.GetByTestId("filter-model")).ToContainTextAsync("orders");
        await Browser.ScreenshotAsync(page, "alerts-open-of-model");
    }
}
