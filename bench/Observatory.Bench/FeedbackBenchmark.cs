using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Storage;

namespace Observatory.Bench;

/// <summary>
/// Labels arriving for events spread over many day partitions (PostgreSQL). A label names an event by id, without its
/// timestamp, so each is looked up in every partition's key index. The store applies a batch as one statement; the peer is
/// what it did before: one UPDATE per label in a transaction per batch. Each is timed twice on labels of its own, in
/// alternating order, so neither gains from the other's warm pages.
/// Args: [--events 300000] [--days 30] [--labels 20000] [--batch 1000]
/// </summary>
public sealed class FeedbackBenchmark : IBenchmark
{
    public string Name => "feedback";
    public string Description => "labels for events across 30 day partitions on PostgreSQL: one statement per batch vs one UPDATE per label";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int events = Arg(args, "--events", 300_000), days = Arg(args, "--days", 30), labels = Arg(args, "--labels", 20_000), batch = Arg(args, "--batch", 1000);
        await using var pg = new BenchPostgres();
        await pg.StartAsync();
        await using var store = new PostgresMonitoringStore(pg.ConnectionString);
        await store.MigrateAsync(cancellationToken);
        var now = DateTimeOffset.UtcNow;
        await store.UpsertModelAsync(new MonitoredModel
        {
            Name = "m", Classes = ["a", "b", "c"], EmbeddingDimension = 8, Schedule = "0 0 0 1 1 ? 2099", CreatedAt = now, UpdatedAt = now,
        }, cancellationToken);
        var fill = Stopwatch.StartNew();
        var start = now.AddDays(-days);
        var step = TimeSpan.FromTicks((now - start).Ticks / events);
        for (var i = 0; i < events; i += 5000)
        {
            var chunk = Enumerable.Range(i, Math.Min(5000, events - i))
                .Select(k => new InferenceEvent($"e{k}", start + step * k, "a", 0.9, [k % 7, 1, 2, 3, 4, 5, 6, 7])).ToList();
            await store.InsertEventsAsync("m", chunk, cancellationToken);
        }
        int partitions;
        await using (var c = new NpgsqlConnection(pg.ConnectionString))
        {
            await c.OpenAsync(cancellationToken);
            await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_inherits WHERE inhparent = 'events'::regclass", c);
            partitions = Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
        Console.WriteLine($"feedback benchmark: {events:N0} events over {days} days ({partitions} partitions), {labels:N0} labels in batches of {batch:N0}, {Environment.ProcessorCount} cores (filled in {fill.Elapsed.TotalSeconds:0} s)");

        // Four disjoint label sets over the whole span, one in a hundred naming no event.
        var rng = new Random(7);
        var ids = Enumerable.Range(0, events).OrderBy(_ => rng.Next()).Take(labels).ToArray();
        var sets = Enumerable.Range(0, 4).Select(s => ids.Where((_, k) => k % 4 == s)
            .Select((id, k) => new Feedback(k % 100 == 0 ? $"missing{id}" : $"e{id}", "b")).ToList()).ToArray();
        double store1 = await TimeAsync(() => ApplyAsync(store, sets[0], batch, cancellationToken));
        double peer1 = await TimeAsync(() => PerRowAsync(pg.ConnectionString, sets[1], batch, cancellationToken));
        double peer2 = await TimeAsync(() => PerRowAsync(pg.ConnectionString, sets[2], batch, cancellationToken));
        double store2 = await TimeAsync(() => ApplyAsync(store, sets[3], batch, cancellationToken));
        var perSet = sets[0].Count;

        Console.WriteLine();
        Console.WriteLine($"{"path",-48} {"labels/s (two runs)",24}");
        Console.WriteLine($"{"store: one statement per batch (unnest)",-48} {perSet / store1,11:N0} {perSet / store2,11:N0}");
        Console.WriteLine($"{"peer: one UPDATE per label, a transaction a batch",-48} {perSet / peer1,11:N0} {perSet / peer2,11:N0}");
        return 0;
    }

    private static async Task ApplyAsync(IMonitoringStore store, List<Feedback> labels, int batch, CancellationToken ct)
    {
        var updated = 0;
        foreach (var chunk in labels.Chunk(batch)) updated += (await store.ApplyFeedbackAsync("m", chunk, ct)).Updated;
        if (updated != labels.Count(l => !l.Id.StartsWith("missing", StringComparison.Ordinal))) throw new InvalidOperationException($"store labelled {updated}");
    }

    private static async Task PerRowAsync(string cs, List<Feedback> labels, int batch, CancellationToken ct)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync(ct);
        var updated = 0;
        foreach (var chunk in labels.Chunk(batch))
        {
            await using var tx = await c.BeginTransactionAsync(ct);
            await using var cmd = new NpgsqlCommand("UPDATE events SET true_class = @t WHERE model = @m AND id = @id", c, tx);
            var t = cmd.Parameters.AddWithValue("t", "");
            cmd.Parameters.AddWithValue("m", "m");
            var id = cmd.Parameters.AddWithValue("id", "");
            foreach (var f in chunk)
            {
                t.Value = f.TrueClass;
                id.Value = f.Id;
                updated += await cmd.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        if (updated != labels.Count(l => !l.Id.StartsWith("missing", StringComparison.Ordinal))) throw new InvalidOperationException($"peer labelled {updated}");
    }

    private static async Task<double> TimeAsync(Func<Task> run)
    {
        var sw = Stopwatch.StartNew();
        await run();
        return sw.Elapsed.TotalSeconds;
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
