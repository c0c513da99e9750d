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

    protected override async Task<int> InsertEventRowsAsync(DbConnection c, DbTransaction tx, string model, IReadOnlyList<InferenceEvent> events, long ingestedAt, CancellationToken cancellationToken)
    {
        var conn = (NpgsqlConnection)c;
        var inserted = 0;
        foreach (var chunk in events.Chunk(500))
        {
            await using var batch = new NpgsqlBatch(conn, (NpgsqlTransaction)tx);
            foreach (var e in chunk)
            {
                var cmd = new NpgsqlBatchCommand(EventInsertSql.Replace("@m", "$1").Replace("@id", "$2").Replace("@ts", "$3").Replace("@p", "$4")
                    .Replace("@cf", "$5").Replace("@e", "$6").Replace("@t", "$7").Replace("@i", "$8").Replace("@s", "$9").Replace("@u", "$10").Replace("@v", "$11").Replace("@h", "$12").Replace("@b", "$13").Replace("@x", "$14").Replace("@w", "$15"));
                cmd.Parameters.Add(new NpgsqlParameter { Value = model });
                cmd.Parameters.Add(new NpgsqlParameter { Value = e.Id });
                cmd.Parameters.Add(new NpgsqlParameter { Value = e.Timestamp.UtcTicks });
                cmd.Parameters.Add(new NpgsqlParameter { Value = e.PredictedClass });
                cmd.Parameters.Add(new NpgsqlParameter { Value = e.Confidence });
                cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = e.Embedding is null ? DBNull.Value : EmbeddingBytes(e.Embedding) });
                cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)e.TrueClass ?? DBNull.Value });
                cmd.Parameters.Add(new NpgsqlParameter { Value = ingestedAt });
                cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = e.ImageFeatures is null ? DBNull.Value : System.Runtime.InteropServices.MemoryMarshal.AsBytes(e.ImageFeatures.AsSpan()).ToArray() });
                cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)e.ImageUri ?? DBNull.Value });
                cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)e.ModelVersion ?? DBNull.Value });
                cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)e.ImageSha256 ?? DBNull.Value });
                cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = BoxesJson(e.Boxes) });
                cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Double, Value = (object?)e.LatencyMs ?? DBNull.Value });
                cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)e.Error ?? DBNull.Value });
                batch.BatchCommands.Add(cmd);
            }
            await using var r = await batch.ExecuteReaderAsync(cancellationToken);
            await r.CloseAsync();
            foreach (var bc in batch.BatchCommands) inserted += bc.RecordsAffected;
        }
        return inserted;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
