using Observatory.Monitoring.Contracts;
using Observatory.Reports;

namespace Observatory.Dashboard.Services;

/// <summary>The window report's reads through the dashboard's own client (its key stays server-side; the images end up inline in the file).</summary>
internal sealed class WindowReportSource(MonitoringClient monitoring) : IWindowReportSource
{
    public Task<DriftWindowResult?> WindowAsync(string model, DateTimeOffset windowEnd, CancellationToken ct) => monitoring.DriftWindowAsync(model, windowEnd, ct);

    public async Task<MonitoredModel?> ModelAsync(string model, CancellationToken ct)
    {
        try { return await monitoring.ModelAsync(model, ct); }
        catch (MonitoringUnavailableException ex) when (ex.StatusCode == 404) { return null; }
    }

    public async Task<DriftOutliers?> OutliersAsync(string model, DateTimeOffset windowEnd, int count, CancellationToken ct)
    {
        try { return await monitoring.OutliersAsync(model, windowEnd.UtcDateTime, count, ct); }
        catch (MonitoringUnavailableException ex) when (ex.StatusCode == 404) { return null; }
    }

    public async Task<byte[]?> ImageAsync(string model, string sha256, CancellationToken ct)
    {
        try { return (await monitoring.ImageAsync(model, sha256, ct)).Bytes; }
        catch (MonitoringUnavailableException ex) when (ex.StatusCode == 404) { return null; }
    }
}
