using LibGit2Sharp;
using Observatory.Samples;
using Observatory.Testing;

namespace Observatory.Cli.Tests;

/// <summary>Findings of the hardening review that concern `obs` itself, each tried the way an attacker would.</summary>
public sealed class HardeningTests
{
    /// <summary>
    /// Finding 8: a committed pointer whose path is <c>.git</c> (or the workspace's <c>.obs</c>) used to make
    /// `obs checkout --force` delete every file of the repository and write the dataset into <c>.git/</c>.
    /// It is now refused before anything is written, with or without --force, from the workspace or from history.
    /// </summary>
    [Theory]
    [InlineData("evil.obs", ".git")]
    [InlineData("evil.obs", ".GIT.")]
    [InlineData("evil.obs", ".git/hooks")]
    [InlineData("evil.obs", ".obs")]
    [InlineData("data/evil.obs", ".git")]
    public async Task Finding8_APointerNamingGitOrObs_IsRefusedByCheckout_AndTheRepositoryIsUntouched(string pointerPath, string named)
    {
        using var repo = new GitSandbox("dotgit");
        SampleDataset.Generate(repo.PathOf("data/food"), new SampleDatasetOptions { TrainCount = 4, ValCount = 2 });
        using var remote = new TempDirectory("dotgit-remote");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "remote", "add", "share", remote.Path, "--default"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/food"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "food v1"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "push"));

        // The dataset's own pointer, its path swapped for the reserved folder: every object it names is in the cache.
        var pointer = File.ReadAllText(repo.PathOf("data/food.obs")).Replace("path: food", "path: " + named, StringComparison.Ordinal);
        Assert.Contains("path: " + named, pointer);
        repo.WriteFile(pointerPath, pointer);
        using (var git = new Repository(repo.Root))
        {
            LibGit2Sharp.Commands.Stage(git, pointerPath);
            var me = new Signature("Mallory", "m@example.com", DateTimeOffset.UtcNow);
            git.Commit("a pointer naming " + named, me, me);
        }
        var gitBefore = repo.Snapshot(".git");
        var obsBefore = repo.Snapshot(".obs");

        foreach (var args in new[] { new[] { "checkout", "--force" }, ["checkout", "--rev", "HEAD", "--force"], ["pull"] })
        {
            var run = await ObsProcess.RunAsync(repo.Root, args);
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains(pointerPath, run.Stderr);
            Assert.Contains("refused", run.Stderr);
            Assert.Single(run.Stderr.Trim().Split('\n'));
        }

        Assert.Equal(gitBefore, repo.Snapshot(".git"));
        // Pull may fill the cache (pack indexes) before it reads pointers; nothing of .obs may be lost or replaced by dataset files.
        var obsAfter = repo.Snapshot(".obs");
        Assert.All(obsBefore.Where(kv => kv.Key != "lock.owner"), kv => Assert.Equal(kv.Value, obsAfter.GetValueOrDefault(kv.Key)));
        Assert.False(Directory.Exists(repo.PathOf(".obs/images")));
        Assert.False(Directory.Exists(repo.PathOf(".git/images")));
    }

    /// <summary>Finding 8, the tree side: a dataset folder holding a nested repository keeps git's files out of the version.</summary>
    [Fact]
    public async Task Finding8_ANestedGitFolderInsideADataset_IsNotVersioned()
    {
        using var repo = new GitSandbox("nestedgit");
        SampleDataset.Generate(repo.PathOf("data/food"), new SampleDatasetOptions { TrainCount = 2, ValCount = 1 });
        repo.WriteFile("data/food/.git/config", "[core]\n");
        repo.WriteFile("data/food/sub/.Git/HEAD", "ref: refs/heads/main\n");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/food"));
        var ls = await ObsProcess.RunAsync(repo.Root, "ls", "data/food");
        VersioningEndToEndTests.Ok(ls);
        Assert.Contains("images/train", ls.Stdout);
        Assert.DoesNotContain(".git", ls.Stdout, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Finding 9: a folder link inside a tracked folder was followed by `obs add` (a link to a secrets folder was hashed and
    /// could be pushed) and by checkout's deletions. It is refused by name, nothing of its target enters the cache, and a
    /// checkout that would delete through it is refused before it deletes anything.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Finding9_AFolderLinkInsideADataset_IsNeverFollowed(bool targetOutsideTheWorkspace)
    {
        using var repo = new GitSandbox("dirlink");
        using var outside = new TempDirectory("secrets");
        var target = targetOutsideTheWorkspace ? outside.Path : repo.PathOf("notes");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "id_rsa"), "PRIVATE KEY " + targetOutsideTheWorkspace);
        var secretHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(target, "id_rsa"))));
        SampleDataset.Generate(repo.PathOf("data/food"), new SampleDatasetOptions { TrainCount = 2, ValCount = 1 });
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/food"));
        Directory.CreateSymbolicLink(repo.PathOf("data/food/keys"), target);

        foreach (var args in new[] { new[] { "add", "data/food" }, ["status"], ["checkout", "--force"] })
        {
            var run = await ObsProcess.RunAsync(repo.Root, args);
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains("'data/food/keys' is a symbolic link to a folder", run.Stderr);
        }
        Assert.Empty(Directory.EnumerateFiles(repo.PathOf(".obs/cache"), secretHash, SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(target, "id_rsa")), "checkout deleted through the link");
    }

    /// <summary>Finding 2, local side: `obs gc` keeps what every branch and every stash entry names, not only HEAD and tags.</summary>
    [Fact]
    public async Task Finding2_LocalGc_KeepsTheVersionsOfOtherBranchesAndOfTheStash()
    {
        using var repo = new GitSandbox("gcrefs");
        SampleDataset.Generate(repo.PathOf("data/food"), new SampleDatasetOptions { TrainCount = 4, ValCount = 2 });
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/food"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "food v1"));
        string main;
        using (var git = new Repository(repo.Root))
        {
            main = git.Head.FriendlyName;
            LibGit2Sharp.Commands.Checkout(git, git.CreateBranch("experiment"));
        }
        repo.WriteFile("data/food/extra/branch-only.txt", "only on the experiment branch");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "experiment", "--allow-invalid"));
        using (var git = new Repository(repo.Root)) LibGit2Sharp.Commands.Checkout(git, git.Branches[main]);
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "checkout"));

        // A version parked in a stash: added, then stashed, then the workspace put back to HEAD.
        repo.WriteFile("data/food/extra/stash-only.txt", "only in the stash");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/food", "--allow-invalid"));
        using (var git = new Repository(repo.Root)) git.Stashes.Add(new Signature("Test User", "test@example.com", DateTimeOffset.UtcNow), "park");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "checkout"));
        Assert.False(File.Exists(repo.PathOf("data/food/extra/stash-only.txt")));

        var gc = await ObsProcess.RunAsync(repo.Root, "gc", "--json");
        VersioningEndToEndTests.Ok(gc);
        var removed = System.Text.Json.JsonDocument.Parse(gc.Stdout).RootElement.GetProperty("removed").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.DoesNotContain(Sha("only on the experiment branch"), removed);
        Assert.DoesNotContain(Sha("only in the stash"), removed);
        using (var git = new Repository(repo.Root)) LibGit2Sharp.Commands.Checkout(git, git.Branches["experiment"]);
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "checkout"));
        Assert.Equal("only on the experiment branch", File.ReadAllText(repo.PathOf("data/food/extra/branch-only.txt")));
    }

    private static string Sha(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>Hardening (low): .obs/config.local holds credentials; it is written readable by its owner only.</summary>
    [Fact]
    public async Task ConfigLocal_WithCredentials_IsWrittenOwnerReadableOnly()
    {
        using var repo = new GitSandbox("cfglocal");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "remote", "add", "s3", "s3://bucket/prefix", "--default"));
        var local = repo.PathOf(".obs/config.local");
        if (File.Exists(local)) File.SetUnixFileMode(local, (UnixFileMode)0b110_100_100); // an older, world-readable file
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "remote", "set", "s3", "secret_key", "s3cr3t"));
        Assert.Contains("s3cr3t", File.ReadAllText(local));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(local));
    }
}
