using Observatory.Monitoring.Contracts;

namespace Observatory.Dashboard.Services;

public enum Health { Ok, Drifting, Degraded }

/// <summary>A monitored model with its health, open alerts and latest results: one row of the Overview and Models pages.</summary>
public sealed record ModelStatus(MonitoredModel Model, Health Health, int OpenAlerts, DriftWindow? LatestDrift, AccuracyPoint? LatestAccuracy)
{
    /// <summary>
    /// Degraded: the service found the latest accuracy (measured, else estimated) below the baseline − tolerance, or an open critical
    /// alert. Drifting: the latest drift window was flagged, or another alert is open. Ok otherwise. Every verdict is the service's.
    /// </summary>
    public static Health Of(IReadOnlyList<Alert> openAlerts, DriftWindow? latestDrift, AccuracyPoint? latestAccuracy)
    {
        if (openAlerts.Any(a => a.Severity == AlertSeverity.Critical)) return Health.Degraded;
        if (latestAccuracy?.BelowBaseline == true) return Health.Degraded;
        if (latestDrift?.Flagged == true || openAlerts.Count > 0) return Health.Drifting;
        return Health.Ok;
    }
}

public static class MonitoringClientStatus
{
    /// <summary>Every model with its health; alerts are read once, results per model (the latest window only).</summary>
    public static async Task<IReadOnlyList<ModelStatus>> StatusAsync(this MonitoringClient client, CancellationToken ct)
    {
        var models = await client.ModelsAsync(ct);
        var open = (await client.AlertsAsync(null, null, ct)).Where(a => a.State != AlertState.Resolved).ToList();
        var rows = new List<ModelStatus>();
        foreach (var m in models)
        {
            var drift = (await client.DriftAsync(m.Name, 1, ct)).LastOrDefault();
            var accuracy = (await client.AccuracyAsync(m.Name, 1, ct)).LastOrDefault();
            var alerts = open.Where(a => a.Model == m.Name).ToList();
            rows.Add(new ModelStatus(m, ModelStatus.Of(alerts, drift, accuracy), alerts.Count, drift, accuracy));
        }
        return rows;
    }
}
