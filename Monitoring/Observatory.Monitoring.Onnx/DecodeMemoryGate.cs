namespace Observatory.Monitoring.Onnx;

/// <summary>
/// A byte budget shared by concurrent decodes: each takes the memory its bitmap needs before allocating it and gives it back
/// after, so however many images a request carries and however many cores decode them, pixels in flight stay under the budget.
/// </summary>
internal sealed class DecodeMemoryGate(long capacity)
{
    private readonly object sync = new();
    private long available = capacity;

    public long Capacity { get; } = capacity;

    /// <summary>Waits until <paramref name="bytes"/> fit; a single request larger than the whole budget is refused at once.</summary>
    public Lease Acquire(long bytes, string name, CancellationToken ct)
    {
        if (bytes > Capacity)
            throw new ImageTooLargeException(name, $"decoding needs {Size(bytes)}, more than the decode memory limit of {Size(Capacity)}");
        lock (sync)
        {
            while (available < bytes)
            {
                ct.ThrowIfCancellationRequested();
                Monitor.Wait(sync, 100);
            }
            available -= bytes;
        }
        return new Lease(this, bytes);
    }

    private static string Size(long bytes) =>
        bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes} bytes";

    private void Release(long bytes)
    {
        lock (sync)
        {
            available += bytes;
            Monitor.PulseAll(sync);
        }
    }

    internal readonly struct Lease(DecodeMemoryGate gate, long bytes) : IDisposable
    {
        public void Dispose() => gate?.Release(bytes);
    }
}
