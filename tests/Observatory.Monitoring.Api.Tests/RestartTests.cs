using System.Net.Http.Json;
using System.Text.Json;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

public sealed class RestartTests
{
    private static object Batch(int k, int size) => new
    {
        events = Enumerable.Range(0, size).Select(i => new
        {
            id = $"b{k}-{i}",
            timestamp = DateTimeOffset.UtcNow,
            predictedClass = i % 2 == 0 ? "a" : "b",
            confidence = 0.9,
            embedding = Enumerable.Range(0, 16).Select(j => (float)(k + i * 0.01 + j)).ToArray(),
        }),
    };

    [Fact]
    public async Task ServiceKilledMidIngestion_AfterRestartAndResend_EveryEventIsStoredExactlyOnce()
    {
        using var dir = new TempDirectory("restart");
        var settings = new Dictionary<string, string> { ["ConnectionStrings:Monitoring"] = $"Data Source={dir.Combine("m.db")}" };
        const int batches = 200, size = 300;
        long insertedAcknowledged = 0;
        var acknowledged = new HashSet<int>();

        await using (var first = await ServiceProcess.StartAsync(settings))
        {
            using (var r = await first.Client.PutAsJsonAsync("/api/models/m", new { classes = new[] { "a", "b" }, embeddingDimension = 16 }))
                Assert.True(r.IsSuccessStatusCode);
            // Two concurrent senders; the service is killed while both are mid-stream.
            var senders = Enumerable.Range(0, 2).Select(s => Task.Run(async () =>
            {
                for (var k = s; k < batches; k += 2)
                {
                    try
                    {
                        using var r = await first.Client.PostAsJsonAsync("/api/models/m/events", Batch(k, size));
                        if (!r.IsSuccessStatusCode) return;
                        var inserted = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("inserted").GetInt64();
                        lock (acknowledged) { acknowledged.Add(k); insertedAcknowledged += inserted; }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException) { return; }
                }
            })).ToArray();
            await Poll.UntilAsync(() => { lock (acknowledged) return Task.FromResult(acknowledged.Count >= 6); }, "some acknowledged batches");
            await first.KillAsync();
            await Task.WhenAll(senders);
        }
        Assert.True(acknowledged.Count < batches, "the kill came after every batch was sent; the test did not interrupt ingestion");

        await using var second = await ServiceProcess.StartAsync(settings);
        var count = (await second.Client.GetFromJsonAsync<JsonElement>("/api/models/m/events/count")).GetProperty("count").GetInt64();
        // Nothing acknowledged was lost; a batch in flight at the kill is either wholly stored or wholly absent.
        Assert.True(count >= insertedAcknowledged, $"stored {count} < acknowledged {insertedAcknowledged}");
        Assert.Equal(0, count % size);

        // The client re-sends everything not acknowledged; ids make that safe.
        long resentInserted = 0, resentDuplicates = 0;
        for (var k = 0; k < batches; k++)
        {
            if (acknowledged.Contains(k)) continue;
            using var r = await second.Client.PostAsJsonAsync("/api/models/m/events", Batch(k, size));
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
            var body = await r.Content.ReadFromJsonAsync<JsonElement>();
            resentInserted += body.GetProperty("inserted").GetInt64();
            resentDuplicates += body.GetProperty("duplicates").GetInt64();
        }
        var final = (await second.Client.GetFromJsonAsync<JsonElement>("/api/models/m/events/count")).GetProperty("count").GetInt64();
        Assert.Equal(batches * size, final);
        Assert.Equal(count - insertedAcknowledged, resentDuplicates);
        Assert.Equal(final, insertedAcknowledged + resentInserted + resentDuplicates);
    }
}
