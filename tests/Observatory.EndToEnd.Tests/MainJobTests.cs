using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Observatory.Testing;
using static Microsoft.Playwright.Assertions;

namespace Observatory.EndToEnd.Tests;

/// <summary>
/// The main job end to end, as `bash scripts/demo.sh` runs its monitoring half: registry dataset version as the reference,
/// traffic without then with drift, the "retraining recommended" alert delivered to the webhook sink, shown in the dashboard
/// in Chromium. Shorter than the demo: a 10-minute window and fewer events.
/// </summary>
public sealed class MainJobTests
{
    private const string AlertSummary = "retraining recommended: input drift in consecutive windows";

    private static readonly Dictionary<string, string> ShortRun = new()
    {
        ["OBS_DEMO_WINDOW"] = "00:10:00",
        ["OBS_DEMO_NO_DRIFT_EVENTS"] = "100",
        ["OBS_DEMO_DRIFT_EVENTS"] = "150",
    };

    [Fact]
    public async Task Demo_WhenTrafficDrifts_DeliversTheRetrainingAlertToTheSink_AndTheDashboardShowsIt()
    {
        var checkout = CheckoutState();
        int? group;
        await using (var demo = DemoRun.Start(ShortRun))
        {
            group = demo.ProcessGroupId;
            Assert.NotNull(group);
            var dashboard = await demo.DashboardAsync(TimeSpan.FromMinutes(3));

            // The webhook sink received the firing alert of the drift rule.
            var sink = Path.Combine(demo.Work, "alerts.jsonl");
            var notifications = File.ReadAllLines(sink).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            var notification = Assert.Single(notifications, n => n.GetProperty("rule").GetString() == "embedding-drift");
            Assert.Equal("shapes", notification.GetProperty("model").GetString());
            Assert.Equal("firing", notification.GetProperty("status").GetString());
            Assert.Equal(AlertSummary, notification.GetProperty("summary").GetString());

            // It fired on drift, not before: the no-drift window was not flagged, the three drift windows were.
            using var api = new HttpClient { BaseAddress = demo.Monitoring };
            var drift = (await api.GetFromJsonAsync<JsonElement>("api/models/shapes/drift?limit=1000")).EnumerateArray()
                .OrderBy(r => r.GetProperty("createdAt").GetDateTimeOffset())
                .Select(r => r.GetProperty("flagged").GetBoolean()).ToList();
            Assert.Equal([false, true, true, true], drift);

            // The dashboard shows the alert and its delivery to the sink.
            var (playwright, browser) = await Browser.LaunchAsync();
            try
            {
                var page = await browser.NewPageAsync(new() { BaseURL = dashboard.ToString(), ViewportSize = new() { Width = 1440, Height = 900 } });
                var response = await page.GotoAsync("alerts");
                Assert.Equal(200, response!.Status);
                await Browser.WaitForCircuitAsync(page);
                var row = page.GetByTestId("alerts-grid").Locator("tr", new() { HasText = AlertSummary });
                await Expect(row).ToHaveCountAsync(1);
                await Expect(row).ToContainTextAsync("embedding-drift");
                await Expect(row).ToContainTextAsync("shapes");
                await Expect(row.GetByTestId("alert-state")).ToHaveTextAsync("firing");
                await row.Locator("td").Nth(3).ClickAsync();
                var deliveries = page.GetByTestId("deliveries");
                await Expect(deliveries).ToContainTextAsync("Notification attempts of embedding-drift on shapes");
                await Expect(deliveries.Locator("tr", new() { HasText = "sink" }).First).ToContainTextAsync("delivered");
                await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("e2e-demo-alerts"), FullPage = true });

                // The registry's Datasets page of a fresh clone: the current version's validation report is there (the demo
                // regenerates the files and re-adds them, which brings the report object back), with no warning or error.
                var datasets = await browser.NewPageAsync(new() { BaseURL = dashboard.ToString(), ViewportSize = new() { Width = 1440, Height = 900 } });
                var errors = new List<string>();
                datasets.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
                Assert.Equal(200, (await datasets.GotoAsync("datasets?dataset=shapes-train"))!.Status);
                await Browser.WaitForCircuitAsync(datasets);
                await Expect(datasets.GetByTestId("report-errors")).ToHaveTextAsync("0");
                await Expect(datasets.GetByTestId("report-warnings")).ToHaveTextAsync("0");
                await Expect(datasets.GetByText("is not in the cache")).ToHaveCountAsync(0);
                await Expect(datasets.GetByTestId("datasets-error")).ToHaveCountAsync(0);
                await datasets.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("e2e-demo-datasets"), FullPage = true });
                Assert.Empty(errors);
            }
            finally
            {
                await browser.DisposeAsync();
                playwright.Dispose();
            }
        }

        // Everything the script started is gone, and the checkout's registry and .work were left alone.
        Assert.False(ProcessGroup.IsAlive(group!.Value), "a process of the demo outlived the test");
        Assert.Equal(checkout, CheckoutState());
    }

    /// <summary>Every file and folder under data-registry/ and .work/demo-monitoring with its write time: the demo would change them.</summary>
    private static IReadOnlyDictionary<string, DateTime> CheckoutState()
    {
        var state = new SortedDictionary<string, DateTime>(StringComparer.Ordinal);
        foreach (var folder in new[] { "data-registry", Path.Combine(".work", "demo-monitoring") })
        {
            var root = new DirectoryInfo(Path.Combine(RepoLocator.Root, folder));
            if (!root.Exists) continue;
            state[folder] = root.LastWriteTimeUtc;
            foreach (var entry in root.EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
                state[Path.GetRelativePath(RepoLocator.Root, entry.FullName)] = entry.LastWriteTimeUtc;
        }
        return state;
    }
}
