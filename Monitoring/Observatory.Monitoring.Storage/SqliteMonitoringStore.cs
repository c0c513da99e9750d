using System.Data.Common;
using Microsoft.Data.Sqlite;
using Observatory.Monitoring.Core.Events;

namespace Observatory.Monitoring.Storage;

/// <summary>The embedded default: one SQLite file in WAL mode; writers are serialised in-process (SQLite has one writer).</summary>
public sealed class SqliteMonitoringStore : AdoMonitoringStore
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writer = new(1, 1);

    public SqliteMonitoringStore(string connectionString, TimeProvider? time = null) : base(SqlDialect.Sqlite, time)
    {
        var b = new SqliteConnectionStringBuilder(connectionString) { Pooling = true, DefaultTimeout = 60 };
        if (b.DataSource is { Length: > 0 } path && !path.StartsWith(':') && Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir)
            Directory.CreateDirectory(dir);
        _connectionString = b.ToString();
    }

    public static SqliteMonitoringStore ForFile(string path) => new(new SqliteConnectionStringBuilder { DataSource = path }.ToString());

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var c = new SqliteConnection(_connectionString);
        await c.OpenAsync(cancellationToken);
        // Migration 10 fills the sampling keys of rows stored before them with the value inserts compute.
        c.CreateFunction("obs_sample_key", (string id) => SampleKey.Of(id), isDeterministic: true);
        await using var cmd = c.CreateCommand();
        // WAL lets readers run beside the writer; NORMAL sync is durable across process crashes (not power loss) in WAL mode.
        cmd.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=60000;";
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return c;
    }

    /// <summary>In batches, each its own transaction: ingestion waits for one batch at a time, not for the whole run.</summary>
    public override async Task<long> PruneEventsAsync(DateTimeOffset before, IReadOnlyDictionary<string, DateTimeOffset> keepBefore, CancellationToken cancellationToken = default)
    {
        const int batch = 10_000;
        var (kept, args) = KeptEvents("e", keepBefore);
        var cutoff = before.UtcTicks - before.UtcTicks % TimeSpan.TicksPerDay;
        long deleted = 0;
        while (true)
        {
            int n;
            using (await WriteLockAsync(cancellationToken))
            await using (var c = await OpenAsync(cancellationToken))
                n = await ExecAsync(c, null, $"DELETE FROM events WHERE rowid IN (SELECT e.rowid FROM events e WHERE e.ts < @b AND NOT ({kept}) LIMIT {batch})",
                    cancellationToken, [("b", cutoff), .. args]);
            deleted += n;
            if (n < batch) return deleted;
        }
    }

    protected override async ValueTask<IDisposable> WriteLockAsync(CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        return new Releaser(_writer);
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }
}
