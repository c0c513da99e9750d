using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Services;

/// <summary>Kept images an open export names: its manifest promises them to `obs import-window` until the export is closed.</summary>
public sealed class ExportImageHolds(IMonitoringStore store) : IImageHolds
{
    public string Name => "open exports";

    public async Task<IReadOnlySet<string>> HeldAsync(IReadOnlyList<MonitoredModel> models, IReadOnlySet<string> candidates, CancellationToken cancellationToken)
    {
        var exported = await store.ListExportedImagesAsync(cancellationToken);
        return candidates.Where(exported.Contains).ToHashSet(StringComparer.Ordinal);
    }
}
