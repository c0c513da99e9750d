using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Pointers;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Tests.Operations;

public sealed class VersioningTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Add_WritesPointerTreeAndObjects_AndIgnoresTheFolderInGit()
    {
        using var ws = await TestWorkspace.CreateAsync();
        ws.WriteFiles("data/set", 12, seed: 1);
        using var repo = ws.Open();
        var results = await AddOperation.RunAsync(repo, [ws.Git.PathOf("data/set")], new AddOptions(), Ct);

        var pointer = PointerFile.Parse(File.ReadAllText(ws.Git.PathOf("data/set.obs")), "p");
        Assert.Equal("set", pointer.Path);
        Assert.Equal(12, pointer.Files);
        Assert.True(repo.Cache.Contains(pointer.Tree));
        var tree = TreeObject.Parse(await repo.Cache.ReadAllBytesAsync(pointer.Tree, Ct), "t");
        Assert.All(tree.Entries, e => Assert.True(repo.Cache.Contains(e.Hash)));
        Assert.Equal(ws.Git.Snapshot("data/set"), tree.Entries.ToDictionary(e => e.Path, e => e.Hash.Hex));
        Assert.Contains("/set", File.ReadAllLines(ws.Git.PathOf("data/.gitignore")));
        Assert.True(results.Single().Changed);
    }

    [Fact]
    public async Task Status_UsesTheStatCache_SoAnUnchangedStampIsNotRehashed()
    {
        using var ws = await TestWorkspace.CreateAsync();
        ws.WriteFiles("data/set", 4, seed: 2);
        using var repo = ws.Open();
        await AddOperation.RunAsync(repo, ["data/set".Replace("data/set", ws.Git.PathOf("data/set"))], new AddOptions(), Ct);

        // Same size and mtime but different bytes: only a hash would notice, so "clean" proves no hash was computed.
        var file = Directory.EnumerateFiles(ws.Git.PathOf("data/set"), "*", SearchOption.AllDirectories).First();
        var mtime = File.GetLastWriteTimeUtc(file);
        var bytes = File.ReadAllBytes(file);
        bytes[0] ^= 0xFF;
        File.WriteAllBytes(file, bytes);
        File.SetLastWriteTimeUtc(file, mtime);
        Assert.Equal(DatasetState.Clean, (await StatusOperation.RunAsync(repo, [], Ct)).Single().State);

        // A changed mtime invalidates the entry and the content change shows.
        File.SetLastWriteTimeUtc(file, mtime.AddSeconds(5));
        var status = (await StatusOperation.RunAsync(repo, [], Ct)).Single();
        Assert.Equal(DatasetState.Modified, status.State);
        Assert.Single(status.Modified);
    }

    [Fact]
    public async Task Status_OfAChangedDataset_NamesEveryChange_WithTheStoredTreeStreamedAcrossManyBuffers()
    {
        using var ws = await TestWorkspace.CreateAsync();
        // 1,500 files: the stored tree is about 170 KB, past the reader's 64 KB buffer.
        ws.WriteFiles("data/set", 1500, seed: 3, size: 16);
        using var repo = ws.Open();
        await AddOperation.RunAsync(repo, [ws.Git.PathOf("data/set")], new AddOptions(), Ct);
        File.AppendAllText(ws.Git.PathOf("data/set/sub1/f0001.bin"), "changed");
        File.Delete(ws.Git.PathOf("data/set/sub2/f1499.bin"));
        ws.Git.WriteFile("data/set/sub0/new.bin", "new"u8.ToArray());

        var status = (await StatusOperation.RunAsync(repo, [], Ct)).Single();
        Assert.Equal(DatasetState.Modified, status.State);
        Assert.Equal(["data/set/sub0/new.bin"], status.Added);
        Assert.Equal(["data/set/sub1/f0001.bin"], status.Modified);
        Assert.Equal(["data/set/sub2/f1499.bin"], status.Deleted);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("valid but other bytes")]
    public async Task Status_OfAChangedDataset_WhoseStoredTreeIsCorrupt_SaysSoByItsHash(string corruption)
    {
        using var ws = await TestWorkspace.CreateAsync();
        ws.WriteFiles("data/set", 3, seed: 8);
        using var repo = ws.Open();
        await AddOperation.RunAsync(repo, [ws.Git.PathOf("data/set")], new AddOptions(), Ct);
        var pointer = PointerFile.Parse(File.ReadAllText(ws.Git.PathOf("data/set.obs")), "p");
        var path = repo.Cache.PathOf(pointer.Tree);
        var stored = File.ReadAllText(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        // Either way the bytes are not the object's: a parse error in them, or a tree that parses but lists other sizes.
        File.WriteAllText(path, corruption == "garbage" ? "{garbage" : stored.Replace("\"size\":", "\"size\":1"));
        File.AppendAllText(Directory.EnumerateFiles(ws.Git.PathOf("data/set"), "*", SearchOption.AllDirectories).First(), "x");

        var ex = await Assert.ThrowsAsync<DataCheckException>(() => StatusOperation.RunAsync(repo, [], Ct));
        Assert.Contains($"tree object {pointer.Tree.Hex} of data/set.obs is corrupt in the cache (content does not match its hash)", ex.Message);
    }

    [Fact]
    public async Task Status_AgainstAStoredTreeNotInPathOrder_ReadsItWhole_AndStillNamesTheChanges()
    {
        using var ws = await TestWorkspace.CreateAsync();
        ws.WriteFiles("data/set", 4, seed: 9);
        using var repo = ws.Open();
        await AddOperation.RunAsync(repo, [ws.Git.PathOf("data/set")], new AddOptions(), Ct);
        var pointerPath = ws.Git.PathOf("data/set.obs");
        var pointer = PointerFile.Parse(File.ReadAllText(pointerPath), "p");
        // The same entries written in reverse order (not what obs writes, but a valid tree): a pointer naming it by its hash.
        var entries = TreeObject.Parse(await repo.Cache.ReadAllBytesAsync(pointer.Tree, Ct), "t").Entries.Reverse();
        var json = "{\"entries\":[" + string.Join(",", entries.Select(e => $$"""{"path":"{{e.Path}}","sha256":"{{e.Hash.Hex}}","size":{{e.Size}}}""")) + "],\"format\":\"obs-tree-1\"}";
        var reversed = await repo.Cache.AddBytesAsync(System.Text.Encoding.UTF8.GetBytes(json), Ct);
        File.WriteAllText(pointerPath, (pointer with { Tree = reversed }).Serialize());
        var changed = Directory.EnumerateFiles(ws.Git.PathOf("data/set"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Last();
        File.AppendAllText(changed, "x");

        var status = (await StatusOperation.RunAsync(repo, [], Ct)).Single();
        Assert.Equal((DatasetState.Modified, "data/set/" + Path.GetRelativePath(ws.Git.PathOf("data/set"), changed)), (status.State, Assert.Single(status.Modified)));
        Assert.Empty(status.Added);
        Assert.Empty(status.Deleted);
    }

    [Fact]
    public async Task CommitCheckoutDiffGc_WorkTogetherOnRealGitHistory()
    {
        using var ws = await TestWorkspace.CreateAsync();
        ws.WriteFiles("data/set", 20, seed: 3);
        using var repo = ws.Open();
        await AddOperation.RunAsync(repo, [ws.Git.PathOf("data/set")], new AddOptions(), Ct);
        var v1 = await CommitOperation.RunAsync(repo, new CommitOptions { Message = "v1", Tag = "" }, Ct);
        Assert.Equal(["set@v1"], v1.Tags);
        var v1Files = ws.Git.Snapshot("data/set");

        File.Delete(Directory.EnumerateFiles(ws.Git.PathOf("data/set"), "*", SearchOption.AllDirectories).First());
        ws.Git.WriteFile("data/set/new/added.bin", "new file");
        var v2 = await CommitOperation.RunAsync(repo, new CommitOptions { Message = "v2", Tag = "" }, Ct);
        Assert.Equal(["set@v2"], v2.Tags);
        Assert.Null((await CommitOperation.RunAsync(repo, new CommitOptions { Message = "again" }, Ct)).Commit);

        var diff = await DiffOperation.RunAsync(repo, "set@v1", "set@v2", [], Ct);
        Assert.Equal(["data/set/new/added.bin"], diff.Changes.Added.Select(c => c.Path));
        Assert.Single(diff.Changes.Deleted);
        Assert.Empty(diff.Changes.Modified);

        await CheckoutOperation.RunAsync(repo, [], new CheckoutOptions { Revision = "set@v1" }, Ct);
        Assert.Equal(v1Files, ws.Git.Snapshot("data/set"));

        var log = LogOperation.Run(repo, []);
        Assert.Equal(["set@v2", "set@v1"], log.Select(v => v.Tags.Single()));

        // gc with the workspace at v1 and tags kept removes nothing; keeping only the workspace removes v2's objects.
        Assert.Empty((await GcOperation.RunAsync(repo, GcScope.Tags, dryRun: false, Ct)).Removed);
        var gc = await GcOperation.RunAsync(repo, GcScope.Workspace, dryRun: false, Ct);
        Assert.Equal(2, gc.Removed.Count); // v2's tree and the added file
        Assert.False(repo.Cache.Contains(diff.Changes.Added[0].New!.Hash));
    }

    [Fact]
    public async Task Checkout_RefusesToDiscardChangesThatAreNotInTheCache()
    {
        using var ws = await TestWorkspace.CreateAsync();
        ws.WriteFiles("data/set", 3, seed: 4);
        using var repo = ws.Open();
        await AddOperation.RunAsync(repo, [ws.Git.PathOf("data/set")], new AddOptions(), Ct);
        ws.Git.WriteFile("data/set/sub0/f0000.bin", "precious unsaved edit");
        var ex = await Assert.ThrowsAsync<DataCheckException>(() => CheckoutOperation.RunAsync(repo, [], new CheckoutOptions(), Ct));
        Assert.Contains("data/set/sub0/f0000.bin", ex.Message);
        Assert.Equal("precious unsaved edit", File.ReadAllText(ws.Git.PathOf("data/set/sub0/f0000.bin")));

        await CheckoutOperation.RunAsync(repo, [], new CheckoutOptions { Force = true }, Ct);
        Assert.NotEqual("precious unsaved edit", File.ReadAllText(ws.Git.PathOf("data/set/sub0/f0000.bin")));
    }

    [Fact]
    public async Task Checkout_OfPointerNamingEscapingPath_IsRefusedBeforeAnythingIsWritten()
    {
        using var ws = await TestWorkspace.CreateAsync();
        using var repo = ws.Open();
        var obj = await repo.Cache.AddBytesAsync("payload"u8.ToArray(), Ct);
        // A hand-crafted tree that tries to write outside its folder; TreeObject.Create would refuse it, so write raw JSON.
        var evil = System.Text.Encoding.UTF8.GetBytes($"{{\"entries\":[{{\"path\":\"../../escaped.txt\",\"sha256\":\"{obj.Hex}\",\"size\":7}}],\"format\":\"obs-tree-1\"}}");
        var tree = await repo.Cache.AddBytesAsync(evil, Ct);
        ws.Git.WriteFile("data/evil.obs", new PointerFile("evil", tree, 1, 7).Serialize());

        await Assert.ThrowsAsync<DataCheckException>(() => CheckoutOperation.RunAsync(repo, [], new CheckoutOptions(), Ct));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(ws.Root)!, "escaped.txt")));
        Assert.False(File.Exists(ws.Git.PathOf("escaped.txt")));
        Assert.False(Directory.Exists(ws.Git.PathOf("data/evil")));
    }

    [Fact]
    public async Task Pointer_WithPathOutsideTheWorkspace_IsRefused()
    {
        using var ws = await TestWorkspace.CreateAsync();
        ws.Git.WriteFile("data/evil.obs", $"path: ../../../tmp/x\ntree: {ContentHash.Compute("t"u8).Hex}\n");
        using var repo = ws.Open();
        var ex = await Assert.ThrowsAsync<DataCheckException>(() => CheckoutOperation.RunAsync(repo, [], new CheckoutOptions(), Ct));
        Assert.Contains("data/evil.obs", ex.Message);
    }

    [Fact]
    public async Task Checkout_ThroughASymlinkLeadingOutside_IsRefused()
    {
        using var ws = await TestWorkspace.CreateAsync();
        using var outside = new Observatory.Testing.TempDirectory("outside");
        ws.WriteFiles("data/set", 3, seed: 5);
        using var repo = ws.Open();
        await AddOperation.RunAsync(repo, [ws.Git.PathOf("data/set")], new AddOptions(), Ct);
        Directory.Delete(ws.Git.PathOf("data/set/sub1"), recursive: true);
        Directory.CreateSymbolicLink(ws.Git.PathOf("data/set/sub1"), outside.Path);

        var ex = await Assert.ThrowsAsync<DataCheckException>(() => CheckoutOperation.RunAsync(repo, [], new CheckoutOptions { Force = true }, Ct));
        Assert.Contains("symbolic link", ex.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside.Path));
    }

    [Fact]
    public async Task Add_OfFolderWithSymlinkToAFileOutside_IsRefused()
    {
        using var ws = await TestWorkspace.CreateAsync();
        using var outside = new Observatory.Testing.TempDirectory("outside");
        File.WriteAllText(outside.Combine("secret.txt"), "secret");
        ws.WriteFiles("data/set", 2, seed: 6);
        File.CreateSymbolicLink(ws.Git.PathOf("data/set/link.txt"), outside.Combine("secret.txt"));
        using var repo = ws.Open();
        var ex = await Assert.ThrowsAsync<DataCheckException>(() => AddOperation.RunAsync(repo, [ws.Git.PathOf("data/set")], new AddOptions(), Ct));
        Assert.Contains("link.txt", ex.Message);
        Assert.False(File.Exists(ws.Git.PathOf("data/set.obs")));
    }

    [Fact]
    public async Task MissingTreeObject_IsReportedWithPointerPathAndHash()
    {
        using var ws = await TestWorkspace.CreateAsync();
        var missing = ContentHash.Compute("never stored"u8);
        ws.Git.WriteFile("data/gone.obs", new PointerFile("gone", missing, 1, 1).Serialize());
        using var repo = ws.Open();
        var ex = await Assert.ThrowsAsync<StoreException>(() => ListOperation.RunAsync(repo, null, [], Ct));
        Assert.Contains("data/gone.obs", ex.Message);
        Assert.Contains(missing.Hex, ex.Message);
    }

    [Fact]
    public async Task CorruptTreeObject_IsReportedWithPointerPathAndHash()
    {
        using var ws = await TestWorkspace.CreateAsync();
        ws.WriteFiles("data/set", 2, seed: 7);
        using var repo = ws.Open();
        await AddOperation.RunAsync(repo, [ws.Git.PathOf("data/set")], new AddOptions(), Ct);
        var pointer = PointerFile.Parse(File.ReadAllText(ws.Git.PathOf("data/set.obs")), "p");
        var path = repo.Cache.PathOf(pointer.Tree);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(path, "{garbage");
        var ex = await Assert.ThrowsAsync<DataCheckException>(() => ListOperation.RunAsync(repo, null, [], Ct));
        Assert.Contains("data/set.obs", ex.Message);
        Assert.Contains(pointer.Tree.Hex, ex.Message);
    }

    [Fact]
    public async Task Open_OutsideAGitWorkTree_FailsWithUsageError()
    {
        using var dir = new Observatory.Testing.TempDirectory("nogit");
        var ex = Assert.Throws<UsageException>(() => ObsRepository.Open(dir.Path, TestWorkspace.Environment()));
        Assert.Contains("not inside a git work tree", ex.Message);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Add_OfPathOutsideTheWorkspace_IsRefused()
    {
        using var ws = await TestWorkspace.CreateAsync();
        using var outside = new Observatory.Testing.TempDirectory("outside");
        using var repo = ws.Open();
        var ex = await Assert.ThrowsAsync<UsageException>(() => AddOperation.RunAsync(repo, [outside.Path], new AddOptions(), Ct));
        Assert.Contains("outside the workspace", ex.Message);
    }

    [Fact]
    public void NextVersion_IsOneMoreThanTheHighestTagOfThatDataset()
    {
        Assert.Equal(1, CommitOperation.NextVersion([], "food"));
        Assert.Equal(3, CommitOperation.NextVersion(["food@v1", "food@v2", "other@v9", "food@vx"], "food"));
    }
}

public sealed class HardlinkCacheTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task HardlinkMode_LinksFilesIntoTheCacheReadOnly_AndCheckoutRestoresLinks()
    {
        using var ws = await TestWorkspace.CreateAsync();
        File.AppendAllText(ws.Git.PathOf(".obs/config"), "cache:\n  type: hardlink\n");
        ws.WriteFiles("data/set", 6, seed: 9);
        using var repo = ws.Open();
        Assert.Equal(Observatory.DataService.Core.Config.CacheType.Hardlink, repo.Config.Cache.Type);
        await AddOperation.RunAsync(repo, [ws.Git.PathOf("data/set")], new AddOptions(), Ct);

        var file = Directory.EnumerateFiles(ws.Git.PathOf("data/set"), "*", SearchOption.AllDirectories).First();
        var hash = ContentHash.Compute(File.ReadAllBytes(file));
        Assert.Equal(2, LinkCount(file)); // the workspace file and the cache object are one inode
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(repo.Cache.PathOf(hash)));

        File.Delete(file);
        await CheckoutOperation.RunAsync(repo, [], new CheckoutOptions(), Ct);
        Assert.Equal(2, LinkCount(file));
        Assert.Equal(DatasetState.Clean, (await StatusOperation.RunAsync(repo, [], Ct)).Single().State);
    }

    private static long LinkCount(string path)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%h", path]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return long.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
