using System.Net;
using Observatory.Testing;

namespace Observatory.DataService.Api.Tests;

/// <summary>The Data API's /metrics (ServiceDefaults, prometheus-net) after some traffic passes Prometheus's own linter.</summary>
public sealed class MetricsTests(ApiFixture fx) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Metrics_AfterTraffic_PassPromtoolCheckMetrics()
    {
        (await fx.Client.GetAsync("/api/datasets")).Dispose();
        using (var bad = await fx.Client.GetAsync("/api/objects/not-a-hash"))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var metrics = await fx.Client.GetStringAsync("/metrics");
        Assert.Contains("microsoft_aspnetcore_hosting_http_server_request_duration_count{", metrics);
        Assert.Contains("http_response_status_code=\"400\"", metrics);
        var (exit, output) = await Promtool.CheckMetricsAsync(metrics);
        Assert.True(exit == 0 && output.Length == 0, $"promtool check metrics exited {exit}:\n{output}\n--- exposition ---\n{metrics}");
    }
}
