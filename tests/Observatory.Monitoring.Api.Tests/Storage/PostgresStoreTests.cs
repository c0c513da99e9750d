using Npgsql;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Storage;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests.Storage;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres";
}

/// <summary>A fresh database on the shared throwaway cluster.</summary>
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

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(PostgresServerFixture pg) : StoreContractTests
{
    private PostgresMonitoringStore? _store;

    protected override async Task<IMonitoringStore> CreateStoreAsync() => _store = new PostgresMonitoringStore(await PostgresDatabases.CreateAsync(pg));

    public override async Task DisposeAsync()
    {
        if (_store is not null) await _store.DisposeAsync();
    }
}
