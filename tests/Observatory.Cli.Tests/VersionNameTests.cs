using System.Text.Json;
using LibGit2Sharp;
using Observatory.Samples;
using Observatory.Testing;

namespace Observatory.Cli.Tests;

/// <summary>
/// Hardening, fresh-clone defect: <c>name@vN</c> used to be a git tag only, and tags that are not pushed (or not fetched) do not
/// survive a clone. The pointer now records its version number, so the name resolves from history alone; a tag must agree.
/// </summary>
public sealed class VersionNameTests
{
    private static void Ok(ObsRun run) => VersioningEndToEndTests.Ok(run);

    [Fact]
    public async Task VersionNames_ResolveInACloneWithoutTags_AndNumberingContinuesThere()
    {
        using var repo = new GitSandbox("vnames");
        using var remote = new TempDirectory("vnames-remote");
        SampleDataset.Generate(repo.PathOf("data/food"), new SampleDatasetOptions { TrainCount = 6, ValCount = 2 });
        Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        Ok(await ObsProcess.RunAsync(repo.Root, "remote", "add", "share", remote.Path, "--default"));
        Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/food"));
        Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "food v1", "--tag"));
        Assert.Contains("version: 1", repo.HeadFile("data/food.obs"));
        var v1 = repo.Snapshot("data/food");
        repo.WriteFile("data/food/extra/new.txt", "new in v2");
        Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "food v2", "--tag", "--allow-invalid"));
        Assert.Contains("version: 2", repo.HeadFile("data/food.obs"));
        Assert.Equal(["food@v1", "food@v2"], repo.Tags());
        Ok(await ObsProcess.RunAsync(repo.Root, "push", "--rev", "food@v1"));
        Ok(await ObsProcess.RunAsync(repo.Root, "push"));

        using var clone = new TempDirectory("vnames-clone");
        Repository.Clone(repo.Root, clone.Path);
        using (var git = new Repository(clone.Path))
        {
            foreach (var tag in git.Tags.ToList()) git.Tags.Remove(tag);
            git.Config.Set("user.name", "Clone", ConfigurationLevel.Local);
            git.Config.Set("user.email", "clone@example.com", ConfigurationLevel.Local);
            Assert.Empty(git.Tags);
        }

        Ok(await ObsProcess.RunAsync(clone.Path, "pull", "--rev", "food@v1", "data/food"));
        Assert.Equal(v1, TreeSnapshot.Of(Path.Combine(clone.Path, "data", "food")));
        Ok(await ObsProcess.RunAsync(clone.Path, "fetch", "--rev", "food@v2"));
        var diff = await ObsProcess.RunAsync(clone.Path, "diff", "food@v1", "food@v2", "--json");
        Ok(diff);
        Assert.Equal(1, JsonDocument.Parse(diff.Stdout).RootElement.GetProperty("summary").GetProperty("added").GetInt32());
        var log = await ObsProcess.RunAsync(clone.Path, "log", "data/food", "--json");
        Ok(log);
        var tags = JsonDocument.Parse(log.Stdout).RootElement.EnumerateArray().Select(v => v.GetProperty("tags").EnumerateArray().Single().GetString()).ToList();
        Assert.Equal(["food@v2", "food@v1"], tags);

        // A new version committed in the clone is v3, not v1: the numbers come from the pointers' history, not from tags.
        Ok(await ObsProcess.RunAsync(clone.Path, "pull", "--rev", "HEAD", "data/food")); // the v1 pull moved the pointer, as git checkout REV -- path does
        File.WriteAllText(Path.Combine(clone.Path, "data", "food", "extra", "v3.txt"), "v3");
        var v3 = await ObsProcess.RunAsync(clone.Path, "commit", "-m", "food v3", "--tag", "--allow-invalid");
        Ok(v3);
        using (var git = new Repository(clone.Path)) Assert.Equal(["food@v3"], git.Tags.Select(t => t.FriendlyName));
    }

    [Fact]
    public async Task AVersionTag_ThatDisagreesWithThePointer_IsRefusedNotFollowed()
    {
        using var repo = new GitSandbox("vtag");
        SampleDataset.Generate(repo.PathOf("data/food"), new SampleDatasetOptions { TrainCount = 4, ValCount = 1 });
        Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/food"));
        Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "food v1", "--tag"));
        using (var git = new Repository(repo.Root)) git.ApplyTag("food@v7");
        var run = await ObsProcess.RunAsync(repo.Root, "ls", "--rev", "food@v7", "data/food");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("tag 'food@v7' names a commit whose data/food.obs records version 1, not 7", run.Stderr);
    }

    /// <summary>The README's registry names (shapes-train@v1, shapes-val@v2) resolve in this repository, which has no such tags.</summary>
    [Theory]
    [InlineData("shapes-train", 1, 244)]
    [InlineData("shapes-train", 2, 322)]
    [InlineData("shapes-val", 1, 84)]
    [InlineData("shapes-val", 2, 102)]
    public async Task TheRegistrysVersionNames_ResolveWithoutTags(string dataset, int version, int files)
    {
        using var clone = new TempDirectory("registry-clone");
        Repository.Clone(RepoLocator.Root, clone.Path);
        using (var git = new Repository(clone.Path))
            foreach (var tag in git.Tags.ToList()) git.Tags.Remove(tag);
        var registry = Path.Combine(clone.Path, "data-registry");
        var log = await ObsProcess.RunAsync(registry, "log", dataset, "--json");
        Ok(log);
        var named = JsonDocument.Parse(log.Stdout).RootElement.EnumerateArray()
            .Single(v => v.GetProperty("tags").EnumerateArray().Any(t => t.GetString() == $"{dataset}@v{version}"));
        Assert.Equal(files, named.GetProperty("files").GetInt32());
        // Resolution itself: the version's tree object is the one a checkout asks for (the clone's cache is empty).
        var checkout = await ObsProcess.RunAsync(registry, "checkout", "--rev", $"{dataset}@v{version}", dataset);
        Assert.NotEqual(0, checkout.ExitCode);
        Assert.Contains(named.GetProperty("tree").GetString()!, checkout.Stderr);
    }
}
