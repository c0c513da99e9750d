using System.Diagnostics;
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

    private void UseMonitoringAt(Uri? url) => UseMonitoring(new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) });

    private void UseMonitoring(HttpClient http)
    {
        var options = new DashboardOptions();
        Services.AddSingleton(options);
        Services.AddSingleton(new MonitoringClient(http, options));
        Services.AddScoped<PendingNotice>();
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", true));
    }

    /// <summary>A service that never answers: each request waits until its caller cancels it, and says that it was cancelled.</summary>
    private sealed class SilentService : HttpMessageHandler
    {
        public TaskCompletionSource<string> Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource<string> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            Asked.TrySetResult(path);
            try { await Task.Delay(Timeout.Infinite, cancellationToken); }
            catch (OperationCanceledException) { Cancelled.TrySetResult(path); throw; }
            throw new UnreachableException();
        }
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

    [Theory]
    [InlineData(typeof(Model), "/api/models/shapes")]
    [InlineData(typeof(Alerts), "/api/models")]
    [InlineData(typeof(Jobs), "/api/jobs")]
    [InlineData(typeof(Models), "/api/models")]
    public async Task MonitoringPages_DisposedWhileLoading_CancelTheirRequest_AndShowNoError(Type page, string firstRequest)
    {
        var service = new SilentService();
        // No client timeout: only the page's own token can end the request.
        UseMonitoring(new HttpClient(service) { BaseAddress = new Uri("http://monitoring.invalid/"), Timeout = Timeout.InfiniteTimeSpan });
        Render(b =>
        {
            b.OpenComponent(0, page);
            if (page == typeof(Model)) b.AddComponentParameter(1, nameof(Model.Name), "shapes");
            b.CloseComponent();
        });
        Assert.Equal(firstRequest, await service.Asked.Task.WaitAsync(TimeSpan.FromSeconds(10)));

        await DisposeComponentsAsync(); // what the renderer does when the user navigates away or the circuit closes

        Assert.Equal(firstRequest, await service.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        // The cancellation surfaces nowhere: no error reaches the renderer (which would break a real circuit).
        await Task.Delay(200);
        if (Renderer.UnhandledException.IsCompleted) Assert.Fail($"the renderer caught {await Renderer.UnhandledException}");
    }
}
