using System.Diagnostics;
using System.Security.Cryptography;
using Observatory.Testing;

namespace Observatory.Cli.Tests;

/// <summary>
/// `kill -9` of a real `obs` child process in the middle of add, commit and checkout: afterwards the store is consistent
/// (no pointer names a missing object, no object is corrupt, no half-written workspace file) and the next command completes.
/// </summary>
public sealed class KillTests
{
    private const int Files = 1500;
    private const int Size = 48 * 1024;
    private const int AddFiles = 4000;

    [Theory]
    [InlineData(20)]
    [InlineData(400)]
    [InlineData(1200)]
    public async Task Add_KilledMidRun_LeavesAConsistentStore_AndTheNextAddCompletes(int objectsBeforeKill)
    {
        using var repo = new GitSandbox("kill-add");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        // More files than the other kill tests: add is the fastest verb, and the kill must land before it finishes.
        StoreInvariants.WriteRandomFiles(repo.PathOf("data/set"), AddFiles, seed: 11, size: Size);

        var killedMidway = await KillWhenAsync(repo.Root, ["add", "data/set", "--no-validate"],
            () => StoreInvariants.CountFiles(repo.PathOf(".obs/cache/objects")) >= objectsBeforeKill);
        Assert.True(killedMidway, "obs add finished before the kill; the test data is too small to interrupt it");

        StoreInvariants.AssertConsistent(repo.Root);
        Assert.False(File.Exists(repo.PathOf("data/set.obs")), "a pointer was written before all objects were in the cache");

        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/set", "--no-validate"));
        StoreInvariants.AssertConsistent(repo.Root);
        Assert.Contains("clean", (await ObsProcess.RunAsync(repo.Root, "status")).Stdout);
        Assert.Empty(Directory.EnumerateFiles(repo.PathOf(".obs/tmp")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(300)]
    [InlineData(1000)]
    public async Task Checkout_KilledMidRun_LeavesOnlyWholeFiles_AndTheNextCheckoutFinishes(int filesBeforeKill)
    {
        using var repo = new GitSandbox("kill-co");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        StoreInvariants.WriteRandomFiles(repo.PathOf("data/set"), Files, seed: 21, size: Size);
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/set", "--no-validate"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "v1", "--tag", "--no-validate"));
        var v1 = repo.Snapshot("data/set");
        StoreInvariants.WriteRandomFiles(repo.PathOf("data/set"), Files, seed: 22, size: Size);
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "v2", "--tag", "--no-validate"));
        var v2 = repo.Snapshot("data/set");

        // Count files already restored to v1 content as the progress signal.
        var sample = v1.Keys.ToArray();
        int Restored() => sample.Count(p => File.Exists(repo.PathOf("data/set/" + p)) && Hash(repo.PathOf("data/set/" + p)) == v1[p]);
        var probe = sample.Take(200).ToArray();
        int RestoredProbe() => probe.Count(p => Hash(repo.PathOf("data/set/" + p)) == v1[p]);
        await KillWhenAsync(repo.Root, ["checkout", "--rev", "set@v1", "data/set"], () => RestoredProbe() * Files / probe.Length >= filesBeforeKill);

        foreach (var (path, hash) in repo.Snapshot("data/set"))
            Assert.True(hash == v1[path] || hash == v2[path], $"{path} is neither the v1 nor the v2 file: a half-written file was left");
        StoreInvariants.AssertConsistent(repo.Root);

        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "checkout", "--rev", "set@v1", "data/set"));
        Assert.Equal(v1, repo.Snapshot("data/set"));
        Assert.Equal(Files, Restored());
    }

    [Theory]
    [InlineData(50)]
    [InlineData(900)]
    public async Task Commit_KilledMidRun_NeverCommitsAPointerToMissingObjects_AndTheNextCommitCompletes(int objectsBeforeKill)
    {
        using var repo = new GitSandbox("kill-commit");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        StoreInvariants.WriteRandomFiles(repo.PathOf("data/set"), 10, seed: 31, size: 100);
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/set", "--no-validate"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "v1", "--no-validate"));
        var before = StoreInvariants.CountFiles(repo.PathOf(".obs/cache/objects"));
        StoreInvariants.WriteRandomFiles(repo.PathOf("data/set"), Files, seed: 32, size: Size);

        await KillWhenAsync(repo.Root, ["commit", "-m", "v2", "--no-validate"],
            () => StoreInvariants.CountFiles(repo.PathOf(".obs/cache/objects")) - before >= objectsBeforeKill);
        StoreInvariants.AssertConsistent(repo.Root);

        // Whatever HEAD says must be restorable from the cache.
        var committed = repo.HeadFile("data/set.obs")!;
        var pointer = Observatory.DataService.Core.Pointers.PointerFile.Parse(committed, "HEAD:data/set.obs");
        Assert.True(File.Exists(repo.PathOf($".obs/cache/objects/{pointer.Tree.Hex[..2]}/{pointer.Tree.Hex[2..]}")));

        if (File.Exists(repo.PathOf(".git/index.lock"))) File.Delete(repo.PathOf(".git/index.lock")); // git's own lock, as after a killed `git commit`
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "v2", "--no-validate"));
        StoreInvariants.AssertConsistent(repo.Root);
        Assert.Contains("clean", (await ObsProcess.RunAsync(repo.Root, "status")).Stdout);
        var head = Observatory.DataService.Core.Pointers.PointerFile.Parse(repo.HeadFile("data/set.obs")!, "HEAD");
        Assert.Equal(Files, head.Files); // the first ten v1 files were overwritten by the same names
    }

    /// <summary>Starts obs, waits for the condition (or for exit), then SIGKILLs it. Returns whether it was still running.</summary>
    private static async Task<bool> KillWhenAsync(string root, string[] args, Func<bool> condition)
    {
        using var process = ObsProcess.Start(root, args);
        var sw = Stopwatch.StartNew();
        while (!process.HasExited && sw.Elapsed < TimeSpan.FromMinutes(2))
        {
            bool ready;
            try { ready = condition(); } catch (IOException) { ready = false; }
            if (ready) break;
            await Task.Delay(5);
        }
        var running = !process.HasExited;
        if (running) process.Kill(entireProcessTree: true); // SIGKILL
        await process.WaitForExitAsync();
        return running;
    }

    private static string Hash(string path)
    {
        try { return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))); }
        catch (IOException) { return ""; }
    }
}
