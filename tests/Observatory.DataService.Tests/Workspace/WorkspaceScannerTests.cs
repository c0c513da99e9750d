using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Tests.Workspace;

/// <summary>
/// The scan merges a depth-first listing with the stat cache's sorted stream: these pin what that merge must still see, and the
/// name orders where a folder walk, UTF-16 ordinal order and SQLite's UTF-8 order disagree.
/// </summary>
public sealed class WorkspaceScannerTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    /// <summary>
    /// Names that sort differently by folder walk, by UTF-16 and by UTF-8: 'a/…' after 'a-b' and 'a.b' ('/' is 0x2F), a character
    /// above U+FFFF (a surrogate pair, first in UTF-16, last in UTF-8) against U+E000 and U+FFFD, accents, case, a prefix-named
    /// folder beside a file of the same stem, and files right under the dataset and deep in it.
    /// </summary>
    private static readonly string[] AwkwardNames =
    [
        "a/b.bin", "a.b", "a-b", "a0", "A/x.bin", "ab/c/d/e.bin", "é.bin", "e\u0301.bin", "z/é/x.bin",
        "\U0001F600.bin", "\uE000.bin", "\uFFFD.bin", "sub/\U0001F600/x.bin", "sub/\uE000/y.bin", "sub/\uE000.bin",
        "sub/\U0001F600.bin", "sub.bin", "sub-x/1.bin", "日本/画像.bin",
    ];

    [Fact]
    public async Task Status_TakesEveryHashFromTheStatCache_WhateverTheNamesSortOrder()
    {
        using var ws = await TestWorkspace.CreateAsync();
        for (var i = 0; i < AwkwardNames.Length; i++) ws.Git.WriteFile("data/set/" + AwkwardNames[i], $"content {i}");
        using var repo = ws.Open();
        await AddOperation.RunAsync(repo, [ws.Git.PathOf("data/set")], new AddOptions(), Ct);

        // Every file changed with size and mtime kept: only a hash would notice, so "clean" proves every entry was matched
        // with its stat cache row; one that the merge passed by would be re-hashed and show as modified.
        foreach (var name in AwkwardNames)
        {
            var file = ws.Git.PathOf("data/set/" + name);
            var mtime = File.GetLastWriteTimeUtc(file);
            var bytes = File.ReadAllBytes(file);
            bytes[0] ^= 0x20;
            File.WriteAllBytes(file, bytes);
            File.SetLastWriteTimeUtc(file, mtime);
        }
        var status = (await StatusOperation.RunAsync(repo, [], Ct)).Single();
        Assert.Equal(DatasetState.Clean, status.State);
    }

    [Fact]
    public async Task Scan_ReturnsEveryFileOnce_InOrdinalOrder_WithItsHash()
    {
        using var ws = await TestWorkspace.CreateAsync();
        for (var i = 0; i < AwkwardNames.Length; i++) ws.Git.WriteFile("data/set/" + AwkwardNames[i], $"content {i}");
        using var repo = ws.Open();

        foreach (var mode in new[] { WorkspaceScanner.Mode.IntoCache, WorkspaceScanner.Mode.HashOnly })
        {
            // The first scan hashes everything, the second takes everything from the stat cache: both must agree.
            var scanned = await WorkspaceScanner.ScanAsync(repo, "data/set", mode, Ct);
            var expected = AwkwardNames.Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected, scanned.Select(e => e.Path));
            for (var i = 0; i < AwkwardNames.Length; i++)
            {
                var entry = scanned.Single(e => e.Path == AwkwardNames[i]);
                Assert.Equal(ContentHash.Compute(System.Text.Encoding.UTF8.GetBytes($"content {i}")), entry.Hash);
            }
        }
    }

    [Fact]
    public async Task Status_AfterTheMerge_SeesAddedDeletedModifiedAndRenamedFiles_AndIgnoresATouchedButUnchangedOne()
    {
        using var ws = await TestWorkspace.CreateAsync();
        foreach (var name in new[] { "a/1.bin", "a/2.bin", "a-b.bin", "a.b", "b/3.bin", "c/4.bin", "c/5.bin", "z.bin" })
            ws.Git.WriteFile("data/set/" + name, "v1 " + name);
        using var repo = ws.Open();
        await AddOperation.RunAsync(repo, [ws.Git.PathOf("data/set")], new AddOptions(), Ct);

        ws.Git.WriteFile("data/set/a/2.bin", "v2, longer content");                                     // modified
        File.Delete(ws.Git.PathOf("data/set/a.b"));                                                      // deleted
        ws.Git.WriteFile("data/set/a/0.bin", "new");                                                     // added
        Directory.CreateDirectory(ws.Git.PathOf("data/set/d"));
        File.Move(ws.Git.PathOf("data/set/c/4.bin"), ws.Git.PathOf("data/set/d/4.bin"));                 // renamed
        File.SetLastWriteTimeUtc(ws.Git.PathOf("data/set/z.bin"), DateTime.UtcNow.AddMinutes(5));        // touched only

        var status = (await StatusOperation.RunAsync(repo, [], Ct)).Single();
        Assert.Equal(DatasetState.Modified, status.State);
        Assert.Equal(["data/set/a/0.bin", "data/set/d/4.bin"], status.Added);
        Assert.Equal(["data/set/a.b", "data/set/c/4.bin"], status.Deleted);
        Assert.Equal(["data/set/a/2.bin"], status.Modified);

        // Put back as they were (the touched file's new mtime now in the stat cache): clean again.
        ws.Git.WriteFile("data/set/a/2.bin", "v1 a/2.bin");
        ws.Git.WriteFile("data/set/a.b", "v1 a.b");
        File.Delete(ws.Git.PathOf("data/set/a/0.bin"));
        File.Move(ws.Git.PathOf("data/set/d/4.bin"), ws.Git.PathOf("data/set/c/4.bin"));
        Assert.Equal(DatasetState.Clean, (await StatusOperation.RunAsync(repo, [], Ct)).Single().State);
    }

    [Fact]
    public async Task Scan_OfManyFolders_ListedAheadInParallel_MissesNoneAndKeepsOrder()
    {
        using var ws = await TestWorkspace.CreateAsync();
        // More folders than are listed ahead, nested, some empty, so the walk waits on, and drops, listings at several depths.
        var names = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            Directory.CreateDirectory(ws.Git.PathOf($"data/set/empty{i}"));
            for (var j = 0; j < i % 4; j++) names.Add($"d{i:D2}/x{j}/f.bin");
            names.Add($"d{i:D2}.bin");
        }
        foreach (var n in names) ws.Git.WriteFile("data/set/" + n, n);
        using var repo = ws.Open();
        var scanned = await WorkspaceScanner.ScanAsync(repo, "data/set", WorkspaceScanner.Mode.HashOnly, Ct);
        Assert.Equal(names.Order(StringComparer.Ordinal), scanned.Select(e => e.Path));
    }

    private static void ForgetStatCacheEntries(TestWorkspace ws)
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={ws.Git.PathOf(".obs/state.db")};Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "DELETE FROM stat";
        cmd.ExecuteNonQuery();
    }

    private static void ChangeKeepingStamp(string file)
    {
        var mtime = File.GetLastWriteTimeUtc(file);
        var bytes = File.ReadAllBytes(file);
        bytes[0] ^= 0x20;
        File.WriteAllBytes(file, bytes);
        File.SetLastWriteTimeUtc(file, mtime);
    }

    [Fact]
    public async Task Status_OfUnchangedStamps_AnswersFromTheRememberedTree_WithoutReadingTheStatCache()
    {
        using var ws = await TestWorkspace.CreateAsync();
        ws.WriteFiles("data/set", 9, seed: 4);
        using var repo = ws.Open();
        await AddOperation.RunAsync(repo, [ws.Git.PathOf("data/set")], new AddOptions(), Ct);
        Assert.Equal(DatasetState.Clean, (await StatusOperation.RunAsync(repo, [], Ct)).Single().State);

        // With the per-file entries gone, only the remembered tree can know these bytes are "unchanged" (same stamps).
        ForgetStatCacheEntries(ws);
        ChangeKeepingStamp(Directory.EnumerateFiles(ws.Git.PathOf("data/set"), "*", SearchOption.AllDirectories).First());
        Assert.Equal(DatasetState.Clean, (await StatusOperation.RunAsync(repo, [], Ct)).Single().State);

        // Any stamp differing (here one mtime) means the tree is worked out again, and without the entries everything is hashed.
        var other = Directory.EnumerateFiles(ws.Git.PathOf("data/set"), "*", SearchOption.AllDirectories).Last();
        File.SetLastWriteTimeUtc(other, File.GetLastWriteTimeUtc(other).AddSeconds(3));
        var status = (await StatusOperation.RunAsync(repo, [], Ct)).Single();
        Assert.Equal(DatasetState.Modified, status.State);
        Assert.Single(status.Modified);
    }

    [Fact]
    public async Task Status_WhenTheRememberedTreeIsNotThePointers_StillListsEachChange()
    {
        using var ws = await TestWorkspace.CreateAsync();
        ws.WriteFiles("data/set", 9, seed: 5);
        using var repo = ws.Open();
        await AddOperation.RunAsync(repo, [ws.Git.PathOf("data/set")], new AddOptions(), Ct);
        var files = Directory.EnumerateFiles(ws.Git.PathOf("data/set"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        File.AppendAllText(files[0], "more");
        File.Move(files[1], files[1] + ".renamed");

        // The first run works the tree out and remembers it; the second answers from it, and must still list the changes.
        for (var run = 0; run < 2; run++)
        {
            var status = (await StatusOperation.RunAsync(repo, [], Ct)).Single();
            Assert.Equal(DatasetState.Modified, status.State);
            Assert.Equal([RepoRelative(ws, files[0])], status.Modified);
            Assert.Equal([RepoRelative(ws, files[1]) + ".renamed"], status.Added);
            Assert.Equal([RepoRelative(ws, files[1])], status.Deleted);
        }

        // A rename keeps size and mtime; only the path in the digest tells it apart.
        File.Move(files[1] + ".renamed", files[1]);
        File.Move(files[2], files[2] + ".x");
        var renamed = (await StatusOperation.RunAsync(repo, [], Ct)).Single();
        Assert.Equal([RepoRelative(ws, files[2]) + ".x"], renamed.Added);
        Assert.Equal([RepoRelative(ws, files[2])], renamed.Deleted);
    }

    private static string RepoRelative(TestWorkspace ws, string full) => Path.GetRelativePath(ws.Root, full).Replace('\\', '/');
}
