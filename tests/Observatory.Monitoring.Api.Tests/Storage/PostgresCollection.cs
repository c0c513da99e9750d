using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests.Storage;

/// <summary>The API tests that run on PostgreSQL share one throwaway cluster (the store's own contract suite has its own).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres";
}
