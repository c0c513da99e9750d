using Npgsql;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Storage;
using Observatory.Testing;

namespace Observatory.Monitoring.Storage.Tests;

/// <summary>PostgreSQL keeps events in day partitions: created as days arrive, dropped by event retention, built by migration 11.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresPartitionTests(PostgresServerFixture pg) : IAsyncLifetime
{
    private static readonly DateTimeOffset T = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);
    private string _cs = "";
    private PostgresMonitoringStore _store = null!;

    public async Task InitializeAsync()
    {
        _cs = await PostgresDatabases.CreateAsync(pg);
        _store = new PostgresMonitoringStore(_cs);
        await _store.MigrateAsync();
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static InferenceEvent At(string id, DateTimeOffset ts, string? sha = null) => new(id, ts, "a", 0.75, [1, 2, 3]) { ImageSha256 = sha, ModelVersion = "1" };

    private async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var c = new NpgsqlConnection(_cs);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        var v = await cmd.ExecuteScalarAsync();
        return v is null or DBNull ? default : (T)Convert.ChangeType(v, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task ExecAsync(params string[] statements)
    {
        await using var c = new NpgsqlConnection(_cs);
        await c.OpenAsync();
        foreach (var sql in statements)
        {
            await using var cmd = new NpgsqlCommand(sql, c);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    private async Task<string[]> PartitionsAsync()
    {
        await using var c = new NpgsqlConnection(_cs);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass ORDER BY 1", c);
        await using var r = await cmd.ExecuteReaderAsync();
        var names = new List<string>();
        while (await r.ReadAsync()) names.Add(r.GetString(0));
        return [.. names];
    }

    private Task<long> InDefaultAsync() => ScalarAsync<long>("SELECT COUNT(*) FROM events_default");

    [Fact]
    public async Task A512dEmbeddingRow_StaysWholeInItsPartition_NothingGoesToTheToastTable()
    {
        // The default toast threshold (~2 KB) is just under a 512-d row: every insert compressed the embedding and wrote it out of
        // line. Migration 12 and the store's new partitions raise it, so the rows stay in their page.
        var rng = new Random(3);
        var events = Enumerable.Range(0, 200).Select(i => new InferenceEvent($"e{i}", T.AddSeconds(i), "a", 0.5,
            Enumerable.Range(0, 512).Select(_ => (float)rng.NextDouble()).ToArray())).ToList();
        await _store.InsertEventsAsync("m", events);
        await _store.InsertEventsAsync("m", [new InferenceEvent("ahead", DateTimeOffset.UtcNow.AddYears(5), "a", 0.5, events[0].Embedding)]);   // a wrong clock: no partition, DEFAULT
        foreach (var partition in await PartitionsAsync())
        {
            Assert.Contains($"toast_tuple_target={PostgresMonitoringStore.PartitionToastTarget}",
                await ScalarAsync<string>($"SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = '{partition}'") ?? "");
            Assert.Equal(0, await ScalarAsync<long>($"SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE relname = '{partition}'"));
        }
        Assert.Equal(1, await InDefaultAsync());
        Assert.Equal(200, await ScalarAsync<long>("SELECT COUNT(*) FROM events_p20260105"));
        var back = await _store.GetEventsAsync("m", T, T.AddDays(1), 1000, true);
        Assert.Equal(events[7].Embedding, back.Single(e => e.Id == "e7").Embedding);
    }

    [Fact]
    public async Task EachDayOfEvents_GetsItsPartition_RetentionDropsTheOldOnes_KeepingReferenceRowsInDefault_AndNewDaysGetOne()
    {
        Assert.Equal(["events_default"], await PartitionsAsync());
        await _store.InsertEventsAsync("m", [At("d3", T.AddDays(-3)), At("d2", T.AddDays(-2)), At("d2b", T.AddDays(-2).AddHours(5)), At("d0", T)]);
        await _store.InsertEventsAsync("ref", [At("r", T.AddDays(-3)), At("r2", T.AddDays(-2))]);
        Assert.Equal(["events_default", "events_p20260102", "events_p20260103", "events_p20260105"], await PartitionsAsync());
        Assert.Equal(0, await InDefaultAsync());
        Assert.Equal(3, await ScalarAsync<long>("SELECT COUNT(*) FROM events_p20260103"));

        Assert.Equal(3, await _store.PruneEventsAsync(T, new Dictionary<string, DateTimeOffset> { ["ref"] = T.AddDays(-2).AddHours(1) }));
        // The two old days' tables are gone (a DROP, not emptied tables left behind); the reference rows live on in DEFAULT.
        Assert.Equal(["events_default", "events_p20260105"], await PartitionsAsync());
        Assert.Equal(2, await InDefaultAsync());
        Assert.Equal(["d0"], (await _store.GetEventsAsync("m", T.AddDays(-5), T.AddDays(1), 10, false)).Select(e => e.Id));

        await _store.InsertEventsAsync("m", [At("d1", T.AddDays(1))]);
        Assert.Equal(["events_default", "events_p20260105", "events_p20260106"], await PartitionsAsync());
        // A late event of a dropped day: the day gets a partition again, and the DEFAULT rows of its range move into it.
        Assert.Equal(new IngestResult(1, 1), await _store.InsertEventsAsync("ref", [At("late", T.AddDays(-2)), At("r2", T.AddDays(-2))]));
        Assert.Contains("events_p20260103", await PartitionsAsync());
        Assert.Equal(1, await InDefaultAsync());
        Assert.Equal(2, await ScalarAsync<long>("SELECT COUNT(*) FROM events_p20260103"));
    }

    /// <summary>The consequence of the key (model, id, ts): a retry is a duplicate, the same id on another day a second event.</summary>
    [Fact]
    public async Task AnIdResentWithItsTimestamp_IsADuplicate_WithAnotherTimestamp_ASecondEvent_ThatAWindowLeavesOut()
    {
        Assert.Equal(new IngestResult(1, 0), await _store.InsertEventsAsync("m", [At("x", T)]));
        Assert.Equal(new IngestResult(0, 1), await _store.InsertEventsAsync("m", [At("x", T)]));
        Assert.Equal(new IngestResult(1, 0), await _store.InsertEventsAsync("m", [At("x", T.AddDays(2))]));
        Assert.Equal(2, await _store.CountEventsAsync("m"));
        Assert.Equal([T], (await _store.SampleEventsAsync("m", T.AddHours(-1), T.AddHours(1), 10, false)).Select(e => e.Timestamp));
        Assert.Equal([T.AddDays(2)], (await _store.SampleEventsAsync("m", T.AddDays(1), T.AddDays(3), 10, false)).Select(e => e.Timestamp));
    }

    [Fact]
    public async Task DaysPastEventRetention_OrFarAhead_GetNoPartition_TheirRowsLandInDefault_AndStayUnique()
    {
        await using var store = new PostgresMonitoringStore(_cs) { EventRetention = TimeSpan.FromDays(30) };
        var now = DateTimeOffset.UtcNow;
        var before = await PartitionsAsync();
        var old = At("old", now.AddDays(-40));
        var ahead = At("ahead", now.AddDays(10));
        Assert.Equal(new IngestResult(2, 0), await store.InsertEventsAsync("m", [old, ahead]));
        Assert.Equal(new IngestResult(0, 2), await store.InsertEventsAsync("m", [old, ahead]));
        Assert.Equal(before, await PartitionsAsync());
        Assert.Equal(2, await InDefaultAsync());
        // Today gets one.
        await store.InsertEventsAsync("m", [At("today", now)]);
        Assert.Contains("events_p" + now.UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture), await PartitionsAsync());
        Assert.Equal(2, await InDefaultAsync());
    }

    [Fact]
    public async Task Migration11_TurnsAnUnpartitionedTableWithRows_IntoDayPartitions_KeepingEveryRowAndField()
    {
        var full = new InferenceEvent("f", T.AddDays(-1), "b", 0.5, [0.25f, -1f, 7f], "a", [0.1, 0.2])
        {
            ImageUri = "https://images.example/f.jpg", ModelVersion = "2", ImageSha256 = new string('c', 64),
            Boxes = [new EventBox("b", 0.5, 0.5, 0.25, 0.125, 0.9)], LatencyMs = 12.5, Error = "timeout",
        };
        await _store.InsertEventsAsync("m", [full, At("a", T), At("b", T.AddHours(1))]);
        // Back to the table of migrations 1 to 10, with the same rows of two days in it.
        await ExecAsync("CREATE TABLE saved AS SELECT * FROM events", "DROP TABLE events",
            """
            CREATE TABLE events (model TEXT NOT NULL, id TEXT NOT NULL, ts BIGINT NOT NULL, predicted_class TEXT NOT NULL,
              confidence DOUBLE PRECISION NOT NULL, embedding BYTEA, true_class TEXT, ingested_at BIGINT NOT NULL, image_stats BYTEA,
              PRIMARY KEY (model, id))
            """,
            "CREATE INDEX ix_events_ts ON events (ts)",
            "ALTER TABLE events ADD COLUMN image_uri TEXT", "ALTER TABLE events ADD COLUMN model_version TEXT", "ALTER TABLE events ADD COLUMN image_sha256 TEXT",
            "ALTER TABLE events ADD COLUMN boxes TEXT", "CREATE INDEX ix_events_model_image ON events (model, image_sha256)",
            "CREATE INDEX ix_events_image ON events (image_sha256, model, ts) WHERE image_sha256 IS NOT NULL",
            "ALTER TABLE events ADD COLUMN latency_ms DOUBLE PRECISION", "ALTER TABLE events ADD COLUMN error TEXT", "ALTER TABLE events ADD COLUMN sample_key BIGINT",
            "CREATE INDEX ix_events_sample ON events (model, ts, sample_key) INCLUDE (id)",
            "INSERT INTO events SELECT * FROM saved", "DROP TABLE saved",
            "DELETE FROM schema_migrations WHERE version = 11");
        Assert.Equal(0, await ScalarAsync<long>("SELECT COUNT(*) FROM pg_inherits"));

        await using (var fresh = new PostgresMonitoringStore(_cs)) await fresh.MigrateAsync();
        Assert.Equal(["events_default", "events_p20260104", "events_p20260105"], await PartitionsAsync());
        Assert.Equal("p", await ScalarAsync<string>("SELECT relkind::text FROM pg_class WHERE relname = 'events'"));
        Assert.Equal(2, await ScalarAsync<long>("SELECT COUNT(*) FROM events_p20260105"));
        Assert.Equal(new[] { "ix_events_image", "ix_events_model_image", "ix_events_sample", "events_pkey" }.Order(),
            (await ScalarAsync<string>("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'events'"))!.Split(',').Order());

        await using var store = new PostgresMonitoringStore(_cs);
        var f = (await store.GetEventsAsync("m", T.AddDays(-2), T, 10, true)).Single();
        Assert.Equal((full.Id, full.Timestamp, full.PredictedClass, full.Confidence, full.TrueClass, full.ImageUri, full.ModelVersion, full.ImageSha256, full.LatencyMs, full.Error),
            (f.Id, f.Timestamp, f.PredictedClass, f.Confidence, f.TrueClass, f.ImageUri, f.ModelVersion, f.ImageSha256, f.LatencyMs, f.Error));
        Assert.Equal(full.Embedding, f.Embedding);
        Assert.Equal(full.ImageFeatures, f.ImageFeatures);
        Assert.Equal(full.Boxes, f.Boxes);
        Assert.Equal(SampleKey.Of("f"), await ScalarAsync<long>("SELECT sample_key FROM events WHERE id = 'f'"));
        // The migrated days are the partitions the store finds: more rows of the same day go in beside them, a resent one is a duplicate.
        Assert.Equal(new IngestResult(1, 1), await store.InsertEventsAsync("m", [At("a", T), At("c", T.AddHours(2))]));
        Assert.Equal(["events_default", "events_p20260104", "events_p20260105"], await PartitionsAsync());
        Assert.Equal(0, await InDefaultAsync());
    }
}
