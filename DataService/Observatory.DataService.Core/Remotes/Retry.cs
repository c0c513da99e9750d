namespace Observatory.DataService.Core.Remotes;

/// <summary>Retries transient transfer failures with exponential backoff (0.2 s, 0.4 s, 0.8 s, …), like Git LFS' defaults.</summary>
public static class Retry
{
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
