using System.Text.Json;
using Observatory.Samples;
using Observatory.Testing;
using static Observatory.Cli.Tests.VersioningEndToEndTests;

namespace Observatory.Cli.Tests;

/// <summary>Issue 17, "The first hour": what a new user following the README hit, through the real `obs` process.</summary>
public sealed class FirstHourTests
{
    [Fact]
    public async Task RemoteAdd_StagesConfigAndSaysToCommitIt_AndACloneWithoutItSaysTheConfigMayNotBeCommitted()
    {
        using var repo = new GitSandbox("first-hour-remote");
        using var remote = new TempDirectory("first-hour-remote-folder");
        SampleDataset.Generate(repo.PathOf("data/food"), new SampleDatasetOptions { TrainCount = 4, ValCount = 2 });
        Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/food"));
        Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "food v1", "--tag"));

        var add = await ObsProcess.RunAsync(repo.Root, "remote", "add", "storage", remote.Path, "--default");
        Ok(add);
        Assert.Contains("staged .obs/config; commit it", add.Stdout);
        using (var git = new LibGit2Sharp.Repository(repo.Root))
            Assert.Equal(LibGit2Sharp.FileStatus.ModifiedInIndex, git.RetrieveStatus(".obs/config"));
        Ok(await ObsProcess.RunAsync(repo.Root, "push"));

        // The user forgot the commit: the clone has no remote, and the error says why that may be.
        using var clone = new TempDirectory("first-hour-clone");
        LibGit2Sharp.Repository.Clone(repo.Root, clone.Path);
        var pull = await ObsProcess.RunAsync(clone.Path, "pull");
        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains("no remote is configured", pull.Stderr);
        Assert.Contains(".obs/config may not have been committed", pull.Stderr);
    }

    [Fact]
    public async Task CheckoutFromHistory_SaysThePointerMovedAndHowToReturn()
    {
        using var repo = new GitSandbox("first-hour-checkout");
        SampleDataset.Generate(repo.PathOf("data/food"), new SampleDatasetOptions { TrainCount = 4, ValCount = 2 });
        Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/food"));
        Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "food v1", "--tag"));
        repo.WriteFile("data/food/extra/new.txt", "v2");
        Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "food v2", "--tag"));

        var back = await ObsProcess.RunAsync(repo.Root, "checkout", "--rev", "food@v1", "data/food");
        Ok(back);
        Assert.Contains("pointer data/food.obs now at food@v1", back.Stdout);
        Assert.Contains("'obs checkout --rev HEAD data/food' returns", back.Stdout);

        // As documented: a plain checkout follows the rewritten pointer and stays on v1; --rev HEAD returns.
        Ok(await ObsProcess.RunAsync(repo.Root, "checkout", "data/food"));
        Assert.False(File.Exists(repo.PathOf("data/food/extra/new.txt")));
        var head = await ObsProcess.RunAsync(repo.Root, "checkout", "--rev", "HEAD", "data/food");
        Ok(head);
        Assert.Contains("pointer data/food.obs back at HEAD", head.Stdout);
        Assert.True(File.Exists(repo.PathOf("data/food/extra/new.txt")));
    }

    [Fact]
    public async Task PushThenPullIntoAClone_ReportTheSameObjectsAndBytes()
    {
        using var repo = new GitSandbox("first-hour-bytes");
        using var remote = new TempDirectory("first-hour-bytes-folder");
        Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        Ok(await ObsProcess.RunAsync(repo.Root, "remote", "add", "storage", remote.Path, "--default"));
        StoreInvariants.WriteRandomFiles(repo.PathOf("data/set"), 30, seed: 7, size: 3000);
        Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/set", "--no-validate"));
        Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "v1", "--tag", "--no-validate"));
        var push = await ObsProcess.RunAsync(repo.Root, "push", "--json");
        Ok(push);

        using var clone = new TempDirectory("first-hour-bytes-clone");
        LibGit2Sharp.Repository.Clone(repo.Root, clone.Path);
        var pull = await ObsProcess.RunAsync(clone.Path, "pull", "--json");
        Ok(pull);
        var (pushed, pulled) = (JsonDocument.Parse(push.Stdout).RootElement, JsonDocument.Parse(pull.Stdout).RootElement);
        Assert.Equal(pushed.GetProperty("transferred").GetInt32(), pulled.GetProperty("transferred").GetInt32());
        Assert.Equal(pushed.GetProperty("bytes").GetInt64(), pulled.GetProperty("bytes").GetInt64());
    }
}
