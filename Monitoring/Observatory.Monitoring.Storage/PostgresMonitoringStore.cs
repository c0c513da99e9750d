using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using Observatory.Monitoring.Core.Events;

namespace Observatory.Monitoring.Storage;

/// <summary>PostgreSQL store: same schema and SQL; batches of events go in one round trip per chunk (NpgsqlBatch).</summary>
public sealed class PostgresMonitoringStore : AdoMonitoringStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresMonitoringStore(string connectionString, TimeProvider? time = null) : base(SqlDialect.Postgres, time) =>
        _dataSource = NpgsqlDataSource.Create(connectionString);

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
    /// time in per-statement round trips and parsing. Within a batch the first occurrence of an id wins, as it does row by row.
    /// </summary>
    protected override async Task<int> InsertEventRowsAsync(DbConnection c, DbTransaction tx, string model, IReadOnlyList<InferenceEvent> events, long ingestedAt, CancellationToken cancellationToken)
    {
        var conn = (NpgsqlConnection)c;
        await using (var create = new NpgsqlCommand($"""
            CREATE TEMP TABLE IF NOT EXISTS events_stage ON COMMIT DELETE ROWS AS
              SELECT {StageColumns}, 0 AS ord FROM events WITH NO DATA
            """, conn, (NpgsqlTransaction)tx))
            await create.ExecuteNonQueryAsync(cancellationToken);
        await using (var copy = await conn.BeginBinaryImportAsync($"COPY events_stage ({StageColumns}, ord) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            var ord = 0;
            foreach (var e in events)
            {
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
                await copy.WriteAsync(ord++, NpgsqlDbType.Integer, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        await using var insert = new NpgsqlCommand($"""
            INSERT INTO events ({StageColumns})
            SELECT {StageColumns} FROM (SELECT DISTINCT ON (id) * FROM events_stage ORDER BY id, ord) first_of_each
            ON CONFLICT (model, id) DO NOTHING
            """, conn, (NpgsqlTransaction)tx);
        var inserted = await insert.ExecuteNonQueryAsync(cancellationToken);
        // ON COMMIT DELETE ROWS empties the stage when the caller commits; emptied here too, so a second batch in the same
        // transaction starts clean.
        await using (var clear = new NpgsqlCommand("DELETE FROM events_stage", conn, (NpgsqlTransaction)tx))
            await clear.ExecuteNonQueryAsync(cancellationToken);
        return inserted;
    }

    private const string StageColumns =
        "model, id, ts, predicted_class, confidence, embedding, true_class, ingested_at, image_stats, image_uri, model_version, image_sha256, boxes, latency_ms, error, sample_key";

    private static Task WriteOrNullAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct) where T : class =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, type, ct);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
