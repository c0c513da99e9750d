using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Monitoring.Api.Services;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Core.Ports;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// The million-event path at a size a test can afford (issue 16): a window far larger than <c>Monitoring:MaxWindowEvents</c> is
/// counted exactly in the database and judged on the uniform sample the database returns, not on its newest events. Runs on
/// SQLite (<see cref="WindowSamplingTests"/>) and PostgreSQL (<see cref="PostgresWindowSamplingTests"/>); the bench measures the
/// same path at a million events (<c>drift-window --events 1000000</c>).
/// </summary>
public abstract class WindowSamplingContract : IAsyncLifetime
{
    protected virtual Task<Dictionary<string, string?>> StoreSettingsAsync() => Task.FromResult(new Dictionary<string, string?>());

    private const int Cap = 3_000;
    private const int WindowEvents = 20_000;
    private MonitoringServer _server = null!;
    private IMonitoringStore Store => _server.Services.GetRequiredService<IMonitoringStore>();

    public async Task InitializeAsync()
    {
        var settings = await StoreSettingsAsync();
        settings["Monitoring:MaxWindowEvents"] = Cap.ToString(CultureInfo.InvariantCulture);
        _server = await MonitoringServer.StartAsync(settings);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AWindowBeyondTheCap_IsCountedExactly_AndJudgedOnTheDatabasesUniformSample_NotItsNewestEvents()
    {
        var now = _server.Time.GetUtcNow();
        await _server.RegisterAsync("big", new
        {
            classes = new[] { "a", "b" }, embeddingModel = "client", embeddingDimension = 4, referenceUntil = now.AddHours(-2),
            window = "01:00:00", schedule = "0 0 0 1 1 ? 2099", driftMethods = new[] { "ks" },
        });
        float[] Vector(int i, double shift) => [.. Enumerable.Range(0, 4).Select(j => (float)(shift + Math.Sin(i * 7.1 + j * 1.3)))];
        // The reference period: both classes alike, 5,000 events of which the cap reads 3,000.
        var reference = Enumerable.Range(0, 5_000).Select(i => new InferenceEvent($"r{i}", now.AddHours(-3).AddSeconds(i / 2.0), i % 2 == 0 ? "a" : "b", 0.8, Vector(i, 0))).ToList();
        // The window: its older half predicted "a", its newer half "b", every eighth failed. Its newest 3,000 events alone would be all "b".
        var window = Enumerable.Range(0, WindowEvents).Select(i => new InferenceEvent($"w{i}", now.AddHours(-1).AddSeconds(i * 0.17), i < WindowEvents / 2 ? "a" : "b", 0.8,
            Vector(i, 0.5)) { Error = i % 8 == 0 ? "timeout" : null }).ToList();
        foreach (var chunk in reference.Concat(window).Chunk(5_000)) await Store.InsertEventsAsync("big", chunk);

        var run = await _server.Services.GetRequiredService<DriftService>().RunAsync("big", CancellationToken.None);

        // Counted in the database: every event of the window, and exactly its failures.
        Assert.Equal(WindowEvents, run!.Window.EventCount);
        Assert.Equal(1.0 / 8, run.Window.ErrorRate);
        Assert.Equal(new(WindowEvents, Cap, Cap, 5_000, Cap, Cap), run.Sampling);
        // Judged on the sample the ids choose (computed here from SampleKey alone), which spans the whole window.
        var sampled = window.OrderBy(e => SampleKey.Of(e.Id)).Take(Cap).ToList();
        var shareB = sampled.Count(e => e.PredictedClass == "b") / (double)Cap;
        Assert.InRange(shareB, 0.45, 0.55);
        Assert.Equal(shareB, run.ClassShares!.Single(s => s.Class == 1).Current, 12);
        Assert.Equal(0.5, run.ClassShares!.Single(s => s.Class == 1).Reference, 1);
        // Each method says how many rows it used: the embedding sample on both sides.
        var ks = Assert.Single(run.Embedding!.Methods);
        Assert.Equal(new(Cap, Cap), ks.RowsUsed);
        Assert.True(ks.Drifted);
        Assert.Equal(Cap, run.Prediction!.Methods[0].RowsUsed!.Current);

        // The stored result says the same through the API.
        var stored = (await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/big/drift")).EnumerateArray().Last();
        Assert.Equal(WindowEvents, stored.GetProperty("eventCount").GetInt32());
        var sampling = stored.GetProperty("details").GetProperty("sampling");
        Assert.Equal((WindowEvents, Cap), (sampling.GetProperty("windowEvents").GetInt64(), sampling.GetProperty("events").GetInt32()));

        // Accuracy counts the window the same way.
        var accuracy = await _server.Services.GetRequiredService<AccuracyService>().RunAsync("big", CancellationToken.None);
        Assert.Equal(WindowEvents, accuracy!.Window.EventCount);
    }
}

public sealed class WindowSamplingTests : WindowSamplingContract;

[Collection(Storage.PostgresCollection.Name)]
public sealed class PostgresWindowSamplingTests(PostgresServerFixture pg) : WindowSamplingContract
{
    protected override async Task<Dictionary<string, string?>> StoreSettingsAsync() => new()
    {
        ["Monitoring:Store"] = "postgres",
        ["ConnectionStrings:Monitoring"] = await PostgresDatabases.CreateAsync(pg),
    };
}
