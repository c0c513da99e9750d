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

    protected override async Task<IMonitoringStore> CreateStoreAsync() => _store = new PostgresMonitoringStore(await PostgresDatabases.CreateAsync(pg));

    public override async Task DisposeAsync()
    {
        if (_store is not null) await _store.DisposeAsync();
    }
}
