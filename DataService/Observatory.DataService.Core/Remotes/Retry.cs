namespace Observatory.DataService.Core.Remotes;

/// <summary>Retries transient transfer failures with exponential backoff (0.2 s, 0.4 s, 0.8 s, …), like Git LFS' defaults.</summary>
public static class Retry
{
    /// <summary>Tries per remote request: five, as Git LFS does.</summary>
    public const int TransferAttempts = 5;

    /// <summary>Network and server hiccups are retried; a missing object or a hash mismatch is not.</summary>
    public static bool IsTransient(Exception ex) => ex is RemoteTransientException or HttpRequestException or IOException and not FileNotFoundException;

    /// <summary>One remote request, retried on <see cref="IsTransient"/> failures up to <see cref="TransferAttempts"/> times.</summary>
    public static Task TransferAsync(Func<CancellationToken, Task> action, TimeProvider time, CancellationToken ct) =>
        RunAsync(action, IsTransient, TransferAttempts, time, ct);

    public static Task<T> TransferAsync<T>(Func<CancellationToken, Task<T>> action, TimeProvider time, CancellationToken ct) =>
        RunAsync(action, IsTransient, TransferAttempts, time, ct);

    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> action, Func<Exception, bool> isTransient, int attempts, TimeProvider time, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action(ct);
            }
            catch (Exception ex) when (attempt < attempts && !ct.IsCancellationRequested && isTransient(ex))
            {
                await Task.Delay(delay, time, ct);
                delay *= 2;
            }
        }
    }

    public static Task RunAsync(Func<CancellationToken, Task> action, Func<Exception, bool> isTransient, int attempts, TimeProvider time, CancellationToken ct) =>
        RunAsync(async c => { await action(c); return 0; }, isTransient, attempts, time, ct);
}
