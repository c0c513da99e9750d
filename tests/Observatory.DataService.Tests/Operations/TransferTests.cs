using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Remotes;
using Observatory.DataService.Core.Workspace;
using Observatory.DataService.Storage;
using Observatory.Testing;

namespace Observatory.DataService.Tests.Operations;

/// <summary>push → fetch/pull through the Core operations over a folder remote, the hand-off between fetch and checkout included.</summary>
public sealed class TransferTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly TempDirectory _remote = new("transfer-remote");

    /// <summary>A committed dataset pushed to the remote, then removed from the workspace and the cache: what a fresh clone sees.</summary>
    private async Task<(TestWorkspace Ws, IReadOnlyDictionary<string, string> Files)> PushedAndForgottenAsync(PackingOptions packing)
    {
        var ws = await TestWorkspace.CreateAsync();
        ws.WriteFiles("data/set", 30, seed: 7);
        using (var repo = ws.Open())
        {
            await AddOperation.RunAsync(repo, [ws.Git.PathOf("data/set")], new AddOptions(), Ct);
            await CommitOperation.RunAsync(repo, new CommitOptions { Message = "v1" }, Ct);
            using var remote = new FolderRemote(_remote.Path);
            var pushed = await PushOperation.RunAsync(repo, remote, new TransferOptions { Packing = packing }, Ct);
            Assert.Equal(31, pushed.Transferred); // 30 files and the tree
        }
        var files = ws.Git.Snapshot("data/set");
        Directory.Delete(ws.Git.PathOf("data/set"), recursive: true);
        Directory.Delete(ws.Git.PathOf(".obs/cache/objects"), recursive: true);
        return (ws, files);
    }

    private static void AssertNoTempFilesLeft(ObsRepository repo) =>
        Assert.Empty(Directory.Exists(repo.TempDir) ? Directory.EnumerateFiles(repo.TempDir) : []);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Pull_IntoAFreshCache_RestoresTheDataset_AndLeavesNoStagedCopies(bool packed)
    {
        var (ws, files) = await PushedAndForgottenAsync(packed ? new PackingOptions() : new PackingOptions { MaxObjectBytes = 0 });
        using var _ = ws;
        using var repo = ws.Open();
        using var remote = new FolderRemote(_remote.Path);

        var (fetched, checkout) = await PullOperation.RunAsync(repo, remote, new TransferOptions(), force: false, Ct);

        Assert.Equal(31, fetched.Transferred);
        Assert.Equal(30, Assert.Single(checkout).Written);
        Assert.Equal(files, ws.Git.Snapshot("data/set"));
        AssertNoTempFilesLeft(repo);
    }

    [Fact]
    public async Task Pull_OfAFolderInsideADataset_FetchesAndWritesOnlyThatFolder()
    {
        var (ws, files) = await PushedAndForgottenAsync(new PackingOptions());
        using var _ = ws;
        using var repo = ws.Open();
        using var remote = new FolderRemote(_remote.Path);

        var (fetched, checkout) = await PullOperation.RunAsync(repo, remote, new TransferOptions { Paths = [ws.Git.PathOf("data/set/sub1")] }, force: false, Ct);

        var wanted = files.Where(f => f.Key.StartsWith("sub1/", StringComparison.Ordinal)).ToDictionary();
        Assert.Equal(wanted.Count + 1, fetched.Transferred);
        Assert.Equal(wanted.Count, Assert.Single(checkout).Written);
        Assert.Equal(wanted, ws.Git.Snapshot("data/set"));
        AssertNoTempFilesLeft(repo);
    }

    [Fact]
    public async Task Pull_WhenRemoteObjectCorrupt_FailsAndLeavesWorkspaceUntouched()
    {
        var (ws, files) = await PushedAndForgottenAsync(new PackingOptions { MaxObjectBytes = 0 });
        using var _ = ws;
        var hash = files.Values.Order(StringComparer.Ordinal).Last(); // a data file (the tree is fetched first and would fail earlier)
        var victim = Path.Combine(_remote.Path, "objects", hash[..2], hash[2..]);
        var bytes = File.ReadAllBytes(victim);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(victim, bytes);
        using var repo = ws.Open();
        using var remote = new FolderRemote(_remote.Path);

        var ex = await Assert.ThrowsAsync<DataCheckException>(() => PullOperation.RunAsync(repo, remote, new TransferOptions(), force: false, Ct));
        Assert.Contains(hash, ex.Message);

        Assert.False(Directory.Exists(ws.Git.PathOf("data/set")), "nothing reaches the workspace unless the whole fetch succeeded");
        AssertNoTempFilesLeft(repo);
    }

    [Fact]
    public async Task Fetch_ThenStatusRemote_CountsNothingMissing_AndASecondFetchTransfersNothing()
    {
        var (ws, _) = await PushedAndForgottenAsync(new PackingOptions());
        using var __ = ws;
        using var repo = ws.Open();
        using var remote = new FolderRemote(_remote.Path);

        Assert.Equal(31, (await FetchOperation.RunAsync(repo, remote, new TransferOptions(), Ct)).Transferred);
        var again = await FetchOperation.RunAsync(repo, remote, new TransferOptions(), Ct);
        Assert.Equal((0, 31), (again.Transferred, again.AlreadyThere));
        Assert.Equal(0, await PushOperation.CountMissingAsync(repo, remote, Ct));
        Assert.False(Directory.Exists(ws.Git.PathOf("data/set")), "fetch fills the cache only");
    }

    public void Dispose() => _remote.Dispose();
}
