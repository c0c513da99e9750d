using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Monitoring.Api.Services;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// Model versions: registering N+1 keeps N (with its stage and when it served), events carry the version that predicted (the
/// registered one when the client says nothing), and drift and accuracy windows say which versions served them and how
/// accurate each was.
/// </summary>
public sealed class ModelVersionTests : IAsyncLifetime
{
    private MonitoringServer _server = null!;

    public async Task InitializeAsync() => _server = await MonitoringServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static object Definition(string version, string? stage) => new
    {
        version, stage, classes = new[] { "cat", "dog" }, baselineAccuracy = version == "1" ? 0.9 : 0.95,
        window = "01:00:00", schedule = "0 0 0 1 1 ? 2099",
    };

    private async Task SendAsync(int count, string prefix, string? modelVersion, int wrongEvery)
    {
        var now = _server.Time.GetUtcNow();
        var events = Enumerable.Range(0, count).Select(i => new
        {
            id = $"{prefix}{i}", timestamp = now.AddMinutes(-30).AddSeconds(i), predictedClass = i % wrongEvery == 0 ? "dog" : "cat",
            confidence = 0.8, trueClass = "cat", modelVersion,
        });
        using var r = await _server.Client.PostAsJsonAsync("/api/models/pets/events", new { events });
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RegisteringTheNextVersion_KeepsThePrevious_AndWindowsSayWhichVersionsServedThem()
    {
        await _server.RegisterAsync("pets", Definition("1", "production"));
        await SendAsync(40, "a", modelVersion: null, wrongEvery: 4);      // stamped "1"; 10 of 40 wrong
        _server.Time.Advance(TimeSpan.FromMinutes(1));
        await _server.RegisterAsync("pets", Definition("2", "staging"));
        await SendAsync(20, "b", modelVersion: null, wrongEvery: 10);     // stamped "2"; 2 of 20 wrong
        await SendAsync(10, "c", modelVersion: "2", wrongEvery: 10);      // said "2"; 1 of 10 wrong

        var model = await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/pets");
        Assert.Equal("2", model.GetProperty("version").GetString());
        Assert.Equal("staging", model.GetProperty("stage").GetString());
        var previous = Assert.Single(model.GetProperty("previousVersions").EnumerateArray());
        Assert.Equal("1", previous.GetProperty("version").GetString());
        Assert.Equal("production", previous.GetProperty("stage").GetString());
        Assert.Equal(0.9, previous.GetProperty("baselineAccuracy").GetDouble());
        Assert.True(previous.GetProperty("replacedAt").GetDateTimeOffset() > previous.GetProperty("registeredAt").GetDateTimeOffset());

        // Re-registering version 2 (a settings change) keeps the history as it is.
        await _server.RegisterAsync("pets", Definition("2", "production"));
        Assert.Single((await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/pets")).GetProperty("previousVersions").EnumerateArray());

        var accuracy = await _server.Services.GetRequiredService<AccuracyService>().RunAsync("pets", CancellationToken.None);
        var window = accuracy!.Window;
        Assert.Equal(new Dictionary<string, int> { ["1"] = 40, ["2"] = 30 }, window.ModelVersions);
        Assert.Equal(30.0 / 40, window.AccuracyByVersion!["1"], 12);
        Assert.Equal(27.0 / 30, window.AccuracyByVersion["2"], 12);
        var drift = await _server.Services.GetRequiredService<DriftService>().RunAsync("pets", CancellationToken.None);
        Assert.Equal(new Dictionary<string, int> { ["1"] = 40, ["2"] = 30 }, drift!.Window.ModelVersions);
        // The API serves them with the series.
        var series = (await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/pets/accuracy")).EnumerateArray().Last();
        Assert.Equal(40, series.GetProperty("details").GetProperty("window").GetProperty("modelVersions").GetProperty("1").GetInt32());

        // Two hours on, a window only version 2 served: each version's series holds the windows it served.
        _server.Time.Advance(TimeSpan.FromHours(2));
        await SendAsync(20, "d", modelVersion: null, wrongEvery: 5);
        await _server.Services.GetRequiredService<AccuracyService>().RunAsync("pets", CancellationToken.None);
        async Task<int> WindowsAsync(string query) => (await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/pets/accuracy" + query)).GetArrayLength();
        Assert.Equal(2, await WindowsAsync(""));
        Assert.Equal(1, await WindowsAsync("?modelVersion=1"));
        Assert.Equal(2, await WindowsAsync("?modelVersion=2"));
        Assert.Equal(0, await WindowsAsync("?modelVersion=3"));
        Assert.Equal(1, (await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/pets/drift?modelVersion=1")).GetArrayLength());

        // Side by side: each version's traffic and its accuracy against its own baseline, weighted by the events it served.
        var compared = await _server.Client.GetFromJsonAsync<ModelVersionComparison>("/api/models/pets/versions", MonitoringJson.Options);
        Assert.Equal(["1", "2"], compared!.Versions.Select(v => v.Version));
        var (v1, v2) = (compared.Versions[0], compared.Versions[1]);
        Assert.False(v1.Current);
        Assert.True(v2.Current);
        Assert.Equal(("production", "production"), (v1.Stage, v2.Stage));
        Assert.Equal((1, 40L), (v1.Windows, v1.Events));
        Assert.Equal((1, 30L), (v2.Windows, v2.Events));
        Assert.Equal(0.75, v1.Accuracy!.Value, 12);
        Assert.Equal(0.75 - 0.9, v1.AccuracyVsBaseline!.Value, 12);
        Assert.Equal(2, v2.AccuracyWindows);
        Assert.Equal((27.0 + 16.0) / 50, v2.Accuracy!.Value, 12);
        Assert.Equal((27.0 + 16.0) / 50 - 0.95, v2.AccuracyVsBaseline!.Value, 12);
        Assert.Equal(0, v1.DriftMeasuredWindows);   // events without embeddings: no drift verdict, not "no drift"
        Assert.Null(v1.DriftedShare);
    }

    [Fact]
    public async Task ANewVersionWithAnotherEmbeddingDimension_LeavesTheOldEmbeddingsOutOfDrift_SayingSo()
    {
        var now = _server.Time.GetUtcNow();
        object Version(string v, int dimension) => new
        {
            version = v, classes = new[] { "cat", "dog" }, embeddingModel = "client", embeddingDimension = dimension,
            window = "01:00:00", schedule = "0 0 0 1 1 ? 2099", driftMethods = new[] { "mmd" },
        };
        async Task SendAsync(string prefix, int count, int dimension)
        {
            var events = Enumerable.Range(0, count).Select(i => new
            {
                id = $"{prefix}{i}", timestamp = now.AddMinutes(-30).AddSeconds(i), predictedClass = "cat", confidence = 0.8,
                embedding = Enumerable.Range(0, dimension).Select(j => (float)Math.Sin(i + j)).ToArray(),
            });
            using var r = await _server.Client.PostAsJsonAsync("/api/models/emb/events", new { events });
            Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        }
        await _server.RegisterAsync("emb", Version("1", 4));
        await SendAsync("a", 25, 4);
        await _server.RegisterAsync("emb", Version("2", 6));
        await SendAsync("b", 25, 6);

        var run = await _server.Services.GetRequiredService<DriftService>().RunAsync("emb", CancellationToken.None);
        Assert.NotNull(run);
        Assert.Contains("25 events of the window have embeddings of another dimension", run!.Note);
        Assert.Equal(new Dictionary<string, int> { ["1"] = 25, ["2"] = 25 }, run.Window.ModelVersions);
    }

    [Fact]
    public async Task EachVersionsEmbeddings_AreComparedWithTheReference_SoANewVersionsDriftShowsApart()
    {
        var now = _server.Time.GetUtcNow();
        var random = new Random(7);
        float[] Vector(double shift) => Enumerable.Range(0, 8).Select(_ => (float)(shift + random.NextDouble() * 2 - 1)).ToArray();
        async Task SendAsync(string prefix, int count, DateTimeOffset from, double shift, string? version)
        {
            var events = Enumerable.Range(0, count).Select(i => new
            {
                id = $"{prefix}{i}", timestamp = from.AddSeconds(i), predictedClass = "cat", confidence = 0.8, embedding = Vector(shift), modelVersion = version,
            }).ToList();
            using var r = await _server.Client.PostAsJsonAsync("/api/models/shift/events", new { events });
            Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        }
        await _server.RegisterAsync("shift", new
        {
            classes = new[] { "cat", "dog" }, embeddingModel = "client", embeddingDimension = 8, referenceUntil = now.AddHours(-2),
            window = "01:00:00", schedule = "0 0 0 1 1 ? 2099", driftMethods = new[] { "mmd" },
        });
        await SendAsync("ref", 80, now.AddHours(-3), 0, "1");
        await SendAsync("old", 40, now.AddMinutes(-30), 0, "1");    // the old version: as the reference
        await SendAsync("new", 40, now.AddMinutes(-20), 1.5, "2");  // the new one: shifted

        var run = await _server.Services.GetRequiredService<DriftService>().RunAsync("shift", CancellationToken.None);
        var byVersion = run!.EmbeddingByVersion!;
        Assert.Equal(["1", "2"], byVersion.Keys.Order(StringComparer.Ordinal));
        Assert.False(byVersion["1"].Drifted, "version 1 is drawn like the reference");
        Assert.True(byVersion["2"].Drifted, "version 2 is shifted");
        Assert.Equal(40, byVersion["2"].Current!.N);

        // The comparison counts each version's own verdict; version 2 was never registered, and is listed after the registered one.
        var compared = await _server.Client.GetFromJsonAsync<ModelVersionComparison>("/api/models/shift/versions", MonitoringJson.Options);
        var v1 = compared!.Versions.Single(v => v.Version == "1");
        var v2 = compared.Versions.Single(v => v.Version == "2");
        Assert.Equal("2", compared.Versions[^1].Version);
        Assert.Equal((1, 0, 0.0), (v1.DriftMeasuredWindows, v1.DriftedWindows, v1.DriftedShare!.Value));
        Assert.Equal((1, 1, 1.0), (v2.DriftMeasuredWindows, v2.DriftedWindows, v2.DriftedShare!.Value));
        Assert.Null(v2.RegisteredAt);
        Assert.Equal(run.Window.WindowEnd, v2.LastWindowEnd);
    }

    [Fact]
    public async Task AStageThatIsNotOne_OrAnOverlongEventVersion_IsA400()
    {
        using var stage = await _server.Client.PutAsJsonAsync("/api/models/pets", Definition("1", "canary"));
        Assert.Equal(HttpStatusCode.BadRequest, stage.StatusCode);
        Assert.Contains("valid: staging, production", await stage.Content.ReadAsStringAsync());

        await _server.RegisterAsync("pets", Definition("1", null));
        using var r = await _server.Client.PostAsJsonAsync("/api/models/pets/events", new
        {
            events = new[] { new { id = "x", timestamp = _server.Time.GetUtcNow(), predictedClass = "cat", confidence = 0.5, modelVersion = new string('v', 65) } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("events[0].modelVersion", await r.Content.ReadAsStringAsync());
    }
}
