using System.Text.Json;
using Observatory.Testing;

namespace Observatory.Cli.Tests;

/// <summary>
/// One contract every remote kind passes, run through the real CLI: push → clone → pull byte-identical, partial pull,
/// resume after kill -9, corruption detected, credentials never printed, remote gc.
/// </summary>
public abstract class RemoteContractTests
{
    /// <summary>Configures remote "storage" (default) in a workspace; the returned env is what a user would export.</summary>
    protected abstract Task<IDictionary<string, string>> ConfigureAsync(string root, string prefix);

    /// <summary>Replaces an object's bytes on the remote behind obs' back.</summary>
    protected abstract void Corrupt(string prefix, string hash);

    /// <summary>Objects the remote holds under a prefix.</summary>
    protected abstract int CountObjects(string prefix);

    protected static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..10];

    private async Task<(GitSandbox Repo, IDictionary<string, string> Env, IReadOnlyDictionary<string, string> V1, IReadOnlyDictionary<string, string> V2)> TwoVersionsAsync(string prefix, int files = 40, int size = 4000)
    {
        var repo = new GitSandbox("remote");
        var env = await ConfigureAsync(repo.Root, prefix);
        StoreInvariants.WriteRandomFiles(repo.PathOf("data/set"), files, seed: 1, size: size);
        Ok(await Obs(repo.Root, env, "add", "data/set", "--no-validate"));
        Ok(await Obs(repo.Root, env, "commit", "-m", "v1", "--tag", "--no-validate"));
        var v1 = repo.Snapshot("data/set");
        StoreInvariants.WriteRandomFiles(repo.PathOf("data/set"), files / 2, seed: 2, size: size);
        repo.WriteFile("data/set/extra/new.txt", "only in v2");
        Ok(await Obs(repo.Root, env, "commit", "-m", "v2", "--tag", "--no-validate"));
        return (repo, env, v1, repo.Snapshot("data/set"));
    }

    [Fact]
    public async Task PushCloneAndPull_RestoresBothVersionsByteIdentical()
    {
        var prefix = NewPrefix();
        var (repo, env, v1, v2) = await TwoVersionsAsync(prefix);
        using var _ = repo;
        Ok(await Obs(repo.Root, env, "push", "--rev", "set@v1"));
        var push2 = await Obs(repo.Root, env, "push", "--json");
        Ok(push2);
        Assert.True(JsonDocument.Parse(push2.Stdout).RootElement.GetProperty("already_there").GetInt32() > 0, "v2 shares files with v1; they must not be sent twice");
        var status = await Obs(repo.Root, env, "status", "-r", "--json");
        Ok(status);
        Assert.Equal(0, JsonDocument.Parse(status.Stdout).RootElement.GetProperty("remote").GetProperty("missing").GetInt32());

        using var clone = new TempDirectory("clone");
        LibGit2Sharp.Repository.Clone(repo.Root, clone.Path);
        await ConfigureCredentialsOnlyAsync(clone.Path, env);
        Ok(await Obs(clone.Path, env, "pull"));
        Assert.Equal(v2, TreeSnapshot.Of(Path.Combine(clone.Path, "data", "set")));
        Ok(await Obs(clone.Path, env, "pull", "--rev", "set@v1", "data/set"));
        Assert.Equal(v1, TreeSnapshot.Of(Path.Combine(clone.Path, "data", "set")));
        StoreInvariants.AssertObjectsIntact(clone.Path);
    }

    [Fact]
    public async Task PartialPull_FetchesAndWritesOnlyThatSubtree()
    {
        var prefix = NewPrefix();
        var (repo, env, _, v2) = await TwoVersionsAsync(prefix);
        using var _r = repo;
        Ok(await Obs(repo.Root, env, "push"));
        using var clone = new TempDirectory("clone");
        LibGit2Sharp.Repository.Clone(repo.Root, clone.Path);
        await ConfigureCredentialsOnlyAsync(clone.Path, env);
        Ok(await Obs(clone.Path, env, "pull", "data/set/d3"));
        var got = TreeSnapshot.Of(Path.Combine(clone.Path, "data", "set"));
        Assert.Equal(v2.Where(kv => kv.Key.StartsWith("d3/", StringComparison.Ordinal)).ToDictionary(), got.ToDictionary());
        // Only the subtree's objects (plus the tree) entered the cache.
        Assert.Equal(got.Values.Distinct().Count() + 1, StoreInvariants.CountFiles(Path.Combine(clone.Path, ".obs", "cache", "objects")));
    }

    [Fact]
    public async Task Push_KilledMidway_ResumesWithoutResendingWhatCompleted()
    {
        var prefix = NewPrefix();
        using var repo = new GitSandbox("kill-push");
        var env = await ConfigureAsync(repo.Root, prefix);
        StoreInvariants.WriteRandomFiles(repo.PathOf("data/set"), 600, seed: 5, size: 20_000);
        Ok(await Obs(repo.Root, env, "add", "data/set", "--no-validate"));

        using (var process = ObsProcess.Start(repo.Root, ["push", "-j", "2"], env))
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            while (!process.HasExited && CountObjects(prefix) < 50 && sw.Elapsed < TimeSpan.FromMinutes(2)) await Task.Delay(10);
            Assert.False(process.HasExited, "push finished before it could be killed");
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        var before = CountObjects(prefix);
        Assert.InRange(before, 50, 600);
        var resumed = await Obs(repo.Root, env, "push", "--json");
        Ok(resumed);
        var doc = JsonDocument.Parse(resumed.Stdout).RootElement;
        Assert.Equal(before, doc.GetProperty("already_there").GetInt32());
        Assert.Equal(601 - before, doc.GetProperty("transferred").GetInt32()); // 600 files + the tree

        // Everything on the remote is whole: a fresh clone pulls and verifies every object.
        using var clone = new TempDirectory("clone");
        Ok(await Obs(repo.Root, env, "commit", "-m", "v1", "--no-validate"));
        LibGit2Sharp.Repository.Clone(repo.Root, clone.Path);
        await ConfigureCredentialsOnlyAsync(clone.Path, env);
        Ok(await Obs(clone.Path, env, "pull"));
        Assert.Equal(repo.Snapshot("data/set"), TreeSnapshot.Of(Path.Combine(clone.Path, "data", "set")));
    }

    [Fact]
    public async Task Pull_KilledMidway_LeavesNoCorruptObject_AndTheNextPullFinishes()
    {
        var prefix = NewPrefix();
        using var repo = new GitSandbox("kill-pull");
        var env = await ConfigureAsync(repo.Root, prefix);
        StoreInvariants.WriteRandomFiles(repo.PathOf("data/set"), 600, seed: 6, size: 20_000);
        Ok(await Obs(repo.Root, env, "add", "data/set", "--no-validate"));
        Ok(await Obs(repo.Root, env, "commit", "-m", "v1", "--no-validate"));
        Ok(await Obs(repo.Root, env, "push"));

        using var clone = new TempDirectory("clone");
        LibGit2Sharp.Repository.Clone(repo.Root, clone.Path);
        await ConfigureCredentialsOnlyAsync(clone.Path, env);
        var objects = Path.Combine(clone.Path, ".obs", "cache", "objects");
        using (var process = ObsProcess.Start(clone.Path, ["pull", "-j", "2"], env))
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            while (!process.HasExited && StoreInvariants.CountFiles(objects) < 60 && sw.Elapsed < TimeSpan.FromMinutes(2)) await Task.Delay(10);
            Assert.False(process.HasExited, "pull finished before it could be killed");
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        StoreInvariants.AssertObjectsIntact(clone.Path);
        Ok(await Obs(clone.Path, env, "pull"));
        Assert.Equal(repo.Snapshot("data/set"), TreeSnapshot.Of(Path.Combine(clone.Path, "data", "set")));
    }

    [Fact]
    public async Task CorruptRemoteObject_FailsWithHashAndRemote_AndLeavesTheWorkspaceUntouched()
    {
        var prefix = NewPrefix();
        var (repo, env, _, v2) = await TwoVersionsAsync(prefix, files: 10);
        using var _r = repo;
        Ok(await Obs(repo.Root, env, "push"));
        var victim = v2["extra/new.txt"];
        Corrupt(prefix, victim);

        using var clone = new TempDirectory("clone");
        LibGit2Sharp.Repository.Clone(repo.Root, clone.Path);
        await ConfigureCredentialsOnlyAsync(clone.Path, env);
        var pull = await Obs(clone.Path, env, "pull");
        Assert.Equal(1, pull.ExitCode);
        Assert.Contains(victim, pull.Stderr);
        Assert.Contains(prefix, pull.Stderr);
        Assert.False(Directory.Exists(Path.Combine(clone.Path, "data", "set")), "the workspace was written although the pull failed");
        Assert.False(File.Exists(Path.Combine(clone.Path, ".obs", "cache", "objects", victim[..2], victim[2..])));
        StoreInvariants.AssertObjectsIntact(clone.Path);
    }

    [Fact]
    public async Task RemoteGc_ListsFirst_AndDeletesOnlyWithForce_KeepingTaggedVersions()
    {
        var prefix = NewPrefix();
        var (repo, env, v1, v2) = await TwoVersionsAsync(prefix, files: 10);
        using var _r = repo;
        Ok(await Obs(repo.Root, env, "push", "--rev", "set@v1"));
        Ok(await Obs(repo.Root, env, "push"));
        repo.WriteFile("data/set/extra/v3.txt", "v3 only");
        Ok(await Obs(repo.Root, env, "commit", "-m", "v3", "--no-validate"));
        Ok(await Obs(repo.Root, env, "push"));
        Ok(await Obs(repo.Root, env, "checkout", "--rev", "set@v2", "data/set"));
        Ok(await Obs(repo.Root, env, "commit", "-m", "back to v2", "--no-validate"));
        var total = CountObjects(prefix);

        var listing = await Obs(repo.Root, env, "gc", "-r", "--json");
        Ok(listing);
        var listed = JsonDocument.Parse(listing.Stdout).RootElement.GetProperty("removed").GetArrayLength();
        Assert.Equal(2, listed); // v3's tree and its file
        Assert.Equal(total, CountObjects(prefix));

        Ok(await Obs(repo.Root, env, "gc", "-r", "--force"));
        Assert.Equal(total - 2, CountObjects(prefix));
        using var clone = new TempDirectory("clone");
        LibGit2Sharp.Repository.Clone(repo.Root, clone.Path);
        await ConfigureCredentialsOnlyAsync(clone.Path, env);
        Ok(await Obs(clone.Path, env, "pull", "--rev", "set@v1"));
        Assert.Equal(v1, TreeSnapshot.Of(Path.Combine(clone.Path, "data", "set")));
        Ok(await Obs(clone.Path, env, "pull", "--rev", "set@v2"));
        Assert.Equal(v2, TreeSnapshot.Of(Path.Combine(clone.Path, "data", "set")));
    }

    /// <summary>What a second machine adds after `git clone`: only its own credentials (the remote itself is committed).</summary>
    protected virtual Task ConfigureCredentialsOnlyAsync(string root, IDictionary<string, string> env) => Task.CompletedTask;

    protected static Task<ObsRun> Obs(string root, IDictionary<string, string> env, params string[] args) => ObsProcess.RunAsync(root, args, env);

    protected static void Ok(ObsRun run) => VersioningEndToEndTests.Ok(run);
}

public sealed class FolderRemoteTests : RemoteContractTests, IDisposable
{
    private readonly TempDirectory _remote = new("folder-remote");

    protected override async Task<IDictionary<string, string>> ConfigureAsync(string root, string prefix)
    {
        var env = new Dictionary<string, string>();
        Directory.CreateDirectory(Path.Combine(_remote.Path, prefix));
        Ok(await Obs(root, env, "init"));
        Ok(await Obs(root, env, "remote", "add", "storage", Path.Combine(_remote.Path, prefix), "--default"));
        return env;
    }

    protected override void Corrupt(string prefix, string hash)
    {
        var path = Path.Combine(_remote.Path, prefix, "objects", hash[..2], hash[2..]);
        File.WriteAllText(path, "tampered");
    }

    protected override int CountObjects(string prefix) => StoreInvariants.CountFiles(Path.Combine(_remote.Path, prefix, "objects"));

    [Fact]
    public async Task MissingRemoteFolder_ExitsWith3_NamingIt()
    {
        using var repo = new GitSandbox("nofolder");
        var env = new Dictionary<string, string>();
        Ok(await Obs(repo.Root, env, "init"));
        Ok(await Obs(repo.Root, env, "remote", "add", "storage", "/nonexistent/obs-remote", "--default"));
        StoreInvariants.WriteRandomFiles(repo.PathOf("data/set"), 2, seed: 1, size: 10);
        Ok(await Obs(repo.Root, env, "add", "data/set", "--no-validate"));
        var push = await Obs(repo.Root, env, "push");
        Assert.Equal(3, push.ExitCode);
        Assert.Contains("/nonexistent/obs-remote", push.Stderr);
    }

    public void Dispose() => _remote.Dispose();
}

public sealed class S3RemoteTests(S3ServerFixture s3) : RemoteContractTests, IClassFixture<S3ServerFixture>
{
    private const string Secret = "S3RVER";

    protected override async Task<IDictionary<string, string>> ConfigureAsync(string root, string prefix)
    {
        var env = new Dictionary<string, string> { ["OBS_S3_ACCESS_KEY"] = S3ServerFixture.AccessKey, ["OBS_S3_SECRET_KEY"] = S3ServerFixture.SecretKey };
        Ok(await Obs(root, env, "init"));
        Ok(await Obs(root, env, "remote", "add", "storage", $"s3://{S3ServerFixture.Bucket}/{prefix}", "--default"));
        Ok(await Obs(root, env, "remote", "set", "storage", "endpoint", s3.Endpoint));
        return env;
    }

    protected override void Corrupt(string prefix, string hash)
    {
        var file = s3.ObjectFile($"{prefix}/objects/{hash[..2]}/{hash[2..]}");
        var bytes = File.ReadAllBytes(file);
        bytes[0] ^= 0xFF;
        File.WriteAllBytes(file, bytes);
    }

    protected override int CountObjects(string prefix)
    {
        var dir = Path.Combine(s3.DataDirectory, S3ServerFixture.Bucket, prefix, "objects");
        return Directory.Exists(dir) ? Directory.EnumerateFiles(dir, "*._S3rver_object", SearchOption.AllDirectories).Count() : 0;
    }

    [Fact]
    public async Task Credentials_NeverAppearInAnyOutput()
    {
        const string secret = "sup3r-s3cret-VALUE-4242";
        using var repo = new GitSandbox("creds");
        var env = new Dictionary<string, string>();
        Ok(await Obs(repo.Root, env, "init"));
        Ok(await Obs(repo.Root, env, "remote", "add", "storage", $"s3://{S3ServerFixture.Bucket}/{NewPrefix()}", "--default"));
        Ok(await Obs(repo.Root, env, "remote", "set", "storage", "endpoint", s3.Endpoint));
        Ok(await Obs(repo.Root, env, "remote", "set", "storage", "access_key", "AKIA-visible-id"));
        Ok(await Obs(repo.Root, env, "remote", "set", "storage", "secret_key", secret));
        Assert.DoesNotContain(secret, File.ReadAllText(repo.PathOf(".obs/config")));
        Assert.Contains(secret, File.ReadAllText(repo.PathOf(".obs/config.local")));
        StoreInvariants.WriteRandomFiles(repo.PathOf("data/set"), 2, seed: 1, size: 10);
        Ok(await Obs(repo.Root, env, "add", "data/set", "--no-validate"));
        var outputs = new List<ObsRun>
        {
            await Obs(repo.Root, env, "remote", "list"),
            await Obs(repo.Root, env, "remote", "list", "--json"),
            await Obs(repo.Root, env, "push"),          // s3rver accepts any signature? it must refuse or succeed without printing the secret
            await Obs(repo.Root, env, "push", "--json"),
            await Obs(repo.Root, env, "status", "-r", "--json"),
            await Obs(repo.Root, new Dictionary<string, string> { ["OBS_S3_SECRET_KEY"] = secret }, "pull", "--json"),
        };
        foreach (var run in outputs)
        {
            Assert.DoesNotContain(secret, run.Stdout);
            Assert.DoesNotContain(secret, run.Stderr);
        }
    }

    [Fact]
    public async Task ServerDown_ExitsWith3_ClearError_AndNothingHalfWritten()
    {
        var prefix = NewPrefix();
        using var repo = new GitSandbox("down");
        var env = await ConfigureAsync(repo.Root, prefix);
        StoreInvariants.WriteRandomFiles(repo.PathOf("data/set"), 5, seed: 1, size: 100);
        Ok(await Obs(repo.Root, env, "add", "data/set", "--no-validate"));
        Ok(await Obs(repo.Root, env, "commit", "-m", "v1", "--no-validate"));
        Ok(await Obs(repo.Root, env, "push"));
        using var clone = new TempDirectory("clone");
        LibGit2Sharp.Repository.Clone(repo.Root, clone.Path);
        var committed = repo.Snapshot("data/set");

        await s3.StopAsync();
        try
        {
            repo.WriteFile("data/set/new.txt", "not yet on the remote");
            Ok(await Obs(repo.Root, env, "add", "data/set", "--no-validate"));
            var push = await Obs(repo.Root, env, "push");
            Assert.True(push.ExitCode == 3, push.ToString());
            Assert.Contains("unreachable", push.Stderr);
            Assert.Contains($"127.0.0.1:{s3.Port}", push.Stderr);
            var pull = await Obs(clone.Path, env, "pull");
            Assert.True(pull.ExitCode == 3, pull.ToString());
            Assert.Single(pull.Stderr.Trim().Split('\n'));
            Assert.False(Directory.Exists(Path.Combine(clone.Path, "data", "set")));
            Assert.Equal(0, StoreInvariants.CountFiles(Path.Combine(clone.Path, ".obs", "cache", "objects")));
        }
        finally
        {
            await s3.StartAsync();
        }
        Ok(await Obs(clone.Path, env, "pull"));
        Assert.Equal(committed, TreeSnapshot.Of(Path.Combine(clone.Path, "data", "set")));
    }
}
