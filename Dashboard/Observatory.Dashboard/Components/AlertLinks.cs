using Observatory.Dashboard.Services;

namespace Observatory.Dashboard.Components;

/// <summary>Addresses of the Alerts page with its filters set (it reads them from the query string).</summary>
public static class AlertLinks
{
    /// <summary>The open (firing or acknowledged) alerts, of one model or of all: what an "open alerts" count links to.</summary>
    public static string Open(string? model = null) =>
        $"alerts?state={MonitoringClient.OpenState}" + (model is null ? "" : "&model=" + Uri.EscapeDataString(model));
}
