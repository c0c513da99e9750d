using System.Net.Http.Json;
using Npgsql;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Storage;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests.Storage;

/// <summary>
/// Two Monitoring instances behind one PostgreSQL database, both ingesting at once: the same events reach both (a load balancer
/// retrying on the other instance) in parallel batches over days that get their partitions as they arrive.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ConcurrentIngestionTests(PostgresServerFixture pg)
{
    private const int Dim = 8;

    private sealed record Sent(string Id, DateTimeOffset Timestamp, string PredictedClass, double Confidence, float[] Embedding, string TrueClass, string ModelVersion,
        double LatencyMs, string? Error);

    [Fact]
    public async Task TwoInstancesOnOnePostgres_IngestingOverlappingBatchesAtOnce_StoreEachEventOnce_WithEveryField_AndTheCountsAddUp()
    {
        var cs = await PostgresDatabases.CreateAsync(pg);
        var settings = new Dictionary<string, string?> { ["Monitoring:Store"] = "postgres", ["ConnectionStrings:Monitoring"] = cs };
        await using var a = await MonitoringServer.StartAsync(settings);
        await using var b = await MonitoringServer.StartAsync(settings);
        await a.RegisterAsync("shapes", new { classes = new[] { "circle", "square" }, embeddingDimension = Dim, schedule = "0 0 0 1 1 ? 2099" });

        // 6,000 events over the three days before the (fake) clock's now; a gets the first 4,000, b the last 4,000: the middle
        // 2,000 reach both, and both send those first so the same rows race into the database.
        var now = a.Time.GetUtcNow();
        var rng = new Random(11);
        var events = Enumerable.Range(0, 6000).Select(i => new Sent($"ev-{i:D5}", now.AddDays(-3).AddSeconds(i * 43.2).AddTicks(i), i % 3 == 0 ? "square" : "circle",
            rng.NextDouble(), Enumerable.Range(0, Dim).Select(_ => (float)rng.NextDouble()).ToArray(), i % 2 == 0 ? "circle" : "square", $"v{i % 4}",
            i * 0.25, i % 11 == 0 ? "timeout" : null)).ToList();
        var overlap = events[2000..4000];
        var toA = overlap.Concat(events[..2000]).Chunk(250).ToList();
        var toB = overlap.Concat(events[4000..]).Chunk(250).ToList();

        async Task<IngestResponse[]> SendAllAsync(MonitoringServer server, List<Sent[]> batches)
        {
            // Four batches in flight per instance.
            using var gate = new SemaphoreSlim(4);
            return await Task.WhenAll(batches.Select(async batch =>
            {
                await gate.WaitAsync();
                try
                {
                    using var r = await server.Client.PostAsJsonAsync("/api/models/shapes/events", new
                    {
                        events = batch.Select(e => new
                        {
                            id = e.Id, timestamp = e.Timestamp, predictedClass = e.PredictedClass, confidence = e.Confidence, embedding = e.Embedding,
                            trueClass = e.TrueClass, modelVersion = e.ModelVersion, latencyMs = e.LatencyMs, error = e.Error,
                        }),
                    });
                    Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
                    return (await r.Content.ReadFromJsonAsync<IngestResponse>(MonitoringServer.Json))!;
                }
                finally { gate.Release(); }
            }));
        }
        var responses = (await Task.WhenAll(SendAllAsync(a, toA), SendAllAsync(b, toB))).SelectMany(r => r).ToList();

        Assert.Equal(8000, responses.Sum(r => r.Received));
        Assert.Equal((6000, 2000), (responses.Sum(r => r.Inserted), responses.Sum(r => r.Duplicates)));
        // Counted by the database itself: one row per event, none twice.
        await using (var c = new NpgsqlConnection(cs))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT COUNT(*), COUNT(DISTINCT id) FROM events WHERE model = 'shapes'", c);
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            Assert.Equal((6000L, 6000L), (r.GetInt64(0), r.GetInt64(1)));
        }
        await using var store = new PostgresMonitoringStore(cs);
        var stored = await store.GetEventsAsync("shapes", now.AddDays(-4), now.AddDays(1), 10_000, includeEmbeddings: true);
        Assert.Equal(events.Select(e => e.Id), stored.Select(e => e.Id).Order(StringComparer.Ordinal));
        var byId = stored.ToDictionary(e => e.Id);
        Assert.All(events, e =>
        {
            var s = byId[e.Id];
            Assert.Equal((e.Timestamp, e.PredictedClass, e.Confidence, e.TrueClass, e.ModelVersion, e.LatencyMs, e.Error),
                (s.Timestamp, s.PredictedClass, s.Confidence, (string?)s.TrueClass, (string?)s.ModelVersion, s.LatencyMs, s.Error));
            Assert.Equal(e.Embedding, s.Embedding!);
        });
        Assert.Equal(6000, await store.CountEventsAsync("shapes"));
    }
}
