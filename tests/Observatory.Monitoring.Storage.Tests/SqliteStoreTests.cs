using Microsoft.Data.Sqlite;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Storage;
using Observatory.Testing;

namespace Observatory.Monitoring.Storage.Tests;

public sealed class SqliteStoreTests : StoreContractTests
{
    private readonly TempDirectory _dir = new("sqlite");

    protected override Task<IMonitoringStore> CreateStoreAsync() => Task.FromResult<IMonitoringStore>(SqliteMonitoringStore.ForFile(_dir.Combine("m.db")));

    protected override async Task<System.Data.Common.DbConnection> OpenRawAsync()
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _dir.Combine("m.db") }.ToString());
        await c.OpenAsync();
        return c;
    }

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
        return Task.CompletedTask;
    }
}
