using Observatory.DataService.Core.Ports;
using Observatory.DataService.Storage;
using Observatory.Testing;

namespace Observatory.DataService.Tests.Remotes;

public sealed class FolderRemoteStoreTests : RemoteStoreContractTests
{
    private readonly TempDirectory _remote = new("folder-store");

    protected override IRemoteStore Open(string prefix) => new FolderRemote(_remote.Combine(prefix));

    protected override string FileOf(string prefix, string key) => _remote.Combine(prefix, key);

    [Fact]
    public void DisplayUrl_IsTheFolder()
    {
        using var store = new FolderRemote(_remote.Combine("p"));
        Assert.Equal(_remote.Combine("p"), store.DisplayUrl);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _remote.Dispose();
        base.Dispose(disposing);
    }
}
