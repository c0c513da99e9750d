using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Onnx;
using Observatory.TrafficSimulator;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>The traffic simulator (real sample images, real ONNX encoder) against the real service: each scenario shows up where it should.</summary>
public sealed class TrafficSimulatorTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private MonitoringServer _server = null!;
    private ImageEmbedder _embedder = null!;

    public async Task InitializeAsync()
    {
        _server = await MonitoringServer.StartAsync();
        _embedder = new ImageEmbedder(EmbeddingModelOptions.Random);
    }

    public async Task DisposeAsync()
    {
        _embedder.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<(JsonElement Drift, JsonElement Accuracy)> SimulateAsync(string model, string scenario)
    {
        var runner = new SimulationRunner(new TrafficGenerator(_embedder), new MonitoringClient(_server.Client));
        await runner.RunAsync(model, TrafficScenario.Parse(scenario), 240, 240, 1.0, 11, _server.Time.GetUtcNow(), register: true, CancellationToken.None);
        var store = _server.Services.GetRequiredService<IMonitoringStore>();
        foreach (var job in new[] { "drift", "accuracy" })
        {
            var before = (await store.ListJobRunsAsync(model, 100)).Count;
            using var r = await _server.Client.PostAsync($"/api/models/{model}/jobs/{job}/run", null);
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
            await Poll.UntilAsync(async () => (await store.ListJobRunsAsync(model, 100)).Count > before, $"{job} run of {model}");
        }
        var drift = (await _server.Client.GetFromJsonAsync<JsonElement>($"/api/models/{model}/drift"))[0].GetProperty("details").GetProperty("window");
        var accuracy = (await _server.Client.GetFromJsonAsync<JsonElement>($"/api/models/{model}/accuracy"))[0].GetProperty("details").GetProperty("window");
        output.WriteLine($"{scenario}: drift {drift}; accuracy {accuracy}");
        return (drift, accuracy);
    }

    private static bool Flag(JsonElement w, string name) => w.TryGetProperty(name, out var v) && v.GetBoolean();

    [Fact]
    public async Task Scenarios_NoDriftIsQuiet_GradualDriftAndNewClassDrift_LabelNoiseLowersAccuracy()
    {
        var (quiet, quietAcc) = await SimulateAsync("no-drift", "no-drift");
        Assert.False(Flag(quiet, "embeddingDrift"), quiet.ToString());
        Assert.False(Flag(quiet, "predictionDrift"), quiet.ToString());
        Assert.InRange(quietAcc.GetProperty("accuracy").GetDouble(), 0.85, 1.0);
        // The confidence-calibrated estimate (no labels used) is close to the measured accuracy on clean traffic.
        Assert.InRange(quietAcc.GetProperty("estimatedAccuracy").GetDouble(), quietAcc.GetProperty("accuracy").GetDouble() - 0.06, quietAcc.GetProperty("accuracy").GetDouble() + 0.06);
        // Each carries its 95 % interval: the exact one around the measured accuracy, the sampling band around the estimate.
        foreach (var (point, lower, upper) in new[] { ("accuracy", "accuracyLower", "accuracyUpper"), ("estimatedAccuracy", "estimatedAccuracyLower", "estimatedAccuracyUpper") })
        {
            double l = quietAcc.GetProperty(lower).GetDouble(), p = quietAcc.GetProperty(point).GetDouble(), u = quietAcc.GetProperty(upper).GetDouble();
            Assert.True(l <= p && p <= u && l < u && u - l < 0.5, $"{point} {p} in [{l}, {u}]");
        }

        var (gradual, _) = await SimulateAsync("gradual", "gradual-drift");
        Assert.True(Flag(gradual, "embeddingDrift"), gradual.ToString());

        var (unseen, unseenAcc) = await SimulateAsync("new-class", "new-class");
        Assert.True(Flag(unseen, "embeddingDrift"), unseen.ToString());
        Assert.True(Flag(unseen, "confidenceDrift"), unseen.ToString());
        Assert.True(unseenAcc.GetProperty("estimatedAccuracy").GetDouble() < 0.7, unseenAcc.ToString());

        var (noisy, noisyAcc) = await SimulateAsync("label-noise", "label-noise");
        Assert.False(Flag(noisy, "embeddingDrift"), noisy.ToString());
        Assert.InRange(noisyAcc.GetProperty("accuracy").GetDouble(), 0.4, 0.75);
    }

    [Fact]
    public async Task Upload_SendsTheImages_WhichTheServiceEmbedsAndKeeps()
    {
        var runner = new SimulationRunner(new TrafficGenerator(_embedder), new MonitoringClient(_server.Client));
        var now = _server.Time.GetUtcNow();
        var summary = await runner.RunAsync("uploaded", TrafficScenario.Parse("no-drift"), 40, 30, 0.0, 5, now, register: true, CancellationToken.None, upload: true);
        Assert.StartsWith("uploaded 70 new events", summary);
        var store = _server.Services.GetRequiredService<IMonitoringStore>();
        var production = await store.GetEventsAsync("uploaded", now.AddMinutes(-30), now.AddMinutes(1), 100, true, CancellationToken.None);
        Assert.Equal(30, production.Count);
        // Embedded by the service (the simulator embedded nothing) and kept: each event names its image.
        Assert.All(production, e => Assert.Equal(_embedder.Dimension, e.Embedding!.Length));
        Assert.All(production, e => Assert.Matches("^[0-9a-f]{64}$", e.ImageSha256));
        var images = _server.Services.GetRequiredService<IImageArchive>();
        foreach (var sha in production.Select(e => e.ImageSha256!).Distinct()) Assert.True(await images.ContainsAsync(sha, CancellationToken.None), sha);
    }

    [Fact]
    public async Task Register_WhenTheModelExists_LeavesItsFieldsAsTheyAre()
    {
        using (var put = await _server.Client.PutAsJsonAsync("/api/models/kept", new
        {
            classes = new[] { "circle", "square", "triangle" }, embeddingDimension = 152, baselineAccuracy = 0.77, window = "02:00:00",
        }))
            put.EnsureSuccessStatusCode();
        var runner = new SimulationRunner(new TrafficGenerator(_embedder), new MonitoringClient(_server.Client));
        var summary = await runner.RunAsync("kept", TrafficScenario.Parse("no-drift"), 20, 20, 0.0, 3, _server.Time.GetUtcNow(), register: true, CancellationToken.None);

        Assert.Contains("left as it is", summary);
        var model = await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/kept");
        Assert.Equal(0.77, model.GetProperty("baselineAccuracy").GetDouble());
        Assert.Equal("02:00:00", model.GetProperty("window").GetString());
    }
}
