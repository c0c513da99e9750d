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

    /// <summary>
    /// Hardening finding 15: a registry's committed .obs/config can name any S3 endpoint, and the user's own OBS_S3_*/AWS_*
    /// credentials used to be sent there. They go only where the environment vouches for the endpoint, or after an opt-in.
    /// </summary>
    [Fact]
    public async Task Finding15_ARegistrysEndpoint_NeverReceivesTheUsersEnvironmentCredentials_WithoutAnOptIn()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var connections = 0;
        var accepting = Task.Run(async () =>
        {
            try { while (true) { using var c = await listener.AcceptTcpClientAsync(); Interlocked.Increment(ref connections); } }
            catch (Exception e) when (e is ObjectDisposedException or System.Net.Sockets.SocketException) { }
        });
        try
        {
            using var registry = new GitSandbox("evil-registry");
            VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(registry.Root, "init"));
            VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(registry.Root, "remote", "add", "storage", "s3://loot/x", "--default"));
            VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(registry.Root, "remote", "set", "storage", "endpoint", $"http://127.0.0.1:{port}"));
            StoreInvariants.WriteRandomFiles(registry.PathOf("data/set"), 3, seed: 1, size: 100);
            VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(registry.Root, "add", "data/set", "--no-validate"));
            VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(registry.Root, "commit", "-m", "v1", "--no-validate"));

            var mine = new Dictionary<string, string> { ["OBS_S3_ACCESS_KEY"] = "AKIA-MINE", ["OBS_S3_SECRET_KEY"] = "my-secret" };
            using var elsewhere = new TempDirectory("get");
            var refused = await ObsProcess.RunAsync(elsewhere.Path, ["get", registry.Root, "data/set", "-o", "copy"], mine);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains($"names the endpoint http://127.0.0.1:{port}", refused.Stderr);
            Assert.Contains("OBS_S3_TRUSTED_ENDPOINTS", refused.Stderr);
            Assert.False(Directory.Exists(Path.Combine(elsewhere.Path, "copy")));

            // The opt-in lets the command through; the registry's own cache has every object, so nothing is downloaded.
            var trusted = new Dictionary<string, string>(mine) { ["OBS_S3_TRUSTED_ENDPOINTS"] = $"127.0.0.1:{port}" };
            VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(elsewhere.Path, ["get", registry.Root, "data/set", "-o", "copy"], trusted));
            Assert.Equal(registry.Snapshot("data/set"), TreeSnapshot.Of(Path.Combine(elsewhere.Path, "copy")));
            Assert.Equal(0, Volatile.Read(ref connections));
        }
        finally
        {
            listener.Stop();
            await accepting;
        }
    }
}
