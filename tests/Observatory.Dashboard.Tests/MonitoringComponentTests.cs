using System.Net;
using System.Net.Sockets;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Dashboard.Components.Pages;
using Observatory.Dashboard.Services;
using Radzen;

namespace Observatory.Dashboard.Tests;

/// <summary>The monitoring pages' error states with a real MonitoringClient (unset URL, or a port nobody listens on).</summary>
public sealed class MonitoringComponentTests : BunitContext
{
    public MonitoringComponentTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddRadzenComponents();
    }

    private void UseMonitoringAt(Uri? url)
    {
        Services.AddSingleton(new MonitoringClient(new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) }, new DashboardOptions()));
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", true));
    }

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
}
