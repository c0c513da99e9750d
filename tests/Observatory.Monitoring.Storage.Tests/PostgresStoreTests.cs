using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Storage;
using Observatory.Testing;

namespace Observatory.Monitoring.Storage.Tests;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres";
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(PostgresServerFixture pg) : StoreContractTests
{
    private PostgresMonitoringStore? _store;
    private string _connectionString = "";

    protected override async Task<IMonitoringStore> CreateStoreAsync() => _store = new PostgresMonitoringStore(_connectionString = await PostgresDatabases.CreateAsync(pg));

    protected override async Task<System.Data.Common.DbConnection> OpenRawAsync()
    {
        var c = new Npgsql.NpgsqlConnection(_connectionString);
        await c.OpenAsync();
        return c;
    }

    public override async Task DisposeAsync()
    {
        if (_store is not null) await _store.DisposeAsync();
    }
}
