using Microsoft.AspNetCore.Components;

namespace Observatory.Dashboard.Components;

/// <summary>
/// A component whose requests end with it. The renderer disposes a component when the user navigates away and when the circuit
/// closes; <see cref="Aborted"/> is cancelled then, so nobody's answer is still being fetched, read or drawn for a page that is gone.
/// </summary>
/// <remarks>
/// An <see cref="OperationCanceledException"/> that escapes a lifecycle method or an event handler leaves a cancelled task, which
/// Blazor ignores (no error UI, no broken circuit); a catch-all in between must let it through instead of showing it.
/// </remarks>
public abstract class CircuitComponent : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _disposed = new();

    // Captured once: a disposed source's Token property throws, a token taken before stays readable (and cancelled).
    protected CircuitComponent() => Aborted = _disposed.Token;

    /// <summary>Cancelled when this component is disposed; pass it to every call the component makes.</summary>
    protected CancellationToken Aborted { get; }

    /// <summary>
    /// A token for a load that replaces the previous one held in <paramref name="load"/> (another version, range or window was
    /// chosen): the previous one is cancelled, so a slow stale answer cannot land after the new one. Cancelled on dispose too.
    /// </summary>
    protected CancellationToken Restart(ref CancellationTokenSource? load)
    {
        if (load is not null)
        {
            load.Cancel();
            load.Dispose();
        }
        load = CancellationTokenSource.CreateLinkedTokenSource(Aborted);
        return load.Token;
    }

    public virtual void Dispose()
    {
        if (!_disposed.IsCancellationRequested) _disposed.Cancel();
        _disposed.Dispose();
        GC.SuppressFinalize(this);
    }
}
