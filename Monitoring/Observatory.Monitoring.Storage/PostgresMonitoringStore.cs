using System.Collections.Concurrent;
using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using Observatory.Monitoring.Core.Events;

namespace Observatory.Monitoring.Storage;

/// <summary>PostgreSQL store: same schema and SQL; batches of events go in one round trip per chunk (NpgsqlBatch).</summary>
public sealed class PostgresMonitoringStore : AdoMonitoringStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    // Serialises the partition changes of every instance sharing the database (creating a day's partition, dropping old ones).
    private const string PartitionLockSql = "SELECT pg_advisory_xact_lock(7240012)";

    /// <summary>Bytes a row may take before PostgreSQL compresses it or moves it out of line; the largest it accepts.</summary>
    public const int PartitionToastTarget = 8160;

    /// <summary>Days known to have a partition: a batch of known days costs no catalog read. A stale entry (a day another instance
    /// dropped) is harmless: that day is past retention and its rows go to DEFAULT.</summary>
    private readonly ConcurrentDictionary<long, byte> _days = new();

    public PostgresMonitoringStore(string connectionString, TimeProvider? time = null) : base(SqlDialect.Postgres, time) =>
        _dataSource = NpgsqlDataSource.Create(connectionString);

    /// <summary>
    /// Monitoring:EventRetentionDays: a day older gets no partition (retention would drop it at once), its rows go to DEFAULT.
    /// Null keeps events for good: every day gets one.
    /// </summary>
    public TimeSpan? EventRetention { get; init; }

    protected override string? MigrationLockSql => "SELECT pg_advisory_xact_lock(7240011)";

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) => await _dataSource.OpenConnectionAsync(cancellationToken);

    protected override void ConfigureParameter(DbParameter parameter, object value)
    {
        // Untyped NULLs in "@p IS NULL" comparisons need a type on PostgreSQL.
        if (value is DBNull && parameter is NpgsqlParameter np)
            np.NpgsqlDbType = np.ParameterName switch { "e" => NpgsqlDbType.Bytea, "v" => NpgsqlDbType.Double, "sc" => NpgsqlDbType.Integer, "sa" => NpgsqlDbType.Bigint, _ => NpgsqlDbType.Text };
    }

    /// <summary>
    /// A batch goes in by binary COPY into a per-connection staging table, then one INSERT … SELECT with the same
    /// ON CONFLICT (model, id) DO NOTHING as every store: COPY alone cannot skip a known id, and row-by-row inserts spend the
    /// time in per-statement round trips and parsing.
    /// </summary>
    protected override async Task<int> InsertEventRowsAsync(DbConnection c, DbTransaction tx, string model, IReadOnlyList<InferenceEvent> events, long ingestedAt, CancellationToken cancellationToken)
    {
        var conn = (NpgsqlConnection)c;
        await EnsurePartitionsAsync(events, cancellationToken);
        // The stage keeps whole rows too: a toasted stage would compress each embedding on COPY and expand it again for the INSERT.
        await using (var create = new NpgsqlCommand($"""
            CREATE TEMP TABLE IF NOT EXISTS events_stage WITH (toast_tuple_target = {PartitionToastTarget}) ON COMMIT DELETE ROWS AS
              SELECT {StageColumns} FROM events WITH NO DATA
            """, conn, (NpgsqlTransaction)tx))
            await create.ExecuteNonQueryAsync(cancellationToken);
        // Within a batch the first occurrence of an id wins (as row by row); chosen here, so the INSERT below needs no sort.
        var seen = new HashSet<string>(events.Count, StringComparer.Ordinal);
        await using (var copy = await conn.BeginBinaryImportAsync($"COPY events_stage ({StageColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var e in events)
            {
                if (!seen.Add(e.Id)) continue;
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(model, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(e.Id, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(e.Timestamp.UtcTicks, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(e.PredictedClass, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(e.Confidence, NpgsqlDbType.Double, cancellationToken);
                await WriteOrNullAsync(copy, e.Embedding is null ? null : EmbeddingBytes(e.Embedding), NpgsqlDbType.Bytea, cancellationToken);
                await WriteOrNullAsync(copy, e.TrueClass, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(ingestedAt, NpgsqlDbType.Bigint, cancellationToken);
                await WriteOrNullAsync(copy, e.ImageFeatures is null ? null : System.Runtime.InteropServices.MemoryMarshal.AsBytes(e.ImageFeatures.AsSpan()).ToArray(), NpgsqlDbType.Bytea, cancellationToken);
                await WriteOrNullAsync(copy, e.ImageUri, NpgsqlDbType.Text, cancellationToken);
                await WriteOrNullAsync(copy, e.ModelVersion, NpgsqlDbType.Text, cancellationToken);
                await WriteOrNullAsync(copy, e.ImageSha256, NpgsqlDbType.Text, cancellationToken);
                await WriteOrNullAsync(copy, BoxesJson(e.Boxes) as string, NpgsqlDbType.Text, cancellationToken);
                if (e.LatencyMs is { } latency) await copy.WriteAsync(latency, NpgsqlDbType.Double, cancellationToken);
                else await copy.WriteNullAsync(cancellationToken);
                await WriteOrNullAsync(copy, e.Error, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(SampleKey.Of(e.Id), NpgsqlDbType.Bigint, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        await using var insert = new NpgsqlCommand($"""
            INSERT INTO events ({StageColumns})
            SELECT {StageColumns} FROM events_stage
            ON CONFLICT (model, id, ts) DO NOTHING
            """, conn, (NpgsqlTransaction)tx);
        var inserted = await insert.ExecuteNonQueryAsync(cancellationToken);
        // ON COMMIT DELETE ROWS empties the stage when the caller commits; emptied here too, so a second batch in the same
        // transaction starts clean.
        await using (var clear = new NpgsqlCommand("DELETE FROM events_stage", conn, (NpgsqlTransaction)tx))
            await clear.ExecuteNonQueryAsync(cancellationToken);
        return inserted;
    }

    /// <summary>
    /// Gives the days of a batch their partition before its rows arrive, in a transaction of its own committed before the batch's
    /// (so the DDL never waits on the batch's own locks). Days past event retention, or more than a day ahead of the clock (a
    /// client's wrong clock must not create partitions at will), get none: their rows land in DEFAULT.
    /// </summary>
    private async Task EnsurePartitionsAsync(IReadOnlyList<InferenceEvent> events, CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var newest = PartitionDays.DayOf(now.UtcTicks) + 1;
        var oldest = EventRetention is { } retention ? PartitionDays.DayOf((now - retention).UtcTicks) : long.MinValue;
        List<long>? missing = null;
        var last = long.MinValue;
        foreach (var e in events)
        {
            var day = PartitionDays.DayOf(e.Timestamp.UtcTicks);
            if (day == last) continue;
            last = day;
            if (day > newest || day < oldest || _days.ContainsKey(day) || missing?.Contains(day) == true) continue;
            (missing ??= []).Add(day);
        }
        if (missing is null) return;

        await using var c = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        await ExecAsync(c, tx, PartitionLockSql, cancellationToken);
        var existing = await ListPartitionDaysAsync(c, tx, cancellationToken);
        foreach (var day in missing.Where(d => !existing.Contains(d)))
        {
            var (name, lo, hi) = (PartitionDays.Name(day), day * PartitionDays.TicksPerDay, (day + 1) * PartitionDays.TicksPerDay);
            // A partition cannot be added over rows DEFAULT holds in its range (rows that came while the day had none, or a
            // reference period retention kept): they move into the new table first, and ATTACH finds DEFAULT clear of the range.
            // toast_tuple_target: rows up to 8,160 bytes (a 512-d embedding is ~2.2 KB) stay whole in their page (migration 12).
            await ExecAsync(c, tx, $"CREATE TABLE {name} (LIKE events INCLUDING DEFAULTS) WITH (toast_tuple_target = {PartitionToastTarget})", cancellationToken);
            await ExecAsync(c, tx, $"WITH moved AS (DELETE FROM events_default WHERE ts >= {lo} AND ts < {hi} RETURNING *) INSERT INTO {name} SELECT * FROM moved", cancellationToken);
            await ExecAsync(c, tx, $"ALTER TABLE events ATTACH PARTITION {name} FOR VALUES FROM ({lo}) TO ({hi})", cancellationToken);
            existing.Add(day);
        }
        await tx.CommitAsync(cancellationToken);
        foreach (var day in existing) _days.TryAdd(day, 0);
    }

    private async Task<HashSet<long>> ListPartitionDaysAsync(DbConnection c, DbTransaction tx, CancellationToken cancellationToken)
    {
        await using var cmd = Command(c, tx, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var days = new HashSet<long>();
        while (await r.ReadAsync(cancellationToken))
            if (PartitionDays.DayOfName(r.GetString(0)) is { } day) days.Add(day);
        return days;
    }

    /// <summary>
    /// Drops the day partitions older than the cutoff's day: a DROP, not a DELETE of each row. Each is detached first, so no
    /// partition covers its range any more and the rows kept (reference periods, exported images' events) go back in through the
    /// parent into DEFAULT; DEFAULT's own rows past the cutoff are deleted (few: only days that had no partition). One transaction
    /// per day: DETACH locks the whole table, ingestion included, for as long as that day's count and kept rows take.
    /// </summary>
    public override async Task<long> PruneEventsAsync(DateTimeOffset before, IReadOnlyDictionary<string, DateTimeOffset> keepBefore, CancellationToken cancellationToken = default)
    {
        var cutoffDay = PartitionDays.DayOf(before.UtcTicks);
        var (kept, args) = KeptEvents("e", keepBefore);
        await using var c = await _dataSource.OpenConnectionAsync(cancellationToken);
        long deleted = 0;
        while (true)
        {
            await using var tx = await c.BeginTransactionAsync(cancellationToken);
            await ExecAsync(c, tx, PartitionLockSql, cancellationToken);
            var oldest = (await ListPartitionDaysAsync(c, tx, cancellationToken)).Where(d => d < cutoffDay).Order().Cast<long?>().FirstOrDefault();
            if (oldest is not { } day)
            {
                deleted += await ExecAsync(c, tx, $"DELETE FROM events_default e WHERE e.ts < @b AND NOT ({kept})", cancellationToken,
                    [("b", cutoffDay * PartitionDays.TicksPerDay), .. args]);
                await tx.CommitAsync(cancellationToken);
                return deleted;
            }
            var name = PartitionDays.Name(day);
            await ExecAsync(c, tx, $"ALTER TABLE events DETACH PARTITION {name}", cancellationToken);
            await using (var count = Command(c, tx, $"SELECT COUNT(*) FROM {name}"))
                deleted += Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken));
            deleted -= await ExecAsync(c, tx, $"INSERT INTO events SELECT * FROM {name} e WHERE {kept}", cancellationToken, args);
            await ExecAsync(c, tx, $"DROP TABLE {name}", cancellationToken);
            await tx.CommitAsync(cancellationToken);
            _days.TryRemove(day, out _);
        }
    }

    /// <summary>
    /// One statement for the whole batch. A label carries no timestamp, so on the partitioned table each id is looked up in the
    /// key index of every day partition; applied one UPDATE at a time, every label also paid a round trip. As one at a time
    /// did: the last label given for an id wins, an id stored twice (resent with another timestamp) is labelled in both rows,
    /// and each label whose id is stored counts as updated.
    /// </summary>
    public override async Task<FeedbackResult> ApplyFeedbackAsync(string model, IReadOnlyList<Feedback> feedback, CancellationToken cancellationToken = default)
    {
        var last = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in feedback) last[f.Id] = f.TrueClass;
        var found = new HashSet<string>(StringComparer.Ordinal);
        await using var c = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand(
            "UPDATE events e SET true_class = f.t FROM unnest(@ids, @classes) AS f(id, t) WHERE e.model = @m AND e.id = f.id RETURNING e.id", c);
        cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = last.Keys.ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("classes", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = last.Values.ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("m", NpgsqlDbType.Text) { Value = model });
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken)) found.Add(reader.GetString(0));
        return new(feedback.Count(f => found.Contains(f.Id)), feedback.Where(f => !found.Contains(f.Id)).Select(f => f.Id).ToList());
    }

    private const string StageColumns =
        "model, id, ts, predicted_class, confidence, embedding, true_class, ingested_at, image_stats, image_uri, model_version, image_sha256, boxes, latency_ms, error, sample_key";

    private static Task WriteOrNullAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct) where T : class =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, type, ct);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
