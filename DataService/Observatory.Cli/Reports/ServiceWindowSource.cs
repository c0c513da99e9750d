using System.Globalization;
using Observatory.Cli.ImportWindow;
using Observatory.Monitoring.Contracts;
using Observatory.Reports;

namespace Observatory.Cli.Reports;

/// <summary>The monitoring service's typed contract as a window report reads it, through the client `obs import-window` uses (same key rules).</summary>
internal sealed class ServiceWindowSource(MonitoringExportClient client) : IWindowReportSource
{
    public async Task<DriftWindowResult?> WindowAsync(string model, DateTimeOffset windowEnd, CancellationToken ct)
    {
        var at = Uri.EscapeDataString(windowEnd.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        var windows = await client.GetJsonAsync<List<DriftWindowResult>>($"/api/models/{Uri.EscapeDataString(model)}/drift?from={at}&to={at}", notFoundIsNull: false, ct);
        return windows?.FirstOrDefault(w => w.WindowEnd == windowEnd);
    }

    public Task<MonitoredModel?> ModelAsync(string model, CancellationToken ct) =>
        client.GetJsonAsync<MonitoredModel>($"/api/models/{Uri.EscapeDataString(model)}", notFoundIsNull: true, ct);

    public Task<DriftOutliers?> OutliersAsync(string model, DateTimeOffset windowEnd, int count, CancellationToken ct) =>
        client.GetJsonAsync<DriftOutliers>($"/api/models/{Uri.EscapeDataString(model)}/drift/outliers?count={count}&windowEnd="
            + Uri.EscapeDataString(windowEnd.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)), notFoundIsNull: true, ct);

    public Task<byte[]?> ImageAsync(string model, string sha256, CancellationToken ct) =>
        client.GetBytesAsync($"/api/models/{Uri.EscapeDataString(model)}/images/{Uri.EscapeDataString(sha256)}", ReportImage.MaxBytes, ct);
}
