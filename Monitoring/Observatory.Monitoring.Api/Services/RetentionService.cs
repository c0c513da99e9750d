using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Services;

/// <summary>Prunes raw embeddings beyond the retention period; events (classes, confidences, labels) and results stay.</summary>
public sealed class RetentionService(IMonitoringStore store, IOptions<MonitoringOptions> options, [FromKeyedServices(MonitoringHost.ClockKey)] TimeProvider time)
{
    public Task<int> PruneAsync(CancellationToken ct) =>
        store.PruneEmbeddingsAsync(time.GetUtcNow() - TimeSpan.FromDays(options.Value.RetentionDays), ct);
}
