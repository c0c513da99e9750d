using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Storage;

namespace Observatory.Bench;

/// <summary>
/// The drift job end to end over a large window: the service (separate process, SQLite) reads a 100,000-event window of 512-d
/// embeddings plus a 10,000-event reference, samples, runs MMD² + KS and prediction/confidence drift, stores the result and
/// evaluates alerts. Measured from the job's own run record. Goal ≤ 10 s.
/// Args: [--events 100000] [--reference 10000] [--dim 512]
/// </summary>
public sealed class DriftWindowBenchmark : IBenchmark
{
    public string Name => "drift-window";
    public string Description => "drift job over a 100,000-event 512-d window in the running service (goal <= 10 s)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int events = Arg(args, "--events", 100_000), reference = Arg(args, "--reference", 10_000), dim = Arg(args, "--dim", 512);
        var dir = Directory.CreateTempSubdirectory("obs-bench-driftwin-").FullName;
        try
        {
            var cs = $"Data Source={Path.Combine(dir, "monitoring.db")}";
            var store = new SqliteMonitoringStore(cs);
            await store.MigrateAsync(cancellationToken);
            var now = DateTimeOffset.UtcNow;
            await store.UpsertModelAsync(new MonitoredModel
            {
                Name = "big", Classes = ["circle", "square", "triangle"], EmbeddingDimension = dim, ReferenceUntil = now.AddHours(-3),
                Window = TimeSpan.FromHours(2), Schedule = "0 0 0 1 1 ? 2099", CreatedAt = now, UpdatedAt = now,
            }, cancellationToken);
            Console.WriteLine($"drift-window benchmark: {reference:N0} reference + {events:N0} window events, d={dim}, {Environment.ProcessorCount} cores");
            await FillAsync(store, "ref", reference, now.AddHours(-4), now.AddHours(-3), dim, 0, cancellationToken);
            await FillAsync(store, "cur", events, now.AddHours(-2).AddMinutes(1), now, dim, 0.05, cancellationToken);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

            await using var host = await MonitoringBenchHost.StartAsync(new Dictionary<string, string> { ["ConnectionStrings:Monitoring"] = cs, ["Monitoring:MaxWindowEvents"] = "200000" }, cancellationToken);
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
            var started = last.GetProperty("startedAt").GetDateTimeOffset();
            var finished = last.GetProperty("finishedAt").GetDateTimeOffset();
            var result = (await host.Client.GetFromJsonAsync<JsonElement>("/api/models/big/drift", cancellationToken))[0];
            var seconds = (finished - started).TotalSeconds;
            Console.WriteLine($"job status: {last.GetProperty("status").GetString()}; window events read: {result.GetProperty("eventCount").GetInt32():N0}");
            Console.WriteLine($"embedding drift: {result.GetProperty("details").GetProperty("window").GetProperty("embeddingDrift")}");
            Console.WriteLine();
            Console.WriteLine($"{"",-36} {"seconds",8}");
            Console.WriteLine($"{"Observatory drift job (100k window)",-36} {seconds,8:0.00}");
            Console.WriteLine($"{"goal",-36} {10.0,8:0.00}");
            Console.WriteLine($"ratio goal/Observatory: {10.0 / seconds:0.00}x ({(seconds <= 10 ? "met" : "NOT met")})");
            return 0;
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    private static async Task FillAsync(SqliteMonitoringStore store, string prefix, int n, DateTimeOffset from, DateTimeOffset to, int dim, double shift, CancellationToken ct)
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
        }
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
