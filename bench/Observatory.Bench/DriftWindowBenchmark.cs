using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Storage;

namespace Observatory.Bench;

/// <summary>
/// The drift job end to end over a large window: the service (separate process, SQLite or PostgreSQL) counts a window of
/// --events 512-d events (default 1,000,000) in the database, reads the uniform sample the database picks (100,000 events, the
/// first 10,000 with embeddings, per side), runs MMD² + KS and prediction/confidence drift, stores the result and evaluates
/// alerts. Measured from the job's own run record, with the service's peak RSS. Beside it, the floor of any method that loads
/// the window: reading every event of it once, paged, with its embedding. Goal ≤ 10 s with bounded memory.
/// Args: [--events 1000000] [--reference 10000] [--dim 512] [--store sqlite|postgres]
/// </summary>
public sealed class DriftWindowBenchmark : IBenchmark
{
    public string Name => "drift-window";
    public string Description => "drift job over a 1,000,000-event 512-d window sampled in the database (goal <= 10 s), beside reading the window once";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int events = Arg(args, "--events", 1_000_000), reference = Arg(args, "--reference", 10_000), dim = Arg(args, "--dim", 512);
        var storeName = Array.IndexOf(args, "--store") is var s and >= 0 && s + 1 < args.Length ? args[s + 1] : "sqlite";
        var dir = Directory.CreateTempSubdirectory("obs-bench-driftwin-").FullName;
        await using var pg = storeName == "postgres" ? new BenchPostgres() : null;
        try
        {
            if (pg is not null) await pg.StartAsync();
            var cs = pg?.ConnectionString ?? $"Data Source={Path.Combine(dir, "monitoring.db")}";
            IMonitoringStore store = pg is not null ? new PostgresMonitoringStore(cs) : new SqliteMonitoringStore(cs);
            await store.MigrateAsync(cancellationToken);
            var now = DateTimeOffset.UtcNow;
            await store.UpsertModelAsync(new MonitoredModel
            {
                Name = "big", Classes = ["circle", "square", "triangle"], EmbeddingDimension = dim, ReferenceUntil = now.AddHours(-3),
                Window = TimeSpan.FromHours(2), Schedule = "0 0 0 1 1 ? 2099", CreatedAt = now, UpdatedAt = now,
            }, cancellationToken);
            Console.WriteLine($"drift-window benchmark ({storeName}): {reference:N0} reference + {events:N0} window events, d={dim}, {Environment.ProcessorCount} cores");
            var fill = Stopwatch.StartNew();
            await FillAsync(store, "ref", reference, now.AddHours(-4), now.AddHours(-3), dim, 0, cancellationToken);
            await FillAsync(store, "cur", events, now.AddHours(-2).AddMinutes(1), now, dim, 0.05, cancellationToken);
            Console.Error.WriteLine($"filled in {fill.Elapsed.TotalSeconds:0} s");
            if (store is IAsyncDisposable d) await d.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

            var settings = new Dictionary<string, string> { ["ConnectionStrings:Monitoring"] = cs };
            if (pg is not null) settings["Monitoring:Store"] = "postgres";
            double seconds;
            long rssBefore, rssPeak;
            JsonElement result;
            await using (var host = await MonitoringBenchHost.StartAsync(settings, cancellationToken))
            {
                rssBefore = EventsExportBenchmark.Status(host.ProcessId, "VmRSS:");
                using (var r = await host.Client.PostAsync("/api/models/big/jobs/drift/run", null, cancellationToken)) r.EnsureSuccessStatusCode();
                JsonElement last = default;
                var deadline = DateTime.UtcNow.AddMinutes(10);
                while (DateTime.UtcNow < deadline)
                {
                    var jobs = await host.Client.GetFromJsonAsync<JsonElement>("/api/models/big/jobs", cancellationToken);
                    var drift = jobs.EnumerateArray().First(j => j.GetProperty("job").GetString() == "drift");
                    if (drift.TryGetProperty("lastRun", out last) && last.ValueKind == JsonValueKind.Object) break;
                    await Task.Delay(200, cancellationToken);
                }
                rssPeak = EventsExportBenchmark.Status(host.ProcessId, "VmHWM:");
                seconds = (last.GetProperty("finishedAt").GetDateTimeOffset() - last.GetProperty("startedAt").GetDateTimeOffset()).TotalSeconds;
                Console.WriteLine($"job status: {last.GetProperty("status").GetString()}");
                result = (await host.Client.GetFromJsonAsync<JsonElement>("/api/models/big/drift", cancellationToken))[0];
            }
            var details = result.GetProperty("details");
            var sampling = details.GetProperty("sampling");
            Console.WriteLine($"window events counted: {result.GetProperty("eventCount").GetInt32():N0}; read: {sampling.GetProperty("events").GetInt32():N0}, with embeddings {sampling.GetProperty("embeddings").GetInt32():N0}; reference read {sampling.GetProperty("referenceEventsRead").GetInt32():N0} of {sampling.GetProperty("referenceEvents").GetInt64():N0}");
            foreach (var m in details.GetProperty("embedding").GetProperty("methods").EnumerateArray())
                Console.WriteLine($"embedding {m.GetProperty("method").GetString()}: drift {m.GetProperty("drifted").GetBoolean()}, rows used {m.GetProperty("rowsUsed").GetProperty("reference").GetInt32():N0} / {m.GetProperty("rowsUsed").GetProperty("current").GetInt32():N0}");

            // The floor of loading the window: every event once, 10,000 a page, embeddings included (nothing kept).
            IMonitoringStore reader = pg is not null ? new PostgresMonitoringStore(cs) : new SqliteMonitoringStore(cs);
            var read = Stopwatch.StartNew();
            long rows = 0;
            EventPosition? after = null;
            while (true)
            {
                var page = await reader.GetEventPageAsync("big", now.AddHours(-2), now.AddMinutes(1), after, 10_000, true, cancellationToken);
                if (page.Count == 0) break;
                rows += page.Count;
                after = EventPosition.Of(page[^1]);
            }
            var readSeconds = read.Elapsed.TotalSeconds;
            if (reader is IAsyncDisposable rd) await rd.DisposeAsync();

            Console.WriteLine();
            Console.WriteLine($"{"",-52} {"seconds",8} {"memory",12}");
            Console.WriteLine($"{$"Observatory drift job ({events:N0}-event window)",-52} {seconds,8:0.00} {BenchProcess.Mb(rssPeak),12}   (service RSS before the run {BenchProcess.Mb(rssBefore)})");
            Console.WriteLine($"{$"read the window once, paged ({rows:N0} rows)",-52} {readSeconds,8:0.00}");
            Console.WriteLine($"{"goal",-52} {10.0,8:0.00}");
            Console.WriteLine($"ratio goal/Observatory: {10.0 / seconds:0.00}x ({(seconds <= 10 ? "met" : "NOT met")})");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    private static async Task FillAsync(IMonitoringStore store, string prefix, int n, DateTimeOffset from, DateTimeOffset to, int dim, double shift, CancellationToken ct)
    {
        var rng = new Random(prefix.GetHashCode(StringComparison.Ordinal) & 0xffff);
        string[] classes = ["circle", "square", "triangle"];
        for (var start = 0; start < n; start += 5000)
        {
            var batch = new List<InferenceEvent>(5000);
            for (var i = start; i < Math.Min(n, start + 5000); i++)
            {
                var e = new float[dim];
                for (var j = 0; j < dim; j++) e[j] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()) + shift);
                batch.Add(new InferenceEvent($"{prefix}-{i}", from + (to - from) * i / n, classes[rng.Next(3)], 0.5 + 0.5 * rng.NextDouble(), e));
            }
            await store.InsertEventsAsync("big", batch, ct);
            if ((start / 5000) % 20 == 19) Console.Error.WriteLine($"{prefix}: {start + 5000:N0}/{n:N0}");
        }
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
