using System.Data;
using System.Data.Common;
using System.Runtime.InteropServices;
using System.Text.Json;
using Observatory.Monitoring.Core.Alerts;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Contracts;

namespace Observatory.Monitoring.Storage;

/// <summary>
/// The store over plain ADO.NET with SQL both SQLite and PostgreSQL accept (ON CONFLICT, partial indexes, @parameters);
/// the subclasses only open connections and name their dialect.
/// </summary>
public abstract class AdoMonitoringStore : IMonitoringStore
{
    private static readonly JsonSerializerOptions Json = MonitoringJson.Options;

    /// <param name="time">The clock of ingestion stamps and migration records; the host's (a fake one in tests).</param>
    protected AdoMonitoringStore(SqlDialect dialect, TimeProvider? time = null)
    {
        Dialect = dialect;
        Time = time ?? TimeProvider.System;
    }

    protected TimeProvider Time { get; }

    public SqlDialect Dialect { get; }

    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Serialises writers where the database cannot (SQLite has one writer); PostgreSQL returns a no-op.</summary>
    protected virtual ValueTask<IDisposable> WriteLockAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable>(NoLock.Instance);

    /// <summary>Statement run first inside the migration transaction so concurrent starters wait (PostgreSQL advisory lock).</summary>
    protected virtual string? MigrationLockSql => null;

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        using var _ = await WriteLockAsync(cancellationToken);
        await using var c = await OpenAsync(cancellationToken);
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        if (MigrationLockSql is { } lockSql) await ExecAsync(c, tx, lockSql, cancellationToken);
        await ExecAsync(c, tx, Dialect.Expand("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at {BIGINT} NOT NULL)"), cancellationToken);
        var applied = new HashSet<int>();
        await using (var cmd = Command(c, tx, "SELECT version FROM schema_migrations"))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) applied.Add(Convert.ToInt32(r.GetValue(0)));
        foreach (var (version, statements) in Migrations.All)
        {
            if (applied.Contains(version)) continue;
            foreach (var s in statements)
                if (Dialect.Accepts(s, out var sql)) await ExecAsync(c, tx, Dialect.Expand(sql), cancellationToken);
            await ExecAsync(c, tx, "INSERT INTO schema_migrations (version, applied_at) VALUES (@v, @t)", cancellationToken, ("v", version), ("t", Time.GetUtcNow().UtcTicks));
        }
        await tx.CommitAsync(cancellationToken);
    }

    // ---- models

    public async Task UpsertModelAsync(MonitoredModel model, CancellationToken cancellationToken = default)
    {
        using var _ = await WriteLockAsync(cancellationToken);
        await using var c = await OpenAsync(cancellationToken);
        await ExecAsync(c, null, """
            INSERT INTO models (name, json, created_at, updated_at) VALUES (@n, @j, @c, @u)
            ON CONFLICT (name) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at
            """, cancellationToken, ("n", model.Name), ("j", JsonSerializer.Serialize(model, Json)), ("c", model.CreatedAt.UtcTicks), ("u", model.UpdatedAt.UtcTicks));
    }

    public async Task<MonitoredModel?> GetModelAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT json, created_at FROM models WHERE name = @n", ("n", name));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? ReadModel(r) : null;
    }

    public async Task<IReadOnlyList<MonitoredModel>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT json, created_at FROM models ORDER BY name");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<MonitoredModel>();
        while (await r.ReadAsync(cancellationToken)) list.Add(ReadModel(r));
        return list;
    }

    private static MonitoredModel ReadModel(DbDataReader r) =>
        JsonSerializer.Deserialize<MonitoredModel>(r.GetString(0), Json)! with { CreatedAt = Ticks(r.GetInt64(1)) };

    public async Task<bool> DeleteModelAsync(string name, CancellationToken cancellationToken = default)
    {
        using var _ = await WriteLockAsync(cancellationToken);
        await using var c = await OpenAsync(cancellationToken);
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        var n = await ExecAsync(c, tx, "DELETE FROM models WHERE name = @n", cancellationToken, ("n", name));
        await ExecAsync(c, tx, "DELETE FROM events WHERE model = @n", cancellationToken, ("n", name));
        await ExecAsync(c, tx, "DELETE FROM results WHERE model = @n", cancellationToken, ("n", name));
        await ExecAsync(c, tx, "DELETE FROM exports WHERE model = @n", cancellationToken, ("n", name));
        await ExecAsync(c, tx, "DELETE FROM export_images WHERE model = @n", cancellationToken, ("n", name));
        await tx.CommitAsync(cancellationToken);
        return n > 0;
    }

    // ---- events

    public async Task<IngestResult> InsertEventsAsync(string model, IReadOnlyList<InferenceEvent> events, CancellationToken cancellationToken = default)
    {
        if (events.Count == 0) return new(0, 0);
        using var _ = await WriteLockAsync(cancellationToken);
        await using var c = await OpenAsync(cancellationToken);
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        var inserted = await InsertEventRowsAsync(c, tx, model, events, Time.GetUtcNow().UtcTicks, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new(inserted, events.Count - inserted);
    }

    /// <summary>Inserts rows inside the caller's transaction and returns how many were new. PostgreSQL overrides it with a batch.</summary>
    protected virtual async Task<int> InsertEventRowsAsync(DbConnection c, DbTransaction tx, string model, IReadOnlyList<InferenceEvent> events, long ingestedAt, CancellationToken cancellationToken)
    {
        await using var cmd = Command(c, tx, EventInsertSql,
            ("m", model), ("id", ""), ("ts", 0L), ("p", ""), ("cf", 0.0), ("e", DBNull.Value), ("t", DBNull.Value), ("i", ingestedAt), ("s", DBNull.Value), ("u", DBNull.Value), ("v", DBNull.Value), ("h", DBNull.Value), ("b", DBNull.Value), ("x", DBNull.Value), ("w", DBNull.Value), ("k", 0L));
        var inserted = 0;
        foreach (var e in events)
        {
            SetEventParameters(cmd.Parameters, e);
            inserted += await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        return inserted;
    }

    protected const string EventInsertSql = """
        INSERT INTO events (model, id, ts, predicted_class, confidence, embedding, true_class, ingested_at, image_stats, image_uri, model_version, image_sha256, boxes, latency_ms, error, sample_key)
        VALUES (@m, @id, @ts, @p, @cf, @e, @t, @i, @s, @u, @v, @h, @b, @x, @w, @k) ON CONFLICT (model, id) DO NOTHING
        """;

    protected static void SetEventParameters(DbParameterCollection p, InferenceEvent e)
    {
        p["id"].Value = e.Id;
        p["ts"].Value = e.Timestamp.UtcTicks;
        p["p"].Value = e.PredictedClass;
        p["cf"].Value = e.Confidence;
        p["e"].Value = e.Embedding is null ? DBNull.Value : EmbeddingBytes(e.Embedding);
        p["t"].Value = (object?)e.TrueClass ?? DBNull.Value;
        p["s"].Value = e.ImageFeatures is null ? DBNull.Value : MemoryMarshal.AsBytes(e.ImageFeatures.AsSpan()).ToArray();
        p["u"].Value = (object?)e.ImageUri ?? DBNull.Value;
        p["v"].Value = (object?)e.ModelVersion ?? DBNull.Value;
        p["h"].Value = (object?)e.ImageSha256 ?? DBNull.Value;
        p["b"].Value = BoxesJson(e.Boxes);
        p["x"].Value = (object?)e.LatencyMs ?? DBNull.Value;
        p["w"].Value = (object?)e.Error ?? DBNull.Value;
        p["k"].Value = SampleKey.Of(e.Id);
    }

    protected static object BoxesJson(IReadOnlyList<EventBox>? boxes) => boxes is null ? DBNull.Value : JsonSerializer.Serialize(boxes, Json);

    private static IReadOnlyList<EventBox>? ReadBoxes(DbDataReader r, int ordinal) =>
        r.IsDBNull(ordinal) ? null : JsonSerializer.Deserialize<List<EventBox>>(r.GetString(ordinal), Json);

    /// <summary>Embeddings are stored as little-endian float32 bytes: 4 bytes a dimension, no JSON text.</summary>
    public static byte[] EmbeddingBytes(float[] embedding)
    {
        var bytes = MemoryMarshal.AsBytes(embedding.AsSpan()).ToArray();
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        return bytes;
    }

    public static float[] EmbeddingFromBytes(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    public async Task<IReadOnlyList<InferenceEvent>> GetEventsAsync(string model, DateTimeOffset from, DateTimeOffset to, int limit, bool includeEmbeddings, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, $"""
            SELECT {EventColumns(includeEmbeddings)} FROM events
            WHERE model = @m AND ts >= @f AND ts < @t ORDER BY ts DESC LIMIT @l
            """, ("m", model), ("f", from.UtcTicks), ("t", to.UtcTicks), ("l", limit));
        return await ReadEventsAsync(cmd, cancellationToken);
    }

    public async Task<IReadOnlyList<InferenceEvent>> GetEventPageAsync(string model, DateTimeOffset from, DateTimeOffset to, EventPosition? after, int limit,
        bool includeEmbeddings, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        // Keyset paging on (ts, id): the primary key makes the pair unique, and the (model, ts) index finds each page's start
        // without skipping the rows of the pages before it, as OFFSET would.
        var resume = after is null ? "" : " AND (ts > @at OR (ts = @at AND id > @ai))";
        await using var cmd = Command(c, null, $"""
            SELECT {EventColumns(includeEmbeddings)} FROM events
            WHERE model = @m AND ts >= @f AND ts < @t{resume} ORDER BY ts, id LIMIT @l
            """, ("m", model), ("f", from.UtcTicks), ("t", to.UtcTicks), ("l", limit), ("at", after?.Timestamp.UtcTicks ?? 0L), ("ai", after?.Id ?? ""));
        return await ReadEventsAsync(cmd, cancellationToken);
    }

    public async Task<IReadOnlyList<InferenceEvent>> SampleEventsAsync(string model, DateTimeOffset from, DateTimeOffset to, int limit, bool includeEmbeddings,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var c = await OpenAsync(cancellationToken);
        // The inner query chooses the sample from the (model, ts, sample_key) index alone; the outer one reads only the rows
        // chosen. One query ordering the rows themselves would read every row of the window, embeddings included, on SQLite.
        // The outer query repeats the range: PostgreSQL then reads only the window's day partitions, and an id stored again on
        // another day (its key is (model, id, ts)) is not taken along.
        var key = Dialect.RowKey;
        await using var cmd = Command(c, null, $"""
            SELECT {EventColumns(includeEmbeddings)} FROM events
            WHERE model = @m AND ts >= @f AND ts < @t AND {key} IN (SELECT {key} FROM events WHERE model = @m AND ts >= @f AND ts < @t ORDER BY sample_key LIMIT @l)
            ORDER BY sample_key, id
            """, ("m", model), ("f", from.UtcTicks), ("t", to.UtcTicks), ("l", limit));
        return await ReadEventsAsync(cmd, cancellationToken);
    }

    public async Task<EventWindowCounts> CountWindowAsync(string model, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, """
            SELECT model_version, COUNT(*), SUM(CASE WHEN error IS NULL THEN 0 ELSE 1 END) FROM events
            WHERE model = @m AND ts >= @f AND ts < @t GROUP BY model_version
            """, ("m", model), ("f", from.UtcTicks), ("t", to.UtcTicks));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var byVersion = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long events = 0, errors = 0;
        while (await r.ReadAsync(cancellationToken))
        {
            var n = Convert.ToInt64(r.GetValue(1));
            events += n;
            errors += Convert.ToInt64(r.GetValue(2));
            if (!r.IsDBNull(0)) byVersion[r.GetString(0)] = n;
        }
        return new EventWindowCounts(events, byVersion, errors);
    }

    private static string EventColumns(bool includeEmbeddings) =>
        $"id, ts, predicted_class, confidence, {(includeEmbeddings ? "embedding" : "NULL")}, true_class, {(includeEmbeddings ? "image_stats" : "NULL")}, image_uri, model_version, image_sha256, boxes, latency_ms, error";

    private static async Task<IReadOnlyList<InferenceEvent>> ReadEventsAsync(DbCommand cmd, CancellationToken cancellationToken)
    {
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<InferenceEvent>();
        while (await r.ReadAsync(cancellationToken))
            list.Add(new InferenceEvent(r.GetString(0), Ticks(r.GetInt64(1)), r.GetString(2), r.GetDouble(3),
                r.IsDBNull(4) ? null : EmbeddingFromBytes((byte[])r.GetValue(4)), r.IsDBNull(5) ? null : r.GetString(5),
                r.IsDBNull(6) ? null : MemoryMarshal.Cast<byte, double>((byte[])r.GetValue(6)).ToArray()) { ImageUri = r.IsDBNull(7) ? null : r.GetString(7), ModelVersion = r.IsDBNull(8) ? null : r.GetString(8), ImageSha256 = r.IsDBNull(9) ? null : r.GetString(9), Boxes = ReadBoxes(r, 10),
                    LatencyMs = r.IsDBNull(11) ? null : r.GetDouble(11), Error = r.IsDBNull(12) ? null : r.GetString(12) });
        return list;
    }

    public async Task<bool> EventNamesImageAsync(string model, string sha256, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT 1 FROM events WHERE model = @m AND image_sha256 = @h LIMIT 1", ("m", model), ("h", sha256));
        return await cmd.ExecuteScalarAsync(cancellationToken) is not (null or DBNull);
    }

    public async Task<long> CountEventsAsync(string model, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT COUNT(*) FROM events WHERE model = @m", ("m", model));
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken));
    }

    public async Task<DateTimeOffset?> LastEventAtAsync(string model, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT MAX(ts) FROM events WHERE model = @m", ("m", model));
        var v = await cmd.ExecuteScalarAsync(cancellationToken);
        return v is null or DBNull ? null : Ticks(Convert.ToInt64(v));
    }

    /// <summary>One UPDATE per label, in one transaction (SQLite: each is an index lookup in the same process).</summary>
    public virtual async Task<FeedbackResult> ApplyFeedbackAsync(string model, IReadOnlyList<Feedback> feedback, CancellationToken cancellationToken = default)
    {
        using var _ = await WriteLockAsync(cancellationToken);
        await using var c = await OpenAsync(cancellationToken);
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        await using var cmd = Command(c, tx, "UPDATE events SET true_class = @t WHERE model = @m AND id = @id", ("m", model), ("t", ""), ("id", ""));
        var unknown = new List<string>();
        var updated = 0;
        foreach (var f in feedback)
        {
            cmd.Parameters["t"].Value = f.TrueClass;
            cmd.Parameters["id"].Value = f.Id;
            if (await cmd.ExecuteNonQueryAsync(cancellationToken) == 0) unknown.Add(f.Id);
            else updated++;
        }
        await tx.CommitAsync(cancellationToken);
        return new(updated, unknown);
    }

    public async Task<int> PruneEmbeddingsAsync(DateTimeOffset before, IReadOnlyDictionary<string, DateTimeOffset> keepBefore, CancellationToken cancellationToken = default)
    {
        using var _ = await WriteLockAsync(cancellationToken);
        await using var c = await OpenAsync(cancellationToken);
        var args = new List<(string, object)> { ("b", before.UtcTicks) };
        var kept = new List<string>();
        var i = 0;
        foreach (var (model, until) in keepBefore)
        {
            kept.Add($"(model = @m{i} AND ts < @k{i})");
            args.Add(($"m{i}", model));
            args.Add(($"k{i}", until.UtcTicks));
            i++;
        }
        var keep = kept.Count == 0 ? "" : " AND NOT (" + string.Join(" OR ", kept) + ")";
        return await ExecAsync(c, null, "UPDATE events SET embedding = NULL, image_stats = NULL WHERE ts < @b AND (embedding IS NOT NULL OR image_stats IS NOT NULL)" + keep,
            cancellationToken, [.. args]);
    }

    public abstract Task<long> PruneEventsAsync(DateTimeOffset before, IReadOnlyDictionary<string, DateTimeOffset> keepBefore, CancellationToken cancellationToken = default);

    /// <summary>
    /// The events event retention keeps, as a condition on the rows of alias <paramref name="e"/>: a model's reference period, and
    /// events naming an image an open export of their model holds.
    /// </summary>
    protected static (string Sql, (string, object)[] Args) KeptEvents(string e, IReadOnlyDictionary<string, DateTimeOffset> keepBefore)
    {
        var parts = new List<string>();
        var args = new List<(string, object)>();
        var i = 0;
        foreach (var (model, until) in keepBefore)
        {
            parts.Add($"({e}.model = @m{i} AND {e}.ts < @k{i})");
            args.Add(($"m{i}", model));
            args.Add(($"k{i}", until.UtcTicks));
            i++;
        }
        parts.Add($"({e}.image_sha256 IS NOT NULL AND EXISTS (SELECT 1 FROM export_images x WHERE x.model = {e}.model AND x.sha256 = {e}.image_sha256))");
        return (string.Join(" OR ", parts), [.. args]);
    }

    public async Task<int> PruneHistoryAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        using var _ = await WriteLockAsync(cancellationToken);
        await using var c = await OpenAsync(cancellationToken);
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        var b = ("b", (object)before.UtcTicks);
        var n = await ExecAsync(c, tx, "DELETE FROM delivery_attempts WHERE at < @b", cancellationToken, b);
        // Only finished notifications: one still being retried keeps its queue entry whatever its age.
        n += await ExecAsync(c, tx, "DELETE FROM notifications WHERE done = 1 AND created_at < @b", cancellationToken, b);
        n += await ExecAsync(c, tx, "DELETE FROM job_runs WHERE finished_at < @b", cancellationToken, b);
        await tx.CommitAsync(cancellationToken);
        return n;
    }

    public async Task<IReadOnlyList<string>> ListImagesLastNamedBeforeAsync(string model, DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null,
            "SELECT image_sha256 FROM events WHERE model = @m AND image_sha256 IS NOT NULL GROUP BY image_sha256 HAVING MAX(ts) < @b ORDER BY image_sha256",
            ("m", model), ("b", before.UtcTicks));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<string>();
        while (await r.ReadAsync(cancellationToken)) list.Add(r.GetString(0));
        return list;
    }

    public async Task<IReadOnlyList<ImageUse>> ListImageUsesAsync(IReadOnlyCollection<string> sha256s, CancellationToken cancellationToken = default)
    {
        var list = new List<ImageUse>();
        if (sha256s.Count == 0) return list;
        await using var c = await OpenAsync(cancellationToken);
        // In chunks: both databases bound the parameters of one statement.
        foreach (var chunk in sha256s.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            var names = string.Join(", ", chunk.Select((_, i) => $"@h{i}"));
            await using var cmd = Command(c, null, $"SELECT model, image_sha256, MAX(ts) FROM events WHERE image_sha256 IN ({names}) GROUP BY model, image_sha256",
                [.. chunk.Select((h, i) => ($"h{i}", (object)h))]);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken)) list.Add(new(r.GetString(0), r.GetString(1), Ticks(r.GetInt64(2))));
        }
        return list;
    }

    public async Task<int> ForgetImagesAsync(string model, IReadOnlyCollection<string> sha256s, DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        if (sha256s.Count == 0) return 0;
        using var _ = await WriteLockAsync(cancellationToken);
        await using var c = await OpenAsync(cancellationToken);
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        var n = 0;
        foreach (var chunk in sha256s.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            var names = string.Join(", ", chunk.Select((_, i) => $"@h{i}"));
            n += await ExecAsync(c, tx, $"UPDATE events SET image_sha256 = NULL WHERE model = @m AND ts < @b AND image_sha256 IN ({names})", cancellationToken,
                [("m", model), ("b", before.UtcTicks), .. chunk.Select((h, i) => ($"h{i}", (object)h))]);
        }
        await tx.CommitAsync(cancellationToken);
        return n;
    }

    // ---- results

    public async Task AddResultAsync(StoredResult result, CancellationToken cancellationToken = default)
    {
        using var _ = await WriteLockAsync(cancellationToken);
        await using var c = await OpenAsync(cancellationToken);
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        // A re-run of the same window replaces its result (the unique index would refuse a second one).
        await ExecAsync(c, tx, "DELETE FROM results WHERE model = @m AND kind = @k AND window_end = @e", cancellationToken,
            ("m", result.Model), ("k", result.Kind), ("e", result.WindowEnd.UtcTicks));
        await ExecAsync(c, tx, """
            INSERT INTO results (model, kind, window_start, window_end, event_count, drifted, value, json, created_at)
            VALUES (@m, @k, @s, @e, @n, @d, @v, @j, @c)
            """, cancellationToken, ("m", result.Model), ("k", result.Kind), ("s", result.WindowStart.UtcTicks), ("e", result.WindowEnd.UtcTicks),
            ("n", result.EventCount), ("d", result.Drifted ? 1 : 0), ("v", (object?)result.Value ?? DBNull.Value), ("j", result.Json), ("c", result.CreatedAt.UtcTicks));
        await tx.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<StoredResult>> ListResultsAsync(string model, string kind, int limit, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, """
            SELECT model, kind, window_start, window_end, event_count, drifted, value, json, created_at FROM results
            WHERE model = @m AND kind = @k ORDER BY id DESC LIMIT @l
            """, ("m", model), ("k", kind), ("l", limit));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<StoredResult>();
        while (await r.ReadAsync(cancellationToken))
            list.Add(new(r.GetString(0), r.GetString(1), Ticks(r.GetInt64(2)), Ticks(r.GetInt64(3)), Convert.ToInt32(r.GetValue(4)),
                Convert.ToInt32(r.GetValue(5)) != 0, r.IsDBNull(6) ? null : r.GetDouble(6), r.GetString(7), Ticks(r.GetInt64(8))));
        list.Reverse();
        return list;
    }

    public async Task<IReadOnlyList<ResultSummary>> ListResultSummariesAsync(string model, string kind, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, """
            SELECT id, window_start, window_end, event_count, drifted, value, created_at FROM results
            WHERE model = @m AND kind = @k AND window_end >= @f AND window_end <= @t ORDER BY window_end, id
            """, ("m", model), ("k", kind), ("f", from.UtcTicks), ("t", to.UtcTicks));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<ResultSummary>();
        while (await r.ReadAsync(cancellationToken))
            list.Add(new(Convert.ToInt64(r.GetValue(0)), Ticks(r.GetInt64(1)), Ticks(r.GetInt64(2)), Convert.ToInt32(r.GetValue(3)),
                Convert.ToInt32(r.GetValue(4)) != 0, r.IsDBNull(5) ? null : r.GetDouble(5), Ticks(r.GetInt64(6))));
        return list;
    }

    public async Task<IReadOnlyList<StoredResult>> GetResultsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default)
    {
        var list = new List<StoredResult>(ids.Count);
        if (ids.Count == 0) return list;
        await using var c = await OpenAsync(cancellationToken);
        // Ids are longs from our own summaries, so they are inlined (no parameter-count limit); chunked to keep statements short.
        foreach (var chunk in ids.Chunk(500))
        {
            await using var cmd = Command(c, null, $"""
                SELECT model, kind, window_start, window_end, event_count, drifted, value, json, created_at FROM results
                WHERE id IN ({string.Join(",", chunk.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)))})
                """);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
                list.Add(new(r.GetString(0), r.GetString(1), Ticks(r.GetInt64(2)), Ticks(r.GetInt64(3)), Convert.ToInt32(r.GetValue(4)),
                    Convert.ToInt32(r.GetValue(5)) != 0, r.IsDBNull(6) ? null : r.GetDouble(6), r.GetString(7), Ticks(r.GetInt64(8))));
        }
        return list.OrderBy(x => x.WindowEnd).ToList();
    }

    public async Task<IReadOnlyList<EventCountBucket>> CountEventsByBucketAsync(string model, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bucket, TimeSpan.Zero);
        await using var c = await OpenAsync(cancellationToken);
        // Integer division of ticks on both databases; the (model, ts) index bounds the scan to the range.
        await using var cmd = Command(c, null, """
            SELECT (ts - @f) / @b AS slot, COUNT(*) FROM events WHERE model = @m AND ts >= @f AND ts < @t GROUP BY slot ORDER BY slot
            """, ("m", model), ("f", from.UtcTicks), ("t", to.UtcTicks), ("b", bucket.Ticks));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<EventCountBucket>();
        while (await r.ReadAsync(cancellationToken))
            list.Add(new(from + bucket * Convert.ToInt64(r.GetValue(0)), Convert.ToInt64(r.GetValue(1))));
        return list;
    }

    // ---- alerts

    public async Task<Alert?> GetAlertAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        return (await ReadAlertsAsync(c, "SELECT json FROM alerts WHERE id = @id", cancellationToken, ("id", id))).FirstOrDefault();
    }

    public async Task<Alert?> GetOpenAlertAsync(string model, string ruleId, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        return (await ReadAlertsAsync(c, "SELECT json FROM alerts WHERE model = @m AND rule_id = @r AND state <> 'resolved'", cancellationToken, ("m", model), ("r", ruleId))).FirstOrDefault();
    }

    public async Task SaveAlertAsync(Alert alert, NotificationRequest? notification, IReadOnlyList<string> channels, DateTimeOffset now, CancellationToken cancellationToken = default,
        Alert? replacing = null)
    {
        using var _ = await WriteLockAsync(cancellationToken);
        await using var c = await OpenAsync(cancellationToken);
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        if (replacing is not null)
        {
            // Compare-and-set on the whole stored record: a person's acknowledge or resolve never overwrites what the evaluator
            // (or another person) changed between their read and this write.
            var changed = await ExecAsync(c, tx, "UPDATE alerts SET state = @s, json = @j WHERE id = @id AND json = @old", cancellationToken,
                ("id", alert.Id), ("s", StateName(alert.State)), ("j", JsonSerializer.Serialize(alert, Json)), ("old", JsonSerializer.Serialize(replacing, Json)));
            if (changed == 0)
                throw new ConflictException($"alert '{alert.Id}' changed while it was being updated; read it again and retry");
        }
        else
        {
            await ExecAsync(c, tx, """
                INSERT INTO alerts (id, model, rule_id, state, fired_at, json) VALUES (@id, @m, @r, @s, @f, @j)
                ON CONFLICT (id) DO UPDATE SET state = excluded.state, json = excluded.json
                """, cancellationToken, ("id", alert.Id), ("m", alert.Model), ("r", alert.RuleId), ("s", StateName(alert.State)),
                ("f", alert.FiredAt.UtcTicks), ("j", JsonSerializer.Serialize(alert, Json)));
        }
        if (notification is not null)
            foreach (var channel in channels)
                await ExecAsync(c, tx, """
                    INSERT INTO notifications (alert_id, kind, channel, attempts, done, next_attempt_at, created_at)
                    VALUES (@a, @k, @ch, 0, 0, @n, @n)
                    """, cancellationToken, ("a", notification.AlertId), ("k", notification.Kind.ToString()), ("ch", channel), ("n", now.UtcTicks));
        await tx.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Alert>> ListAlertsAsync(string? model, AlertState? state, int limit, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        return await ReadAlertsAsync(c, """
            SELECT json FROM alerts WHERE (@m IS NULL OR model = @m) AND (@s IS NULL OR state = @s) ORDER BY fired_at DESC LIMIT @l
            """, cancellationToken, ("m", (object?)model ?? DBNull.Value), ("s", state is { } s ? StateName(s) : DBNull.Value), ("l", limit));
    }

    private static string StateName(AlertState s) => JsonNamingPolicy.CamelCase.ConvertName(s.ToString());

    private async Task<List<Alert>> ReadAlertsAsync(DbConnection c, string sql, CancellationToken ct, params (string, object)[] args)
    {
        await using var cmd = Command(c, null, sql, args);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<Alert>();
        while (await r.ReadAsync(ct)) list.Add(JsonSerializer.Deserialize<Alert>(r.GetString(0), Json)!);
        return list;
    }

    public async Task AddSilenceAsync(Silence silence, CancellationToken cancellationToken = default)
    {
        using var _ = await WriteLockAsync(cancellationToken);
        await using var c = await OpenAsync(cancellationToken);
        await ExecAsync(c, null, "INSERT INTO silences (id, model, rule_id, starts_at, ends_at, json) VALUES (@id, @m, @r, @s, @e, @j)", cancellationToken,
            ("id", silence.Id), ("m", silence.Model), ("r", (object?)silence.RuleId ?? DBNull.Value), ("s", silence.StartsAt.UtcTicks), ("e", silence.EndsAt.UtcTicks),
            ("j", JsonSerializer.Serialize(silence, Json)));
    }

    public async Task<IReadOnlyList<Silence>> ListSilencesAsync(string? model, DateTimeOffset activeAt, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT json FROM silences WHERE (@m IS NULL OR model = @m) AND starts_at <= @t AND ends_at > @t ORDER BY ends_at",
            ("m", (object?)model ?? DBNull.Value), ("t", activeAt.UtcTicks));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<Silence>();
        while (await r.ReadAsync(cancellationToken)) list.Add(JsonSerializer.Deserialize<Silence>(r.GetString(0), Json)!);
        return list;
    }

    public async Task<bool> DeleteSilenceAsync(string id, CancellationToken cancellationToken = default)
    {
        using var _ = await WriteLockAsync(cancellationToken);
        await using var c = await OpenAsync(cancellationToken);
        return await ExecAsync(c, null, "DELETE FROM silences WHERE id = @id", cancellationToken, ("id", id)) > 0;
    }

    // ---- notifications

    public async Task<IReadOnlyList<PendingNotification>> DueNotificationsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, """
            SELECT id, alert_id, kind, channel, attempts, created_at FROM notifications WHERE done = 0 AND next_attempt_at <= @n ORDER BY id LIMIT @l
            """, ("n", now.UtcTicks), ("l", limit));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<PendingNotification>();
        while (await r.ReadAsync(cancellationToken))
            list.Add(new(r.GetInt64(0), r.GetString(1), Enum.Parse<NotificationKind>(r.GetString(2)), r.GetString(3), Convert.ToInt32(r.GetValue(4)), Ticks(r.GetInt64(5))));
        return list;
    }

    public async Task RecordDeliveryAttemptAsync(DeliveryAttempt attempt, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken = default)
    {
        using var _ = await WriteLockAsync(cancellationToken);
        await using var c = await OpenAsync(cancellationToken);
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        await ExecAsync(c, tx, """
            INSERT INTO delivery_attempts (notification_id, alert_id, channel, at, success, status_code, error) VALUES (@n, @a, @ch, @at, @s, @sc, @e)
            """, cancellationToken, ("n", attempt.NotificationId), ("a", attempt.AlertId), ("ch", attempt.Channel), ("at", attempt.At.UtcTicks),
            ("s", attempt.Success ? 1 : 0), ("sc", (object?)attempt.StatusCode ?? DBNull.Value), ("e", (object?)attempt.Error ?? DBNull.Value));
        await ExecAsync(c, tx, "UPDATE notifications SET attempts = attempts + 1, done = @d, next_attempt_at = @na WHERE id = @n", cancellationToken,
            ("d", nextAttemptAt is null ? 1 : 0), ("na", (nextAttemptAt ?? attempt.At).UtcTicks), ("n", attempt.NotificationId));
        await tx.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<DeliveryAttempt>> ListDeliveryAttemptsAsync(string? alertId, int limit, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, """
            SELECT notification_id, alert_id, channel, at, success, status_code, error FROM delivery_attempts
            WHERE (@a IS NULL OR alert_id = @a) ORDER BY id LIMIT @l
            """, ("a", (object?)alertId ?? DBNull.Value), ("l", limit));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<DeliveryAttempt>();
        while (await r.ReadAsync(cancellationToken))
            list.Add(new(r.GetInt64(0), r.GetString(1), r.GetString(2), Ticks(r.GetInt64(3)), Convert.ToInt32(r.GetValue(4)) != 0,
                r.IsDBNull(5) ? null : Convert.ToInt32(r.GetValue(5)), r.IsDBNull(6) ? null : r.GetString(6)));
        return list;
    }

    // ---- jobs

    public async Task RecordJobRunAsync(JobRun run, CancellationToken cancellationToken = default)
    {
        using var _ = await WriteLockAsync(cancellationToken);
        await using var c = await OpenAsync(cancellationToken);
        await ExecAsync(c, null, "INSERT INTO job_runs (job, model, started_at, finished_at, status, error, scheduled_at, instance, detail) VALUES (@j, @m, @s, @f, @st, @e, @sa, @in, @d)",
            cancellationToken, ("j", run.Job), ("m", (object?)run.Model ?? DBNull.Value), ("s", run.StartedAt.UtcTicks), ("f", run.FinishedAt.UtcTicks), ("st", run.Status),
            ("e", (object?)run.Error ?? DBNull.Value), ("sa", run.ScheduledAt is { } sa ? sa.UtcTicks : DBNull.Value), ("in", (object?)run.Instance ?? DBNull.Value),
            ("d", (object?)run.Detail ?? DBNull.Value));
    }

    public async Task<IReadOnlyList<JobRun>> ListJobRunsAsync(string? model, int limit, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT job, model, started_at, finished_at, status, error, scheduled_at, instance, detail FROM job_runs WHERE (@m IS NULL OR model = @m) ORDER BY id DESC LIMIT @l",
            ("m", (object?)model ?? DBNull.Value), ("l", limit));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<JobRun>();
        while (await r.ReadAsync(cancellationToken))
            list.Add(new(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), Ticks(r.GetInt64(2)), Ticks(r.GetInt64(3)), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5))
            {
                ScheduledAt = r.IsDBNull(6) ? null : Ticks(r.GetInt64(6)),
                Instance = r.IsDBNull(7) ? null : r.GetString(7),
                Detail = r.IsDBNull(8) ? null : r.GetString(8),
            });
        return list;
    }

    // ---- exports

    public async Task<bool> AddExportAsync(ExportManifest export, CancellationToken cancellationToken = default)
    {
        using var _ = await WriteLockAsync(cancellationToken);
        await using var c = await OpenAsync(cancellationToken);
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        var inserted = await ExecAsync(c, tx, """
            INSERT INTO exports (model, id, created_at, window_end, json) VALUES (@m, @id, @c, @w, @j) ON CONFLICT (model, id) DO NOTHING
            """, cancellationToken, ("m", export.Model), ("id", export.Id), ("c", export.CreatedAt.UtcTicks), ("w", export.WindowEnd.UtcTicks),
            ("j", JsonSerializer.Serialize(export, Json)));
        if (inserted > 0)
        {
            await using var cmd = Command(c, tx, "INSERT INTO export_images (model, export_id, sha256) VALUES (@m, @id, @h) ON CONFLICT DO NOTHING",
                ("m", export.Model), ("id", export.Id), ("h", ""));
            foreach (var sha in export.Items.Select(i => i.Sha256).Distinct(StringComparer.Ordinal))
            {
                cmd.Parameters["h"].Value = sha;
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        await tx.CommitAsync(cancellationToken);
        return inserted > 0;
    }

    public async Task<ExportManifest?> GetExportAsync(string model, string id, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT json FROM exports WHERE model = @m AND id = @id", ("m", model), ("id", id));
        return await cmd.ExecuteScalarAsync(cancellationToken) is string json ? JsonSerializer.Deserialize<ExportManifest>(json, Json) : null;
    }

    public async Task<IReadOnlyList<ExportManifest>> ListExportsAsync(string model, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT json FROM exports WHERE model = @m ORDER BY created_at DESC, id", ("m", model));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<ExportManifest>();
        while (await r.ReadAsync(cancellationToken)) list.Add(JsonSerializer.Deserialize<ExportManifest>(r.GetString(0), Json)!);
        return list;
    }

    public async Task<bool> DeleteExportAsync(string model, string id, CancellationToken cancellationToken = default)
    {
        using var _ = await WriteLockAsync(cancellationToken);
        await using var c = await OpenAsync(cancellationToken);
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        var n = await ExecAsync(c, tx, "DELETE FROM exports WHERE model = @m AND id = @id", cancellationToken, ("m", model), ("id", id));
        await ExecAsync(c, tx, "DELETE FROM export_images WHERE model = @m AND export_id = @id", cancellationToken, ("m", model), ("id", id));
        await tx.CommitAsync(cancellationToken);
        return n > 0;
    }

    public async Task<IReadOnlySet<string>> ListExportedImagesAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT DISTINCT sha256 FROM export_images");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (await r.ReadAsync(cancellationToken)) set.Add(r.GetString(0));
        return set;
    }

    // ---- helpers

    protected static DateTimeOffset Ticks(long ticks) => new(ticks, TimeSpan.Zero);

    protected virtual DbCommand Command(DbConnection c, DbTransaction? tx, string sql, params (string Name, object Value)[] args)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            ConfigureParameter(p, value);
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    /// <summary>Gives typeless values (DBNull) a type where the driver needs one.</summary>
    protected virtual void ConfigureParameter(DbParameter parameter, object value) { }

    protected async Task<int> ExecAsync(DbConnection c, DbTransaction? tx, string sql, CancellationToken ct, params (string, object)[] args)
    {
        await using var cmd = Command(c, tx, sql, args);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private sealed class NoLock : IDisposable
    {
        public static readonly NoLock Instance = new();
        public void Dispose() { }
    }
}
