using Observatory.DataService.Core.Errors;

namespace Observatory.DataService.Core.Store;

/// <summary>
/// An exclusive lock on the store held by one writing `obs` process (an advisory flock on <c>.obs/lock</c>, which the kernel
/// releases if the process dies). A second writer waits up to the timeout, then fails with a clear message.
/// </summary>
public sealed class WorkspaceLock : IDisposable
{
    private readonly FileStream _stream;

    private WorkspaceLock(FileStream stream) => _stream = stream;

    public static async Task<WorkspaceLock> AcquireAsync(string lockPath, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        var start = time.GetTimestamp();
        while (true)
        {
            try
            {
                var fs = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                // The holder's pid goes in a plain sibling file: the locked file itself cannot be read by a waiter.
                File.WriteAllText(lockPath + ".owner", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return new WorkspaceLock(fs);
            }
            catch (IOException) when (time.GetElapsedTime(start) < timeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
            }
            catch (IOException ex)
            {
                string holder = "";
                try { holder = File.ReadAllText(lockPath + ".owner").Trim(); } catch (IOException) { }
                throw new StoreException(
                    $"another obs process{(holder.Length > 0 ? $" (pid {holder})" : "")} is writing this store ({lockPath}); waited {timeout.TotalSeconds:0}s — try again when it finishes", ex);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
