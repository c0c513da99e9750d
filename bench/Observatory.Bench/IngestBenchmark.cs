using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Storage;

namespace Observatory.Bench;

/// <summary>
/// Sustained ingestion: concurrent clients POST batches of 512-d events as JSON to the Monitoring service (separate process,
/// loopback) for a fixed time; then events acknowledged = events stored is checked. The peer is the store itself without HTTP
/// and JSON (the same batches through InsertEventsAsync), i.e. the ceiling the API can approach.
/// Args: [--store sqlite|postgres] [--seconds 60] [--clients 4] [--batch 500] [--dim 512] [--embeddings numbers|base64]
/// (base64: the float32 values little-endian as one base64 string per event, which the API accepts beside number arrays).
/// </summary>
public sealed class IngestBenchmark : IBenchmark
{
    public string Name => "ingest";
    public string Description => "sustained HTTP ingestion of 512-d events (goal: 20,000/s on PostgreSQL, 5,000/s on SQLite; zero loss) vs the raw store";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var store = Arg(args, "--store", "sqlite");
        var seconds = int.Parse(Arg(args, "--seconds", "60"), CultureInfo.InvariantCulture);
        var clients = int.Parse(Arg(args, "--clients", "4"), CultureInfo.InvariantCulture);
        var batch = int.Parse(Arg(args, "--batch", "500"), CultureInfo.InvariantCulture);
        var dim = int.Parse(Arg(args, "--dim", "512"), CultureInfo.InvariantCulture);
        var encoding = Arg(args, "--embeddings", "numbers");
        if (encoding is not ("numbers" or "base64")) { Console.Error.WriteLine("--embeddings: numbers or base64"); return 2; }
        var dir = Directory.CreateTempSubdirectory("obs-bench-ingest-").FullName;
        await using var pg = store == "postgres" ? new BenchPostgres() : null;
        try
        {
            var settings = new Dictionary<string, string> { ["Monitoring:Store"] = store, ["Monitoring:MaxBatchSize"] = "10000" };
            string cs;
            if (pg is not null) { await pg.StartAsync(); cs = pg.ConnectionString; }
            else cs = $"Data Source={Path.Combine(dir, "monitoring.db")}";
            settings["ConnectionStrings:Monitoring"] = cs;
            Console.WriteLine($"ingest benchmark: {store}, {clients} clients × batches of {batch} events, d={dim}, embeddings as {encoding}, {seconds} s, {Environment.ProcessorCount} cores (service and load generator share them)");

            var embeddings = Enumerable.Range(0, 64).Select(i => encoding == "base64" ? $"\"{EmbeddingJsonConverter.ToBase64(Vector(dim, i))}\"" : EmbeddingJson(dim, i)).ToArray();
            long acknowledged = 0, requests = 0;
            await using (var host = await MonitoringBenchHost.StartAsync(settings, cancellationToken))
            {
                using (var r = await host.Client.PutAsJsonAsync("/api/models/bench", new { classes = new[] { "circle", "square", "triangle" }, embeddingDimension = dim, schedule = "0 0 0 1 1 ? 2099" }, cancellationToken))
                    r.EnsureSuccessStatusCode();
                // Warm-up batch (JIT, connection pools) not counted in the rate but counted in the totals.
                acknowledged += await PostAsync(host.Client, Body("warm", 0, batch, embeddings), cancellationToken);
                var sw = Stopwatch.StartNew();
                var end = TimeSpan.FromSeconds(seconds);
                var tasks = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
                {
                    long sent = 0, n = 0;
                    for (var k = 0; sw.Elapsed < end; k++)
                    {
                        sent += await PostAsync(host.Client, Body($"c{c}", k, batch, embeddings), cancellationToken);
                        n++;
                    }
                    Interlocked.Add(ref acknowledged, sent);
                    Interlocked.Add(ref requests, n);
                }, cancellationToken)).ToArray();
                await Task.WhenAll(tasks);
                var elapsed = sw.Elapsed;
                var count = (await host.Client.GetFromJsonAsync<JsonElement>("/api/models/bench/events/count", cancellationToken)).GetProperty("count").GetInt64();
                var rate = (acknowledged - batch) / elapsed.TotalSeconds;
                Console.WriteLine($"HTTP ingestion: {acknowledged:N0} events acknowledged in {requests:N0} requests over {elapsed.TotalSeconds:0.0} s = {rate:N0} events/s ({rate * dim * 4 / 1e6:0.0} MB/s of float32)");
                Console.WriteLine($"events stored: {count:N0}; sent = stored: {(count == acknowledged ? "yes (zero loss)" : $"NO — {acknowledged - count} missing")}");

                // Peer: the same store without HTTP/JSON, same batch size, into a fresh model.
                IMonitoringStore raw = pg is not null ? new PostgresMonitoringStore(cs) : new SqliteMonitoringStore(cs);
                await raw.UpsertModelAsync(new MonitoredModel { Name = "raw", Classes = ["circle", "square", "triangle"], EmbeddingDimension = dim }, cancellationToken);
                var vectors = Enumerable.Range(0, 64).Select(i => Vector(dim, i)).ToArray();
                var rawCount = Math.Max(20_000, (int)Math.Min(acknowledged, 100_000));
                var t0 = DateTimeOffset.UtcNow;
                var rawSw = Stopwatch.StartNew();
                // As many writers as the HTTP run had clients, so the database's share of both cores is the same.
                var batches = (rawCount + batch - 1) / batch;
                await Parallel.ForAsync(0, batches, new ParallelOptions { MaxDegreeOfParallelism = clients, CancellationToken = cancellationToken }, async (k, token) =>
                {
                    var events = Enumerable.Range(0, batch).Select(i => new InferenceEvent($"r{k}-{i}", t0.AddMilliseconds(k * batch + i), "circle", 0.9, vectors[i % 64])).ToList();
                    await raw.InsertEventsAsync("raw", events, token);
                });
                var rawRate = batches * batch / rawSw.Elapsed.TotalSeconds;
                if (raw is IAsyncDisposable d) await d.DisposeAsync();
                Console.WriteLine();
                Console.WriteLine($"{"path",-40} {"events/s",12}");
                Console.WriteLine($"{$"Observatory HTTP API (JSON, {encoding})",-40} {rate,12:N0}");
                Console.WriteLine($"{$"raw store insert, {clients} writers (no HTTP)",-40} {rawRate,12:N0}");
                // PostgreSQL is the store meant for a busy model (the scale goal); SQLite, the embedded default, has the first one.
                var goal = pg is not null ? 20_000 : 5_000;
                Console.WriteLine($"ratio API/raw store: {rate / rawRate:0.00}; goal >= {goal:N0} events/s with zero loss: {(rate >= goal && count == acknowledged ? "met" : "NOT met")}");
                return count == acknowledged ? 0 : 1;
            }
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    private static async Task<long> PostAsync(HttpClient client, byte[] body, CancellationToken ct)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var r = await client.PostAsync("/api/models/bench/events", content, ct);
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"HTTP {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync(ct)}");
        return (await r.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("inserted").GetInt64();
    }

    private static byte[] Body(string client, int k, int batch, string[] embeddings)
    {
        var sb = new StringBuilder(batch * (embeddings[0].Length + 120));
        sb.Append("{\"events\":[");
        var t = DateTimeOffset.UtcNow;
        for (var i = 0; i < batch; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append("{\"id\":\"").Append(client).Append('-').Append(k).Append('-').Append(i)
              .Append("\",\"timestamp\":\"").Append(t.ToString("O", CultureInfo.InvariantCulture))
              .Append("\",\"predictedClass\":\"").Append(i % 3 == 0 ? "circle" : i % 3 == 1 ? "square" : "triangle")
              .Append("\",\"confidence\":0.").Append(50 + i % 50).Append(",\"embedding\":").Append(embeddings[(k + i) % embeddings.Length]).Append('}');
        }
        sb.Append("]}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static float[] Vector(int dim, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, dim).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>Shortest round-trip float32 text, as a client serialising float32 embeddings sends.</summary>
    private static string EmbeddingJson(int dim, int seed) =>
        "[" + string.Join(",", Vector(dim, seed).Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";

    private static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
