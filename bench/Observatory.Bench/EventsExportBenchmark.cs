using System.Diagnostics;
using System.Globalization;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Storage;

namespace Observatory.Bench;

/// <summary>
/// Memory of GET /api/models/{m}/events?format=csv|arrow over a million events: the events go into SQLite through the store
/// (not HTTP), then the service (its own process) exports them to a reader that counts and discards the bytes. Prints time,
/// bytes, and the service's RSS before the export and its peak (VmHWM) — a fresh service per format, so each peak is its own.
/// Args: [--events 1000000] [--batch 10000] [--formats csv,arrow,json]
/// </summary>
public sealed class EventsExportBenchmark : IBenchmark
{
    public string Name => "events-export";
    public string Description => "streamed export of 1,000,000 events as CSV / Arrow (SQLite): time and the service's peak RSS";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var events = int.Parse(Arg(args, "--events", "1000000"), CultureInfo.InvariantCulture);
        var batch = Arg(args, "--batch", "10000");
        var formats = Arg(args, "--formats", "csv,arrow").Split(',');
        var dir = Directory.CreateTempSubdirectory("obs-bench-export-").FullName;
        try
        {
            var db = Path.Combine(dir, "monitoring.db");
            var store = SqliteMonitoringStore.ForFile(db);
            await store.MigrateAsync(cancellationToken);
            var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            await store.UpsertModelAsync(new MonitoredModel { Name = "bench", Classes = ["circle", "square, \"big\""], EmbeddingDimension = 4, CreatedAt = t0, UpdatedAt = t0 }, cancellationToken);
            var seed = Stopwatch.StartNew();
            for (var k = 0; k < events; k += 10_000)
            {
                var chunk = Enumerable.Range(k, Math.Min(10_000, events - k)).Select(i => new InferenceEvent($"ev-{i:D8}", t0.AddMilliseconds(i * 250L),
                    i % 3 == 0 ? "square, \"big\"" : "circle", (i % 1000) / 1000.0, null, i % 2 == 0 ? "circle" : null) { ModelVersion = "v1" }).ToList();
                await store.InsertEventsAsync("bench", chunk, cancellationToken);
            }
            Console.WriteLine($"seeded {events:N0} events into SQLite in {seed.Elapsed.TotalSeconds:0.0} s ({new FileInfo(db).Length / 1048576.0:0} MB); page size {batch}, {Environment.ProcessorCount} cores");

            foreach (var format in formats)
            {
                await using var host = await MonitoringBenchHost.StartAsync(new Dictionary<string, string>
                {
                    ["ConnectionStrings:Monitoring"] = $"Data Source={db}",
                    ["Monitoring:EventExportBatchSize"] = batch,
                }, cancellationToken);
                var before = Status(host.ProcessId, "VmRSS:");
                var sw = Stopwatch.StartNew();
                using var response = await host.Client.GetAsync($"/api/models/bench/events?format={format}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                response.EnsureSuccessStatusCode();
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                var buffer = new byte[1 << 16];
                long bytes = 0, newlines = 0;
                for (int n; (n = await body.ReadAsync(buffer, cancellationToken)) > 0;)
                {
                    bytes += n;
                    newlines += buffer.AsSpan(0, n).Count((byte)'\n');
                }
                var elapsed = sw.Elapsed;
                var peak = Status(host.ProcessId, "VmHWM:");
                var rows = format == "csv" ? $", {newlines - 1:N0} data lines" : "";
                Console.WriteLine($"{format,-5}: {bytes / 1048576.0:0.0} MB{rows} in {elapsed.TotalSeconds:0.00} s ({events / elapsed.TotalSeconds:N0} events/s); service RSS before {BenchProcess.Mb(before)}, peak {BenchProcess.Mb(peak)}");
            }
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A /proc/&lt;pid&gt;/status field in bytes (VmRSS: now, VmHWM: the peak since the process started).</summary>
    internal static long Status(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return 0;
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
