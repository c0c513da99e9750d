using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>Issue 17: silences apply to alerts already open and can be removed; confidence drift fires its own rule; deleting a model resolves its alerts.</summary>
public sealed class SilencesAndDeletionTests : IAsyncLifetime
{
    private readonly WebhookReceiver _receiver = new();
    private MonitoringServer _server = null!;
    private DateTimeOffset T0 => _server.Time.GetUtcNow();
    private IMonitoringStore Store => _server.Services.GetRequiredService<IMonitoringStore>();

    public async Task InitializeAsync()
    {
        _server = await MonitoringServer.StartAsync(new Dictionary<string, string?>
        {
            ["Monitoring:Webhooks:0:Name"] = "ops",
            ["Monitoring:Webhooks:0:Url"] = _receiver.Url("ops"),
            ["Monitoring:Webhooks:0:Format"] = "json",
        });
        await _receiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private Task RegisterAsync(object rules) => _server.RegisterAsync("shapes", new
    {
        classes = new[] { "circle", "square" },
        embeddingDimension = 4,
        referenceUntil = T0.AddHours(-2),
        window = "00:30:00",
        schedule = "0 0 0 1 1 ? 2099",
        driftMethods = new[] { "mmd" },
        alertRules = rules,
    });

    private async Task SendAsync(string prefix, int n, DateTimeOffset from, DateTimeOffset to, double minConfidence, double maxConfidence)
    {
        var rng = new Random(prefix.Length);
        var events = Enumerable.Range(0, n).Select(i => new
        {
            id = $"{prefix}-{i}",
            timestamp = from + (to - from) * i / n,
            predictedClass = i % 2 == 0 ? "circle" : "square",
            confidence = minConfidence + (maxConfidence - minConfidence) * rng.NextDouble(),
            embedding = Enumerable.Range(0, 4).Select(_ => (float)rng.NextDouble()).ToArray(),
        }).ToArray();
        using var r = await _server.Client.PostAsJsonAsync("/api/models/shapes/events", new { events }, MonitoringServer.Json);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    private async Task RunDriftAsync()
    {
        var before = (await Store.ListJobRunsAsync("shapes", 1000)).Count;
        using (var r = await _server.Client.PostAsync("/api/models/shapes/jobs/drift/run", null)) Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        await Poll.UntilAsync(async () => (await Store.ListJobRunsAsync("shapes", 1000)).Count > before, "drift run");
    }

    private async Task<Alert> FiringNoTrafficAlertAsync()
    {
        await RegisterAsync(new[] { new { id = "quiet", kind = "noTraffic", severity = "warning", noTrafficPeriod = "01:00:00", summary = "no traffic" } });
        await SendAsync("old", 30, T0.AddHours(-1.5), T0.AddHours(-1.2), 0.7, 1.0);
        await RunDriftAsync();
        var alert = Assert.Single((await _server.Client.GetFromJsonAsync<List<Alert>>("/api/alerts?model=shapes", MonitoringServer.Json))!);
        Assert.Equal(AlertState.Firing, alert.State);
        await Poll.UntilAsync(() => Task.FromResult(_receiver.Received.Count >= 1), "firing notification");
        return alert;
    }

    private async Task<Alert> AlertAsync(string id) => (await _server.Client.GetFromJsonAsync<Alert>($"/api/alerts/{id}", MonitoringServer.Json))!;

    [Fact]
    public async Task Silence_OnAnAlreadyFiringAlert_ReadsSilencedAndMutesItsManualResolve()
    {
        var alert = await FiringNoTrafficAlertAsync();
        Assert.False(alert.Silenced);

        using (var r = await _server.Client.PostAsJsonAsync("/api/silences", new { model = "shapes", ruleId = "quiet", duration = "02:00:00" }))
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        Assert.True((await AlertAsync(alert.Id)).Silenced);
        Assert.True(Assert.Single((await _server.Client.GetFromJsonAsync<List<Alert>>("/api/alerts?model=shapes&state=firing", MonitoringServer.Json))!).Silenced);

        using (var r = await _server.Client.PostAsync($"/api/alerts/{alert.Id}/resolve", null))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        // Nothing queued for the resolve, and only the firing notification was ever attempted.
        Assert.DoesNotContain(await Store.DueNotificationsAsync(T0.AddDays(1), 100), n => n.AlertId == alert.Id);
        Assert.Single(await Store.ListDeliveryAttemptsAsync(alert.Id, 100));
    }

    [Fact]
    public async Task Silence_Removed_NeedsTheKey_AndTheAlertReadsUnsilencedAgain()
    {
        var alert = await FiringNoTrafficAlertAsync();
        Silence silence;
        using (var r = await _server.Client.PostAsJsonAsync("/api/silences", new { model = "shapes", duration = "04:00:00", comment = "deploying" }))
            silence = (await r.Content.ReadFromJsonAsync<Silence>(MonitoringServer.Json))!;
        var listed = Assert.Single((await _server.Client.GetFromJsonAsync<List<Silence>>("/api/silences?model=shapes", MonitoringServer.Json))!);
        Assert.Equal((silence.Id, T0.AddHours(4)), (listed.Id, listed.EndsAt));
        Assert.True((await AlertAsync(alert.Id)).Silenced);

        using (var r = await _server.Anonymous.DeleteAsync($"/api/silences/{silence.Id}")) Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        using (var r = await _server.Client.DeleteAsync($"/api/silences/{silence.Id}")) Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
        using (var r = await _server.Client.DeleteAsync($"/api/silences/{silence.Id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Contains(silence.Id, await r.Content.ReadAsStringAsync());
        }
        Assert.Empty((await _server.Client.GetFromJsonAsync<List<Silence>>("/api/silences?model=shapes", MonitoringServer.Json))!);
        Assert.False((await AlertAsync(alert.Id)).Silenced);
    }

    [Fact]
    public async Task ConfidenceDrift_FiresTheConfidenceShiftRule_AndFlagsTheWindow()
    {
        var rule = AlertRule.Defaults.Single(r => r.Kind == AlertRuleKind.ConfidenceShift) with { ConsecutiveWindows = 1 };
        await RegisterAsync(new[] { rule });
        // Same embeddings and classes; only the confidences fall, as when a class the model never saw arrives.
        await SendAsync("ref", 200, T0.AddHours(-3), T0.AddHours(-2), 0.85, 1.0);
        await SendAsync("cur", 200, T0.AddMinutes(-25), T0, 0.3, 0.6);
        await RunDriftAsync();

        var window = Assert.Single((await _server.Client.GetFromJsonAsync<List<DriftWindowResult>>("/api/models/shapes/drift", MonitoringServer.Json))!);
        Assert.Equal((true, false), (window.Details.Window.ConfidenceDrift, window.Details.Window.EmbeddingDrift));
        Assert.True(window.Flagged);
        var alert = Assert.Single((await _server.Client.GetFromJsonAsync<List<Alert>>("/api/alerts?model=shapes", MonitoringServer.Json))!);
        Assert.Equal(("confidence-shift", AlertSeverity.Warning, AlertState.Firing), (alert.RuleId, alert.Severity, alert.State));
    }

    [Fact]
    public async Task DeleteModel_ResolvesItsOpenAlerts_WithOneResolveNotificationEach_AndSaysSo()
    {
        var alert = await FiringNoTrafficAlertAsync();

        using var r = await _server.Client.DeleteAsync("/api/models/shapes");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var deletion = (await r.Content.ReadFromJsonAsync<ModelDeletion>(MonitoringServer.Json))!;
        Assert.Equal(("shapes", 1, "model 'shapes' deleted; 1 open alert resolved"), (deletion.Model, deletion.ResolvedAlerts, deletion.Message));

        var resolved = await AlertAsync(alert.Id);
        Assert.Equal(AlertState.Resolved, resolved.State);
        Assert.Contains("model 'shapes' was deleted", resolved.Detail);
        Assert.Empty((await _server.Client.GetFromJsonAsync<List<Alert>>("/api/alerts?model=shapes&state=firing", MonitoringServer.Json))!);
        // Two notifications: the firing one and the resolve. Counted by notification, not by attempt: on a loaded machine the
        // firing one's first attempt can time out after the receiver got it, and its retry is the same notification.
        var queued = (await Store.DueNotificationsAsync(T0.AddDays(1), 100)).Where(n => n.AlertId == alert.Id).ToList();
        var attempts = await Store.ListDeliveryAttemptsAsync(alert.Id, 100);
        Assert.Equal(2, queued.Select(n => n.Id).Union(attempts.Select(a => a.NotificationId)).Count());
    }
}
