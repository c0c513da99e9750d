using System.Text.Json;
using Observatory.Testing;

namespace Observatory.Cli.Tests;

/// <summary>`obs init --subdir`: an obs workspace in a sub-folder of a larger git repository (a monorepo's data registry).</summary>
public sealed class SubdirWorkspaceTests
{
    [Fact]
    public async Task SubdirWorkspace_VersionsItsDatasets_AndServesAsARegistry()
    {
        using var repo = new GitSandbox("mono");
        repo.WriteFile("src/app.txt", "the rest of the monorepo");
        var registry = repo.PathOf("registry");
        Directory.CreateDirectory(registry);
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(registry, "init", "--subdir"));
        Assert.True(Directory.Exists(repo.PathOf("registry/.obs")));
        Assert.False(Directory.Exists(repo.PathOf(".obs")));

        StoreInvariants.WriteRandomFiles(repo.PathOf("registry/data/set"), 6, seed: 1, size: 300);
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(registry, "add", "data/set", "--no-validate"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(registry, "commit", "-m", "v1", "--tag", "--no-validate"));
        Assert.NotNull(repo.HeadFile("registry/data/set.obs"));
        Assert.NotNull(repo.HeadFile("registry/.obs/config"));
        Assert.Contains("/set", repo.HeadFile("registry/data/.gitignore"));
        var v1 = repo.Snapshot("registry/data/set");

        repo.WriteFile("registry/data/set/more.bin", "v2");
        // Commands work from any folder inside the sub-workspace.
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.PathOf("registry/data"), "commit", "-m", "v2", "--tag", "--no-validate"));
        var log = await ObsProcess.RunAsync(registry, "log", "--json");
        VersioningEndToEndTests.Ok(log);
        Assert.Equal(2, JsonDocument.Parse(log.Stdout).RootElement.GetArrayLength());
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(registry, "checkout", "--rev", "set@v1", "data/set"));
        Assert.Equal(v1, repo.Snapshot("registry/data/set"));

        // Another project takes v1 through the monorepo's git history; objects come from the sub-workspace's cache.
        using var elsewhere = new TempDirectory("get");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(elsewhere.Path, "get", repo.Root, "registry/data/set", "--rev", "set@v1", "-o", "set"));
        Assert.Equal(v1, TreeSnapshot.Of(Path.Combine(elsewhere.Path, "set")));
    }
}
