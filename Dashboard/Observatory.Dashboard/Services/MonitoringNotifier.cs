using System.Text;

namespace Observatory.Dashboard.Services;

/// <summary>
/// Polls the Monitoring API every <see cref="DashboardOptions.RefreshSeconds"/> for what the pages show (latest drift and accuracy
/// result, event count and open alerts of each model) and raises <see cref="Changed"/> when any of it moved. Open pages subscribe
/// and re-render over their circuit, so new results appear without a reload; one poll serves every open page.
/// </summary>
public sealed class MonitoringNotifier(IServiceScopeFactory scopes, DashboardOptions options, TimeProvider time, ILogger<MonitoringNotifier> log)
    : BackgroundService
{
    private string? _fingerprint;

    /// <summary>Raised on the poller's thread; handlers marshal to their renderer (ComponentBase.InvokeAsync).</summary>
    public event Action? Changed;

    /// <summary>How many changes were seen since start (pages and tests can tell a refresh happened).</summary>
    public long Version { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.RefreshSeconds <= 0 || string.IsNullOrEmpty(options.MonitoringUrl)) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.RefreshSeconds), time);
        do
        {
            // No open page, no poll: the service is not asked for anything nobody will see.
            if (Changed is null) continue;
            try { await PollAsync(stoppingToken); }
            catch (MonitoringUnavailableException ex) { log.LogDebug("live refresh skipped: {Reason}", ex.Message); }
            catch (Exception ex) when (ex is not OperationCanceledException) { log.LogWarning(ex, "live refresh failed"); }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task PollAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var client = scope.ServiceProvider.GetRequiredService<MonitoringClient>();
        var sb = new StringBuilder();
        foreach (var m in await client.ModelsAsync(ct))
        {
            var drift = (await client.DriftAsync(m.Name, 1, ct)).LastOrDefault();
            var accuracy = (await client.AccuracyAsync(m.Name, 1, ct)).LastOrDefault();
            var events = await client.EventCountAsync(m.Name, ct);
            sb.Append(m.Name).Append('|').Append(drift?.WindowEnd.Ticks).Append('|').Append(drift?.EventCount).Append('|')
              .Append(accuracy?.WindowEnd.Ticks).Append('|').Append(accuracy?.Accuracy).Append('|').Append(events).Append(';');
        }
        foreach (var a in await client.AlertsAsync(null, null, ct))
            sb.Append(a.Id).Append(':').Append(a.State).Append(':').Append(a.Silenced).Append(';');
        var fingerprint = sb.ToString();
        var changed = _fingerprint is not null && fingerprint != _fingerprint;
        _fingerprint = fingerprint;
        if (!changed) return;
        Version++;
        Changed?.Invoke();
    }
}
