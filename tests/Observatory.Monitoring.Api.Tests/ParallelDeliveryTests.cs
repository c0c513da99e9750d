using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Observatory.Monitoring.Api.Services;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Alerts;
using Observatory.Monitoring.Core.Ports;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>Hardening (low): deliveries ran one after another, so one hanging endpoint held every other channel's alerts back.</summary>
public sealed class ParallelDeliveryTests : IAsyncLifetime
{
    private readonly int _port = Ports.Free();
    private readonly TaskCompletionSource _slowEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _releaseSlow = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _fastReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication _receiver = null!;
    private MonitoringServer _server = null!;

    public async Task InitializeAsync()
    {
        var b = WebApplication.CreateBuilder();
        b.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        b.Logging.ClearProviders();
        _receiver = b.Build();
        _receiver.MapPost("/slow", async () => { _slowEntered.TrySetResult(); await _releaseSlow.Task; return Results.Ok(); });
        _receiver.MapPost("/fast", () => { _fastReceived.TrySetResult(); return Results.Ok(); });
        _receiver.MapPost("/silent", async (CancellationToken ct) => { await Task.Delay(Timeout.Infinite, ct); return Results.Ok(); });
        await _receiver.StartAsync();
        _server = await MonitoringServer.StartAsync(new Dictionary<string, string?>
        {
            ["Monitoring:DeliveryIntervalSeconds"] = "3600", // delivered by hand below
            ["Monitoring:Webhooks:0:Name"] = "slow",
            ["Monitoring:Webhooks:0:Url"] = $"http://127.0.0.1:{_port}/slow",
            ["Monitoring:Webhooks:0:TimeoutSeconds"] = "120",
            ["Monitoring:Webhooks:1:Name"] = "fast",
            ["Monitoring:Webhooks:1:Url"] = $"http://127.0.0.1:{_port}/fast",
            ["Monitoring:Webhooks:2:Name"] = "silent",
            ["Monitoring:Webhooks:2:Url"] = $"http://127.0.0.1:{_port}/silent",
            ["Monitoring:Webhooks:2:TimeoutSeconds"] = "1",
        });
    }

    public async Task DisposeAsync()
    {
        _releaseSlow.TrySetResult();
        await _server.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task AHangingEndpoint_DoesNotHoldBackTheOthers_AndASilentOneTimesOutOnItsOwnLimit()
    {
        var store = _server.Services.GetRequiredService<IMonitoringStore>();
        var now = _server.Time.GetUtcNow();
        var alert = new Alert { Id = "a1", Model = "m", RuleId = "r", Severity = AlertSeverity.Warning, Summary = "s", State = AlertState.Firing, FiredAt = now, LastEvaluatedAt = now };
        await store.SaveAlertAsync(alert, new NotificationRequest("a1", NotificationKind.Firing), ["slow", "fast", "silent"], now);

        var delivering = _server.Services.GetRequiredService<NotificationService>().DeliverDueAsync(CancellationToken.None);
        await _slowEntered.Task.WaitAsync(TimeSpan.FromSeconds(60));
        // The slow endpoint is still holding its request, yet the fast one already has the alert.
        await _fastReceived.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.False(_releaseSlow.Task.IsCompleted);
        _releaseSlow.SetResult();
        await delivering.WaitAsync(TimeSpan.FromSeconds(60));

        // (The scheduled delivery job may pick a notification up too; every attempt is judged, not a count.)
        var attempts = (await store.ListDeliveryAttemptsAsync("a1", 20)).ToLookup(a => a.Channel);
        Assert.Contains(attempts["slow"], a => a.Success);
        Assert.Contains(attempts["fast"], a => a.Success);
        Assert.NotEmpty(attempts["silent"]);
        Assert.All(attempts["silent"], a => Assert.Equal((false, "no answer within 1 s"), (a.Success, a.Error)));
    }
}
