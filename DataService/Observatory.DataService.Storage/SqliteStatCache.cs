using Microsoft.Data.Sqlite;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Ports;

namespace Observatory.DataService.Storage;

/// <summary>The stat cache in SQLite (<c>.obs/state.db</c>). WAL mode so readers do not block; one transaction per batch.</summary>
public sealed class SqliteStatCache : IStatCache
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();
    private readonly string _path;

    public SqliteStatCache(string path)
    {
        _path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=NORMAL;
            PRAGMA busy_timeout=10000;
            CREATE TABLE IF NOT EXISTS stat (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime INTEGER NOT NULL, inode INTEGER NOT NULL, sha256 TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS tree (path TEXT PRIMARY KEY, stamps TEXT NOT NULL, sha256 TEXT NOT NULL) WITHOUT ROWID;
            """;
        cmd.ExecuteNonQuery();
    }

    public IEnumerable<StatEntry> ReadPrefix(string prefix)
    {
        if (prefix.Length == 0 || prefix[^1] != '/') throw new ArgumentException($"'{prefix}' is not a '/'-terminated folder", nameof(prefix));
        // A connection of its own: the caller merges at its own pace, so the read must not hold the writer's lock; WAL lets it
        // read beside a write. The primary key is in BINARY (UTF-8 byte) order, which is code point order: the range
        // [prefix, prefix with its '/' raised to '0') is exactly the paths under the folder, whatever characters follow.
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA busy_timeout=10000";
            pragma.ExecuteNonQuery();
        }
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT path, size, mtime, inode, sha256 FROM stat WHERE path >= $lo AND path < $hi ORDER BY path";
        cmd.Parameters.AddWithValue("$lo", prefix);
        cmd.Parameters.AddWithValue("$hi", string.Concat(prefix.AsSpan(0, prefix.Length - 1), "0"));
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            if (!ContentHash.TryParse(reader.GetString(4), out var hash)) continue;
            yield return new StatEntry(reader.GetString(0), new FileStamp(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)), hash);
        }
    }

    public void Upsert(IEnumerable<StatEntry> entries)
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

    public ContentHash? RememberedTree(string datasetPath, ContentHash stamps)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT sha256 FROM tree WHERE path = $p AND stamps = $s";
            cmd.Parameters.AddWithValue("$p", datasetPath);
            cmd.Parameters.AddWithValue("$s", stamps.Hex);
            return cmd.ExecuteScalar() is string hex && ContentHash.TryParse(hex, out var tree) ? tree : null;
        }
    }

    public void RememberTree(string datasetPath, ContentHash stamps, ContentHash tree)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "INSERT OR REPLACE INTO tree (path, stamps, sha256) VALUES ($p, $s, $t)";
            cmd.Parameters.AddWithValue("$p", datasetPath);
            cmd.Parameters.AddWithValue("$s", stamps.Hex);
            cmd.Parameters.AddWithValue("$t", tree.Hex);
            cmd.ExecuteNonQuery();
        }
    }

    public void Dispose() => _connection.Dispose();
}
