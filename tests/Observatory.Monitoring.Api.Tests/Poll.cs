namespace Observatory.Monitoring.Api.Tests;

/// <summary>Waits for a condition that background jobs make true; fails with a message, never hangs.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(50);
        }
        Assert.Fail($"timed out after {timeoutSeconds} s waiting for: {what}");
    }
}
