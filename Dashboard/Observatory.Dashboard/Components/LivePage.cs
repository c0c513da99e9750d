using Microsoft.AspNetCore.Components;
using Observatory.Dashboard.Services;

namespace Observatory.Dashboard.Components;

/// <summary>
/// A page that refreshes itself over its circuit when <see cref="MonitoringNotifier"/> sees new results or alerts. Only the
/// interactive instance subscribes (the prerendered one is thrown away); overlapping refreshes are skipped, not queued.
/// </summary>
public abstract class LivePage : CircuitComponent
{
    [Inject] private IServiceProvider Services { get; set; } = null!;
    private MonitoringNotifier? _notifier;
    private int _refreshing;

    /// <summary>Reloads what the page shows; called on the renderer's thread, followed by a render.</summary>
    protected abstract Task RefreshAsync();

    protected override void OnInitialized()
    {
        if (!RendererInfo.IsInteractive) return;
        _notifier = Services.GetService<MonitoringNotifier>();
        if (_notifier is not null) _notifier.Changed += OnChanged;
    }

    private void OnChanged() => _ = InvokeAsync(async () =>
    {
        if (Interlocked.Exchange(ref _refreshing, 1) == 1) return;
        try
        {
            await RefreshAsync();
            StateHasChanged();
        }
        catch (MonitoringUnavailableException) { }
        // The page went away mid-refresh: nothing to show and nobody awaits this task to observe it.
        catch (OperationCanceledException) when (Aborted.IsCancellationRequested) { }
        finally { Volatile.Write(ref _refreshing, 0); }
    });

    public override void Dispose()
    {
        if (_notifier is not null) _notifier.Changed -= OnChanged;
        base.Dispose();
    }
}
