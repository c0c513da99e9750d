using Observatory.Testing;

namespace Observatory.Cli.Tests;

/// <summary>`obs get`, `import` and `update` against a second local git repository acting as the data registry.</summary>
public sealed class RegistryTests
{
    [Fact]
    public async Task GetImportAndUpdate_TakeVersionsFromAnotherRepository()
    {
        using var registry = new GitSandbox("registry");
        using var remote = new TempDirectory("registry-remote");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(registry.Root, "init"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(registry.Root, "remote", "add", "storage", remote.Path, "--default"));
        StoreInvariants.WriteRandomFiles(registry.PathOf("data/set"), 12, seed: 1, size: 500);
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(registry.Root, "add", "data/set", "--no-validate"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(registry.Root, "commit", "-m", "v1", "--tag", "--no-validate"));
        var v1 = registry.Snapshot("data/set");
        registry.WriteFile("data/set/extra.bin", "v2 only");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(registry.Root, "commit", "-m", "v2", "--tag", "--no-validate"));
        var v2 = registry.Snapshot("data/set");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(registry.Root, "push", "--rev", "set@v1"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(registry.Root, "push"));

        // get: no workspace needed; an old version, from the registry's history.
        using var elsewhere = new TempDirectory("get");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(elsewhere.Path, "get", registry.Root, "data/set", "--rev", "set@v1", "-o", "copy"));
        Assert.Equal(v1, TreeSnapshot.Of(Path.Combine(elsewhere.Path, "copy")));
        var again = await ObsProcess.RunAsync(elsewhere.Path, "get", registry.Root, "data/set", "-o", "copy");
        Assert.Equal(2, again.ExitCode); // never writes into a non-empty folder

        // With the registry's cache gone, objects come from its configured remote.
        Directory.Delete(registry.PathOf(".obs/cache"), recursive: true);
        using var consumer = new GitSandbox("consumer");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(consumer.Root, "init"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(consumer.Root, "import", registry.Root, "data/set", "--rev", "set@v1", "-o", "vendor/set"));
        Assert.Equal(v1, consumer.Snapshot("vendor/set"));
        var pointer = File.ReadAllText(consumer.PathOf("vendor/set.obs"));
        Assert.Contains("rev: set@v1", pointer);
        Assert.Contains("path: data/set", pointer);
        Assert.Contains("/set", File.ReadAllText(consumer.PathOf("vendor/.gitignore")));

        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(consumer.Root, "update", "vendor/set", "--rev", "set@v2"));
        Assert.Equal(v2, consumer.Snapshot("vendor/set"));
        Assert.Contains("rev: set@v2", File.ReadAllText(consumer.PathOf("vendor/set.obs")));
        var upToDate = await ObsProcess.RunAsync(consumer.Root, "update");
        VersioningEndToEndTests.Ok(upToDate);
        Assert.Contains("up to date", upToDate.Stdout);
    }

    [Fact]
    public async Task Get_OfADatasetTheRegistryDoesNotTrack_ExitsWith2_NamingIt()
    {
        using var registry = new GitSandbox("registry");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(registry.Root, "init"));
        StoreInvariants.WriteRandomFiles(registry.PathOf("data/set"), 2, seed: 1, size: 10);
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(registry.Root, "commit", "-m", "empty", "--no-validate"));
        using var elsewhere = new TempDirectory("get");
        var run = await ObsProcess.RunAsync(elsewhere.Path, "get", registry.Root, "data/nothing");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("data/nothing", run.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere.Path));
    }
}
