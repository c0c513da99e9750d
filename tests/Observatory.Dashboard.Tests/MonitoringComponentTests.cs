using System.Net;
using System.Net.Sockets;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Dashboard.Components.Pages;
using Observatory.Dashboard.Services;
using Radzen;

namespace Observatory.Dashboard.Tests;

/// <summary>The monitoring pages' error states with a real MonitoringClient (unset URL, or a port nobody listens on), and downsampling.</summary>
public sealed class MonitoringComponentTests : BunitContext
{
    public MonitoringComponentTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddRadzenComponents();
    }

    private void UseMonitoringAt(Uri? url) =>
        Services.AddSingleton(new MonitoringClient(new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) }, new DashboardOptions()));

    private static Uri ClosedPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return new Uri($"http://127.0.0.1:{((IPEndPoint)l.LocalEndpoint).Port}/");
    }

    [Fact]
    public void AlertsPage_WhenNoMonitoringUrlIsConfigured_SaysHowToConfigureIt()
    {
        UseMonitoringAt(null);
        var cut = Render<Alerts>();
        cut.WaitForAssertion(() => Assert.Contains("set Dashboard:MonitoringUrl", cut.Find("[data-testid=monitoring-error]").TextContent));
    }

    [Theory]
    [InlineData(typeof(Alerts))]
    [InlineData(typeof(Models))]
    [InlineData(typeof(Jobs))]
    public void MonitoringPages_WhenTheServiceIsUnreachable_ShowAnErrorStateNotAnException(Type page)
    {
        UseMonitoringAt(ClosedPort());
        var cut = Render(b => { b.OpenComponent(0, page); b.CloseComponent(); });
        cut.WaitForAssertion(() => Assert.Contains("cannot be reached", cut.Find("[data-testid=monitoring-error]").TextContent), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void ModelPage_WhenTheServiceIsUnreachable_ShowsAnErrorState()
    {
        UseMonitoringAt(ClosedPort());
        var cut = Render<Model>(p => p.Add(m => m.Name, "shapes"));
        cut.WaitForAssertion(() => Assert.Contains("cannot be reached", cut.Find("[data-testid=monitoring-error]").TextContent), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void Downsample_AYearOfHourlyWindows_KeepsAtMost500PointsWithTheEndsAndEverySpike()
    {
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var spikes = new HashSet<int> { 17, 4000, 8001 };
        var points = Enumerable.Range(0, 8760).Select(i => (At: start.AddHours(i), Score: spikes.Contains(i) ? 1.0 : 0.01 * (i % 7))).ToList();
        var kept = Downsample.KeepExtremes(points, MonitoringClient.MaxChartPoints, p => p.Score);
        Assert.Equal(MonitoringClient.MaxChartPoints, kept.Count);
        Assert.Equal(points[0], kept[0]);
        Assert.Equal(points[^1], kept[^1]);
        Assert.Equal(3, kept.Count(p => p.Score == 1.0));
        Assert.True(kept.Zip(kept.Skip(1)).All(p => p.First.At < p.Second.At), "order kept");
    }

    [Fact]
    public void Downsample_ShortSeries_IsReturnedUnchanged()
    {
        int[] points = [1, 2, 3];
        Assert.Same(points, Downsample.KeepExtremes(points, 500, p => p));
    }
}
