using System.Net;
using Observatory.Testing;

namespace Observatory.Dashboard.Tests;

/// <summary>The dashboard's /metrics (ServiceDefaults, prometheus-net) after some traffic passes Prometheus's own linter.</summary>
[Collection(DashboardCollection.Name)]
public sealed class MetricsTests(DashboardFixture fx)
{
    [Fact]
    public async Task Metrics_AfterTraffic_PassPromtoolCheckMetrics()
    {
        using var http = new HttpClient { BaseAddress = fx.Server.BaseAddress };
        (await http.GetAsync("healthz")).Dispose();
        using (var bad = await http.GetAsync("objects/not-a-hash"))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var metrics = await http.GetStringAsync("metrics");
        Assert.Contains("microsoft_aspnetcore_hosting_http_server_request_duration_count{", metrics);
        var (exit, output) = await Promtool.CheckMetricsAsync(metrics);
        Assert.True(exit == 0 && output.Length == 0, $"promtool check metrics exited {exit}:\n{output}\n--- exposition ---\n{metrics}");
    }
}
