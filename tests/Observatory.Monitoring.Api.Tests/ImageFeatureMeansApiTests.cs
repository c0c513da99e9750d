using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>The image-statistics verdicts of a drift run carry the means of the reference and of the window, over real HTTP.</summary>
public sealed class ImageFeatureMeansApiTests : IAsyncLifetime
{
    private MonitoringServer _server = null!;
    private DateTimeOffset T0 => _server.Time.GetUtcNow();
    private IMonitoringStore Store => _server.Services.GetRequiredService<IMonitoringStore>();

    public async Task InitializeAsync() => _server = await MonitoringServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task DriftRun_ImageFeatureVerdicts_CarryTheMeansOfEveryReferenceAndWindowImage()
    {
        await _server.RegisterAsync("cams", new
        {
            classes = new[] { "circle", "square" }, embeddingDimension = 2, referenceUntil = T0.AddHours(-2), window = "00:30:00",
            schedule = "0 0 0 1 1 ? 2099", driftMethods = new[] { "mmd" },
        });
        // Features as the service stores them for uploaded images (ImageStatistics order); the window is darker and sharper.
        var rng = new Random(4);
        double[] Features(double brightness, double sharpness) => [brightness, 0.2 + 0.1 * rng.NextDouble(), sharpness, 0.3, 64, 48, 64.0 / 48];
        var reference = Enumerable.Range(0, 60).Select(_ => Features(0.5 + 0.2 * rng.NextDouble(), 0.1 * rng.NextDouble())).ToList();
        var current = Enumerable.Range(0, 45).Select(_ => Features(0.2 + 0.2 * rng.NextDouble(), 0.3 + 0.1 * rng.NextDouble())).ToList();
        InferenceEvent Event(string id, DateTimeOffset at, double[] features) =>
            new(id, at, "circle", 0.9, [(float)rng.NextDouble(), (float)rng.NextDouble()], ImageFeatures: features);
        await Store.InsertEventsAsync("cams", reference.Select((f, i) => Event($"ref-{i}", T0.AddHours(-3).AddMinutes(i), f)).ToList());
        await Store.InsertEventsAsync("cams", current.Select((f, i) => Event($"cur-{i}", T0.AddMinutes(-20).AddSeconds(i), f)).ToList());

        using (var r = await _server.Client.PostAsync("/api/models/cams/jobs/drift/run", null)) Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        await Poll.UntilAsync(async () => (await Store.ListResultsAsync("cams", "drift", 1)).Count == 1, "drift result");

        var details = (await _server.Anonymous.GetFromJsonAsync<JsonElement>("/api/models/cams/drift"))[0].GetProperty("details");
        var verdicts = details.GetProperty("imageFeatures").EnumerateArray().ToList();
        Assert.Equal(ImageStatistics.FeatureNames, verdicts.Select(v => v.GetProperty("feature").GetString()!));
        for (var j = 0; j < verdicts.Count; j++)
        {
            Assert.Equal(reference.Average(f => f[j]), verdicts[j].GetProperty("referenceMean").GetDouble(), 9);
            Assert.Equal(current.Average(f => f[j]), verdicts[j].GetProperty("currentMean").GetDouble(), 9);
        }
        var brightness = verdicts[0];
        Assert.True(brightness.GetProperty("moved").GetBoolean());
        Assert.True(brightness.GetProperty("currentMean").GetDouble() < brightness.GetProperty("referenceMean").GetDouble());
    }
}
