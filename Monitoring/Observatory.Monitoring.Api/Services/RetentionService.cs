using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Services;

/// <summary>
/// Prunes raw embeddings beyond the retention period; events (classes, confidences, labels) and results stay. A model whose
/// reference is its own first events (<c>referenceUntil</c>) keeps them whatever their age: without them drift has nothing to
/// compare against and would stop without a word.
/// </summary>
public sealed class RetentionService(IMonitoringStore store, IOptions<MonitoringOptions> options, [FromKeyedServices(MonitoringHost.ClockKey)] TimeProvider time)
{
    public async Task<int> PruneAsync(CancellationToken ct)
    {
        var references = (await store.ListModelsAsync(ct))
            .Where(m => m.ReferenceUntil is not null)
            .ToDictionary(m => m.Name, m => m.ReferenceUntil!.Value, StringComparer.Ordinal);
        var before = time.GetUtcNow() - TimeSpan.FromDays(options.Value.RetentionDays);
        var pruned = await store.PruneEmbeddingsAsync(before, references, ct);
        await store.PruneHistoryAsync(before, ct);
        return pruned;
    }
}
