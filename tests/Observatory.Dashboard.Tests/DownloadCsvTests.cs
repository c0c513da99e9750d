using System.Text;
using Microsoft.Data.Analysis;
using static Microsoft.Playwright.Assertions;

namespace Observatory.Dashboard.Tests;

/// <summary>"Download CSV" on the grids (issue 15): clicking it saves a file holding the grid's rows, quoted where a value needs it.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DownloadCsvTests(DashboardFixture fx)
{
    [Fact]
    public async Task ModelsGrid_DownloadCsv_SavesTheGridsRows_WithAClassListThatHoldsCommasAndQuotes()
    {
        await using var own = await OwnDashboard.StartAsync(fx);
        await own.Monitoring.RegisterAsync("pets", new { classes = new[] { "cat, \"big\"", "dog" }, baselineAccuracy = 0.9, schedule = "0 0 0 1 1 ? 2099" });
        await own.Monitoring.RegisterAsync("birds", new { classes = new[] { "owl" }, schedule = "0 0 0 1 1 ? 2099" });

        var page = await fx.NewPageAsync(own.Server.BaseAddress);
        Assert.Equal(200, (await page.GotoAsync("models"))!.Status);
        await Browser.WaitForCircuitAsync(page);
        await Expect(page.GetByTestId("models-grid")).ToContainTextAsync("pets", new() { Timeout = 30_000 });
        var button = page.GetByTestId("download-csv-models");
        await Expect(button).ToBeEnabledAsync();
        await Browser.ScreenshotAsync(page, "models-download-csv");

        var download = await page.RunAndWaitForDownloadAsync(() => button.ClickAsync());
        Assert.Equal("models.csv", download.SuggestedFilename);
        var path = await download.PathAsync();
        var csv = await File.ReadAllBytesAsync(path);
        var text = Encoding.UTF8.GetString(csv);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("model,health,openAlerts,latestWindowEnd,accuracy,baselineAccuracy,classes", lines[0]);
        Assert.Equal(3, lines.Length);
        // The class list holds a comma and quotes: one quoted field, its quotes doubled.
        Assert.Contains(",0.9,\"cat, \"\"big\"\", dog\"", text);

        var frame = DataFrame.LoadCsv(new MemoryStream(csv), columnNames: ["model", "health", "openAlerts", "latestWindowEnd", "accuracy", "baselineAccuracy", "classes"],
            dataTypes: [typeof(string), typeof(string), typeof(long), typeof(string), typeof(double), typeof(double), typeof(string)], encoding: Encoding.UTF8);
        var rows = Enumerable.Range(0, (int)frame.Rows.Count).ToDictionary(i => (string)frame.Columns["model"][i], i => i);
        Assert.Equal(["birds", "pets"], rows.Keys.Order());
        Assert.Equal("cat, \"big\", dog", frame.Columns["classes"][rows["pets"]]);
        Assert.Equal(0.9, frame.Columns["baselineAccuracy"][rows["pets"]]);
        Assert.Equal(0L, frame.Columns["openAlerts"][rows["pets"]]);
        Assert.Equal("owl", frame.Columns["classes"][rows["birds"]]);
    }
}
