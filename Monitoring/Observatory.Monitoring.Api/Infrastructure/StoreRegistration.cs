using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Storage;

namespace Observatory.Monitoring.Api.Infrastructure;

public static class StoreRegistration
{
    /// <summary>Chooses the store once, from Monitoring:Store; an unknown value fails start-up listing the valid ones.</summary>
    public static IServiceCollection AddMonitoringStore(this IServiceCollection services, IConfiguration configuration)
    {
        var kind = (configuration["Monitoring:Store"] ?? "sqlite").Trim().ToLowerInvariant();
        var cs = configuration.GetConnectionString("Monitoring");
        IMonitoringStore store = kind switch
        {
            "sqlite" => new SqliteMonitoringStore(cs is { Length: > 0 } ? cs : "Data Source=monitoring.db"),
            "postgres" or "postgresql" => new PostgresMonitoringStore(cs is { Length: > 0 } ? cs
                : throw new InvalidOperationException("Monitoring:Store is 'postgres' but ConnectionStrings:Monitoring is empty")),
            _ => throw new InvalidOperationException($"Monitoring:Store '{kind}' is not supported; valid values: sqlite, postgres"),
        };
        services.AddSingleton(store);
        return services;
    }
}
