using Microsoft.Data.Sqlite;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Ports;

namespace Observatory.DataService.Storage;

/// <summary>The stat cache in SQLite (<c>.obs/state.db</c>). WAL mode so readers do not block; one transaction per batch.</summary>
public sealed class SqliteStatCache : IStatCache
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    public SqliteStatCache(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=NORMAL;
            PRAGMA busy_timeout=10000;
            CREATE TABLE IF NOT EXISTS stat (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime INTEGER NOT NULL, inode INTEGER NOT NULL, sha256 TEXT NOT NULL) WITHOUT ROWID;
            """;
        cmd.ExecuteNonQuery();
    }

    public IReadOnlyDictionary<string, StatEntry> LoadPrefix(string prefix)
    {
        lock (_gate)
        {
            var result = new Dictionary<string, StatEntry>(StringComparer.Ordinal);
            using var cmd = _connection.CreateCommand();
            // Range scan on the primary key: [prefix, prefix + U+FFFF).
            cmd.CommandText = "SELECT path, size, mtime, inode, sha256 FROM stat WHERE path >= $lo AND path < $hi";
            cmd.Parameters.AddWithValue("$lo", prefix);
            cmd.Parameters.AddWithValue("$hi", prefix + "\uffff");
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                if (!ContentHash.TryParse(reader.GetString(4), out var hash)) continue;
                var path = reader.GetString(0);
                result[path] = new StatEntry(path, new FileStamp(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)), hash);
            }
            return result;
        }
    }

    public void Upsert(IReadOnlyCollection<StatEntry> entries)
    {
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            using var cmd = _connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT OR REPLACE INTO stat (path, size, mtime, inode, sha256) VALUES ($p, $s, $m, $i, $h)";
            var p = cmd.Parameters.Add("$p", SqliteType.Text);
            var s = cmd.Parameters.Add("$s", SqliteType.Integer);
            var m = cmd.Parameters.Add("$m", SqliteType.Integer);
            var i = cmd.Parameters.Add("$i", SqliteType.Integer);
            var h = cmd.Parameters.Add("$h", SqliteType.Text);
            cmd.Prepare();
            foreach (var e in entries)
            {
                p.Value = e.Path; s.Value = e.Stamp.Size; m.Value = e.Stamp.MtimeTicks; i.Value = e.Stamp.Inode; h.Value = e.Hash.Hex;
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }

    public void Dispose() => _connection.Dispose();
}
