using System.Text.Json;
using Observatory.Samples;
using Observatory.Testing;

namespace Observatory.Cli.Tests;

/// <summary>The `obs` CLI as users run it: a real child process in a real git repository.</summary>
public sealed class VersioningEndToEndTests
{
    [Fact]
    public async Task InitAddCommitChangeCommitDiffCheckoutGc_BehavesAsDocumented()
    {
        using var repo = new GitSandbox("e2e");
        var root = repo.Root;
        SampleDataset.Generate(repo.PathOf("data/food"), new SampleDatasetOptions { TrainCount = 30, ValCount = 10 });

        Ok(await ObsProcess.RunAsync(root, "init"));
        Ok(await ObsProcess.RunAsync(root, "add", "data/food"));
        Ok(await ObsProcess.RunAsync(root, "commit", "-m", "food v1", "--tag"));
        Assert.Contains("food@v1", repo.Tags());
        Assert.NotNull(repo.HeadFile("data/food.obs"));
        Assert.Contains("/food", repo.HeadFile("data/.gitignore"));
        var v1 = repo.Snapshot("data/food");

        // 10 added, 5 deleted, 3 modified.
        for (var i = 0; i < 10; i++) repo.WriteFile($"data/food/extra/new_{i}.txt", $"new {i}");
        var images = v1.Keys.Where(k => k.StartsWith("images/train/", StringComparison.Ordinal)).ToList();
        foreach (var p in images.Take(5)) File.Delete(repo.PathOf("data/food/" + p));
        foreach (var p in images.Skip(5).Take(3)) File.AppendAllText(repo.PathOf("data/food/" + p), "changed");

        var status = await ObsProcess.RunAsync(root, "status", "--json");
        Ok(status);
        var s = JsonDocument.Parse(status.Stdout).RootElement.GetProperty("datasets")[0];
        Assert.Equal("modified", s.GetProperty("state").GetString());
        Assert.Equal(10, s.GetProperty("added").GetArrayLength());

        // The COCO file still lists the deleted images: the gate refuses the version until told otherwise.
        var refused = await ObsProcess.RunAsync(root, "commit", "-m", "food v2", "--tag");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("coco.missing_file", refused.Stdout);
        Assert.DoesNotContain("food@v2", repo.Tags());
        Ok(await ObsProcess.RunAsync(root, "commit", "-m", "food v2", "--tag", "--allow-invalid"));
        var v2 = repo.Snapshot("data/food");

        var diff = await ObsProcess.RunAsync(root, "diff", "food@v1", "food@v2", "--json");
        Ok(diff);
        var d = JsonDocument.Parse(diff.Stdout).RootElement;
        Assert.Equal(10, d.GetProperty("summary").GetProperty("added").GetInt32());
        Assert.Equal(5, d.GetProperty("summary").GetProperty("deleted").GetInt32());
        Assert.Equal(3, d.GetProperty("summary").GetProperty("modified").GetInt32());
        Assert.Equal(images.Take(5).Select(p => "data/food/" + p).Order(StringComparer.Ordinal),
            d.GetProperty("deleted").EnumerateArray().Select(e => e.GetProperty("path").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(d.GetProperty("added").EnumerateArray(), e => Assert.StartsWith("data/food/extra/new_", e.GetProperty("path").GetString()));
        Assert.Equal(v1["images/train/" + images[5]["images/train/".Length..]], d.GetProperty("modified")[0].GetProperty("old").GetProperty("sha256").GetString());

        // Restore v1 from history without `git checkout`: byte-identical.
        Ok(await ObsProcess.RunAsync(root, "checkout", "--rev", "food@v1", "data/food"));
        Assert.Equal(v1, repo.Snapshot("data/food"));

        // An untagged v3 that is then abandoned: gc (keep tags) removes just its objects.
        Ok(await ObsProcess.RunAsync(root, "checkout", "--rev", "food@v2", "data/food"));
        repo.WriteFile("data/food/extra/only_in_v3.txt", "v3 only");
        Ok(await ObsProcess.RunAsync(root, "commit", "-m", "food v3 (untagged)", "--allow-invalid"));
        Ok(await ObsProcess.RunAsync(root, "checkout", "--rev", "food@v2", "data/food"));
        Ok(await ObsProcess.RunAsync(root, "commit", "-m", "back to v2", "--allow-invalid"));
        var gc = await ObsProcess.RunAsync(root, "gc", "--json");
        Ok(gc);
        var removed = JsonDocument.Parse(gc.Stdout).RootElement.GetProperty("removed").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(3, removed.Count); // v3's tree, its one new file and its validation report
        Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("v3 only"u8)), removed);

        Ok(await ObsProcess.RunAsync(root, "checkout", "--rev", "food@v1", "data/food"));
        Assert.Equal(v1, repo.Snapshot("data/food"));
        Ok(await ObsProcess.RunAsync(root, "checkout", "--rev", "food@v2", "data/food"));
        Assert.Equal(v2, repo.Snapshot("data/food"));

        var log = await ObsProcess.RunAsync(root, "log", "data/food", "--json");
        Ok(log);
        var versions = JsonDocument.Parse(log.Stdout).RootElement;
        Assert.Equal(4, versions.GetArrayLength());
        Assert.Equal("food@v1", versions[3].GetProperty("tags")[0].GetString());
        StoreInvariants.AssertConsistent(root);
    }

    [Fact]
    public async Task Ls_ListsFilesOfAnOldVersion_WithoutCheckingItOut()
    {
        using var repo = new GitSandbox("ls");
        StoreInvariants.WriteRandomFiles(repo.PathOf("data/set"), 5, seed: 1, size: 100);
        Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/set"));
        Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "v1", "--tag", "set-first"));
        StoreInvariants.WriteRandomFiles(repo.PathOf("data/set"), 8, seed: 2, size: 100);
        Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "v2"));

        var ls = await ObsProcess.RunAsync(repo.Root, "ls", "--rev", "set-first", "--json");
        Ok(ls);
        Assert.Equal(5, JsonDocument.Parse(ls.Stdout).RootElement.GetArrayLength());
        Assert.Equal(8, StoreInvariants.CountFiles(repo.PathOf("data/set")));
    }

    [Fact]
    public async Task OutsideAGitWorkTree_ExitsWithUsageCode2_AndOneClearLine()
    {
        using var dir = new TempDirectory("nogit");
        var run = await ObsProcess.RunAsync(dir.Path, "status");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("not inside a git work tree", run.Stderr);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task BeforeInit_ExitsWithUsageCode2_AndSaysToRunInit()
    {
        using var repo = new GitSandbox("noinit");
        var run = await ObsProcess.RunAsync(repo.Root, "status");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("obs init", run.Stderr);
    }

    [Fact]
    public async Task Add_OfMissingPath_ExitsWithUsageCode2_NamingThePath()
    {
        using var repo = new GitSandbox("missing");
        Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        var run = await ObsProcess.RunAsync(repo.Root, "add", "data/nope");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("data/nope", run.Stderr);
        Assert.False(File.Exists(repo.PathOf("data/nope.obs")));
    }

    [Fact]
    public async Task UnknownOption_ExitsWithUsageCode2()
    {
        using var repo = new GitSandbox("usage");
        var run = await ObsProcess.RunAsync(repo.Root, "add", "--bogus");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--bogus", run.Stderr);
    }

    [Fact]
    public async Task Checkout_OfUnknownRevision_ExitsWithUsageCode2()
    {
        using var repo = new GitSandbox("rev");
        Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        var run = await ObsProcess.RunAsync(repo.Root, "checkout", "--rev", "no-such-tag");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no-such-tag", run.Stderr);
    }

    [Fact]
    public async Task SecondWriter_GetsAClearLockError_AndExitCode3()
    {
        using var repo = new GitSandbox("lock");
        Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        StoreInvariants.WriteRandomFiles(repo.PathOf("data/set"), 3, seed: 1, size: 100);
        using (await Observatory.DataService.Core.Store.WorkspaceLock.AcquireAsync(repo.PathOf(".obs/lock"), TimeSpan.Zero, TimeProvider.System, CancellationToken.None))
        {
            var run = await ObsProcess.RunAsync(repo.Root, ["add", "data/set"], new Dictionary<string, string> { ["OBS_LOCK_TIMEOUT"] = "1" });
            Assert.Equal(3, run.ExitCode);
            Assert.Contains("another obs process", run.Stderr);
            Assert.False(File.Exists(repo.PathOf("data/set.obs")));
        }
        Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/set"));
    }

    [Fact]
    public async Task Help_ListsEveryVerb()
    {
        using var dir = new TempDirectory("help");
        var run = await ObsProcess.RunAsync(dir.Path, "--help");
        Assert.Equal(0, run.ExitCode);
        foreach (var verb in new[] { "init", "add", "status", "commit", "checkout", "diff", "log", "ls", "gc" })
            Assert.Contains(verb, run.Stdout);
    }

    internal static void Ok(ObsRun run) => Assert.True(run.ExitCode == 0, run.ToString());
}
