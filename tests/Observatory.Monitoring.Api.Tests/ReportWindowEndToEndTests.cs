using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Observatory.Monitoring.Contracts;
using Observatory.Samples;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// `obs report --service` end to end: the real service on Kestrel (images uploaded, the drift job run), the real `obs` as a process,
/// reading the window's typed result, outliers and kept images into one HTML file.
/// </summary>
public sealed class ReportWindowEndToEndTests : IAsyncLifetime
{
    private static readonly string[] Classes = ["circle", "square", "triangle"];
    private MonitoringServer _server = null!;
    private readonly TempDirectory _dir = new("report-window");

    private DateTimeOffset T0 => _server.Time.GetUtcNow();
    private string Service => _server.Client.BaseAddress!.ToString().TrimEnd('/');
    private static Dictionary<string, string> Key => new() { ["OBS_MONITORING_API_KEY"] = MonitoringServer.ApiKey };

    public async Task InitializeAsync()
    {
        _server = await MonitoringServer.StartAsync();
        await _server.RegisterAsync("shapes", new
        {
            classes = Classes, embeddingModel = "random", referenceUntil = T0.AddHours(-2), window = "00:30:00",
            schedule = "0 0 0 1 1 ? 2099", driftMethods = new[] { "mmd", "ks" },
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private async Task UploadAsync(string prefix, int n, DateTimeOffset from, int brightness, int seed)
    {
        var options = new SampleDatasetOptions();
        var form = new MultipartFormDataContent();
        var events = Enumerable.Range(0, n).Select(i => new { id = $"{prefix}-{i}", timestamp = from.AddSeconds(20 * i), predictedClass = Classes[i % 3], confidence = 0.9 }).ToList();
        form.Add(JsonContent.Create(new { events }, options: MonitoringJson.Options), "events");
        for (var i = 0; i < n; i++) form.Add(new ByteArrayContent(SampleDataset.RenderImage(seed + i, options with { BrightnessShift = brightness }, out _)), "image", $"{prefix}-{i}.jpg");
        using var r = await _server.Client.PostAsync("/api/models/shapes/images", form);
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Report_OfADriftedWindow_ShowsTheServicesVerdictsImageStatisticsAndOutlierImages()
    {
        await UploadAsync("ref", 30, T0.AddHours(-3), 0, 500);
        await UploadAsync("cam", 20, T0.AddMinutes(-20), 90, 900);
        using (var run = await _server.Client.PostAsync("/api/models/shapes/jobs/drift/run?wait=true", null))
            Assert.True(run.StatusCode == HttpStatusCode.OK, await run.Content.ReadAsStringAsync());
        var window = Assert.Single((await _server.Client.GetFromJsonAsync<List<DriftWindowResult>>("/api/models/shapes/drift", MonitoringJson.Options))!);
        var features = window.Details.ImageFeatures!;
        Assert.Contains(features, f => f.Feature == "brightness" && f.Moved);

        var run1 = await ObsProcess.RunAsync(_dir.Path, ["report", "--service", Service, "--model", "shapes", "--window", window.WindowEnd.ToString("O"), "-o", "w.html"], Key);
        Assert.True(run1.ExitCode == 0, run1.ToString());
        var html = File.ReadAllText(_dir.Combine("w.html"));
        Assert.Contains(window.Flagged ? "data-testid=\"verdict\">Drift detected" : "data-testid=\"verdict\">No drift detected", html);
        // Every method's figures as the service stored them.
        foreach (var m in window.Details.Embedding!.Methods)
        {
            var row = Regex.Match(html, $"<section data-testid=\"methods\" data-report=\"embedding drift\">.*?<tr data-testid=\"method\" data-method=\"{m.Method}\">.*?</tr>").Value;
            Assert.Contains($"<td class=\"n\">{m.Statistic.ToString("0.####", CultureInfo.InvariantCulture)}</td>", row);
            Assert.Contains(m.Drifted ? ">drifted</span>" : ">stable</span>", row);
        }
        Assert.Contains(((window.Details.EmbeddingShareDrifted ?? -1) * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %", html);
        var brightness = features.Single(f => f.Feature == "brightness");
        Assert.Contains($"{brightness.ReferenceMean!.Value.ToString("0.###", CultureInfo.InvariantCulture)} → {brightness.CurrentMean!.Value.ToString("0.###", CultureInfo.InvariantCulture)}", html);
        Assert.Contains("brightness (moved)", html);
        // The outliers the service ranks, each with the image it kept, inline.
        var outliers = (await _server.Client.GetFromJsonAsync<DriftOutliers>(
            $"/api/models/shapes/drift/outliers?count=8&windowEnd={Uri.EscapeDataString(window.WindowEnd.ToString("O"))}", MonitoringJson.Options))!;
        Assert.NotEmpty(outliers.Outliers);
        Assert.Equal(outliers.Outliers.Count, Regex.Matches(html, "data-testid=\"outlier-thumbnail\"").Count);
        foreach (var o in outliers.Outliers) Assert.Contains($"alt=\"{o.Id}\" src=\"data:image/jpeg;base64,", html);
        Assert.Empty(Regex.Matches(html, """\s(src|href)\s*=\s*"(?!data:image/)"""));

        // Without the key the kept images are refused: one line naming the way to pass it, and no file.
        var keyless = await ObsProcess.RunAsync(_dir.Path, ["report", "--service", Service, "--model", "shapes", "--window", window.WindowEnd.ToString("O"), "-o", "keyless.html"],
            new Dictionary<string, string> { ["OBS_MONITORING_API_KEY"] = "" });
        Assert.NotEqual(0, keyless.ExitCode);
        Assert.Contains("pass --api-key or set OBS_MONITORING_API_KEY", keyless.Stderr);
        Assert.False(File.Exists(_dir.Combine("keyless.html")));
        // A window the service has no result for is a usage error naming where the windows are listed.
        var missing = await ObsProcess.RunAsync(_dir.Path, ["report", "--service", Service, "--model", "shapes", "--window", "2001-01-01T00:00:00Z", "-o", "m.html", "--api-key", MonitoringServer.ApiKey], null);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("has no drift result for the window ending 2001-01-01 00:00 UTC", missing.Stderr);
    }
}
