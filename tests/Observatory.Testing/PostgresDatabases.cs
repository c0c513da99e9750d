using Npgsql;

namespace Observatory.Testing;

/// <summary>A fresh database on the shared throwaway cluster, so tests never see each other's rows.</summary>
public static class PostgresDatabases
{
    public static async Task<string> CreateAsync(PostgresServerFixture pg)
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..12];
        await using var c = new NpgsqlConnection(pg.ConnectionString());
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
        await cmd.ExecuteNonQueryAsync();
        return pg.ConnectionString(name);
    }
}
