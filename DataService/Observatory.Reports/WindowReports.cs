using Observatory.Monitoring.Contracts;

namespace Observatory.Reports;

/// <summary>What a window report reads from the monitoring service; the CLI and the dashboard each adapt their own client to it.</summary>
public interface IWindowReportSource
{
    /// <summary>The stored drift result of the window ending at <paramref name="windowEnd"/>; null when there is none.</summary>
    Task<DriftWindowResult?> WindowAsync(string model, DateTimeOffset windowEnd, CancellationToken ct);

    /// <summary>The model as registered (for its class names); null when unknown.</summary>
    Task<MonitoredModel?> ModelAsync(string model, CancellationToken ct);

    /// <summary>The window's outliers and typical reference items; null when the service has none for it.</summary>
    Task<DriftOutliers?> OutliersAsync(string model, DateTimeOffset windowEnd, int count, CancellationToken ct);

    /// <summary>An image the service keeps, by content hash; null when it has none.</summary>
    Task<byte[]?> ImageAsync(string model, string sha256, CancellationToken ct);
}

/// <summary>Gathers a <see cref="DriftReportInput"/> for one stored drift window of a model.</summary>
public static class WindowReports
{
    /// <summary>Outliers (and as many typical reference items) shown with their images.</summary>
    public const int OutlierCount = 8;

    /// <exception cref="KeyNotFoundException">The service has no drift result for that window.</exception>
    public static async Task<DriftReportInput> BuildAsync(IWindowReportSource source, string model, DateTimeOffset windowEnd, TimeProvider time,
        Action<string>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(time);
        progress?.Invoke($"reading the drift result of {model}'s window ending {Format(windowEnd)}");
        var window = await source.WindowAsync(model, windowEnd, ct)
            ?? throw new KeyNotFoundException($"model '{model}' has no drift result for the window ending {Format(windowEnd)}");
        var registered = await source.ModelAsync(model, ct);
        progress?.Invoke("reading the window's outliers");
        var outliers = await source.OutliersAsync(model, window.WindowEnd, OutlierCount, ct);
        var notes = new List<string>();
        if (outliers?.Note is { Length: > 0 } note) notes.Add(note);
        var rows = new List<ReportOutlier>();
        foreach (var o in outliers?.Outliers ?? [])
            rows.Add(new ReportOutlier(o.Id, o.Distance, $"{o.PredictedClass} ({o.Confidence:0.##})", await ImageAsync(source, model, o.ImageSha256, o.Id, ct)));
        var typical = new List<ReportOutlier>();
        foreach (var t in outliers?.Typical ?? [])
            typical.Add(new ReportOutlier(t.Path ?? t.Id ?? "reference item", t.Distance, t.PredictedClass,
                // A dataset reference's files are the registry's, not the service's: only a period's images can be read here.
                t.Path is null ? await ImageAsync(source, model, t.Sha256, t.Id ?? "", ct) : null));
        return new DriftReportInput($"Drift report: {model}", $"window {Format(window.WindowStart)} → {Format(window.WindowEnd)}", window.Details, time.GetUtcNow())
        {
            StoredFlag = window.Flagged,
            Outliers = rows,
            Typical = typical,
            ClassNames = registered?.Classes,
            Notes = notes,
        };
    }

    private static async Task<ReportImage?> ImageAsync(IWindowReportSource source, string model, string? sha256, string name, CancellationToken ct)
    {
        if (sha256 is null) return null;
        var bytes = await source.ImageAsync(model, sha256, ct);
        return bytes is null || bytes.Length > ReportImage.MaxBytes || ReportImage.Sniff(bytes) is null ? null : new ReportImage(name, bytes);
    }

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}
