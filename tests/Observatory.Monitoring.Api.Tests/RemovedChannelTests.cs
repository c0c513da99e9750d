using Microsoft.Extensions.DependencyInjection;
using Observatory.Monitoring.Api.Services;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Alerts;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>Hardening (low): a notification queued for a channel that was later removed from the configuration was retried forever.</summary>
public sealed class RemovedChannelTests : IAsyncLifetime
{
    private MonitoringServer _server = null!;

    public async Task InitializeAsync() => _server = await MonitoringServer.StartAsync(new Dictionary<string, string?>
    {
        ["Monitoring:DeliveryIntervalSeconds"] = "3600", // the test delivers by hand
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ANotificationForARemovedChannel_IsDroppedOnce_NotRetried()
    {
        var store = _server.Services.GetRequiredService<IMonitoringStore>();
        var now = _server.Time.GetUtcNow();
        var alert = new Alert { Id = "a1", Model = "m", RuleId = "r", Severity = AlertSeverity.Warning, Summary = "s", State = AlertState.Firing, FiredAt = now, LastEvaluatedAt = now };
        await store.SaveAlertAsync(alert, new NotificationRequest("a1", NotificationKind.Firing), ["gone"], now);
        var notifications = _server.Services.GetRequiredService<NotificationService>();

        Assert.Equal(0, await notifications.DeliverDueAsync(CancellationToken.None));
        _server.Time.Advance(TimeSpan.FromDays(1));
        Assert.Empty(await store.DueNotificationsAsync(_server.Time.GetUtcNow(), 10));
        Assert.Equal(0, await notifications.DeliverDueAsync(CancellationToken.None));
        // (The scheduled job may pick it up at the same moment as this call; either way it is dropped, never queued again.)
        var attempts = await store.ListDeliveryAttemptsAsync("a1", 10);
        Assert.InRange(attempts.Count, 1, 2);
        Assert.All(attempts, a => Assert.Equal((false, "channel 'gone' is no longer configured in Monitoring:Webhooks; dropped"), (a.Success, a.Error)));
    }
}
