using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Store;
using Observatory.Testing;

namespace Observatory.DataService.Tests.Store;

public sealed class WorkspaceLockTests
{
    [Fact]
    public async Task SecondWriter_WaitsThenFailsWithAClearMessage_WhileTheFirstHoldsTheLock()
    {
        using var dir = new TempDirectory("lock");
        var path = dir.Combine("lock");
        using var first = await WorkspaceLock.AcquireAsync(path, TimeSpan.Zero, TimeProvider.System, CancellationToken.None);
        var ex = await Assert.ThrowsAsync<StoreException>(() => WorkspaceLock.AcquireAsync(path, TimeSpan.FromMilliseconds(300), TimeProvider.System, CancellationToken.None));
        Assert.Contains("another obs process", ex.Message);
        Assert.Contains($"pid {Environment.ProcessId}", ex.Message);
    }

    [Fact]
    public async Task Lock_IsFreeAgainOnceReleased()
    {
        using var dir = new TempDirectory("lock");
        var path = dir.Combine("lock");
        (await WorkspaceLock.AcquireAsync(path, TimeSpan.Zero, TimeProvider.System, CancellationToken.None)).Dispose();
        using var again = await WorkspaceLock.AcquireAsync(path, TimeSpan.Zero, TimeProvider.System, CancellationToken.None);
        Assert.NotNull(again);
    }
}
