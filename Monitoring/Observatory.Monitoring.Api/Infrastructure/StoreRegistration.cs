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
        // Days past event retention get no partition of their own (validated with the other options at start-up).
        var eventRetentionDays = configuration.GetValue<int>("Monitoring:EventRetentionDays");
        // Checked now, so a bad value fails start-up; built when first resolved, with the host's clock.
        Func<TimeProvider, IMonitoringStore> create = kind switch
        {
            "sqlite" => time => new SqliteMonitoringStore(cs is { Length: > 0 } ? cs : "Data Source=monitoring.db", time),
            "postgres" or "postgresql" => cs is { Length: > 0 }
                ? time => new PostgresMonitoringStore(cs, time) { EventRetention = eventRetentionDays > 0 ? TimeSpan.FromDays(eventRetentionDays) : null }
                : throw new InvalidOperationException("Monitoring:Store is 'postgres' but ConnectionStrings:Monitoring is empty"),
            _ => throw new InvalidOperationException($"Monitoring:Store '{kind}' is not supported; valid values: sqlite, postgres"),
        };
        services.AddSingleton(sp => create(sp.GetRequiredKeyedService<TimeProvider>(MonitoringHost.ClockKey)));
        return services;
    }
}
