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

    /// <summary>The file on disk that holds a remote key (the folder itself, or s3rver's data file).</summary>
    protected abstract string FileOf(string prefix, string key);

    /// <summary>Keys the remote holds under <c>prefix/folder/</c>, relative to the prefix.</summary>
    protected abstract IEnumerable<string> KeysUnder(string prefix, string folder);

    /// <summary>Objects the remote holds under a prefix: loose ones plus those listed by pack indexes.</summary>
    protected int CountObjects(string prefix) =>
        KeysUnder(prefix, "objects").Count() + Indexes(prefix).Sum(i => i.Entries.Count);

    protected int CountPacks(string prefix) => KeysUnder(prefix, "packs").Count(k => k.EndsWith(".pack", StringComparison.Ordinal));

    private IEnumerable<(string Id, IReadOnlyList<(string Hash, long Offset)> Entries)> Indexes(string prefix) =>
        KeysUnder(prefix, "packs").Where(k => k.EndsWith(".idx", StringComparison.Ordinal)).Select(k => (Key: k, Text: File.ReadAllText(FileOf(prefix, k))))
        .Where(x => x.Text.EndsWith('\n')) // s3rver writes its data file in place: one being written is not an index yet
        .Select(x =>
        {
            var (k, lines) = (x.Key, x.Text.Split('\n'));
            Assert.Equal("obs-pack 1", lines[0]);
            return (Path.GetFileNameWithoutExtension(k), (IReadOnlyList<(string, long)>)lines.Skip(1).Where(l => l.Length > 0)
                .Select(l => l.Split(' ')).Select(p => (p[0], long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture))).ToList());
        });

    /// <summary>Flips a byte of an object on the remote behind obs' back, wherever it lies (loose, or inside a pack).</summary>
    protected void Corrupt(string prefix, string hash)
    {
        var loose = FileOf(prefix, $"objects/{hash[..2]}/{hash[2..]}");
        var (file, offset) = File.Exists(loose) ? (loose, 0L) : Indexes(prefix)
            .SelectMany(i => i.Entries.Where(e => e.Hash == hash).Select(e => (FileOf(prefix, $"packs/{i.Id}.pack"), e.Offset)))
            .First();
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        var b = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(b ^ 0xFF));
    }

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
        Ok(await Obs(repo.Root, env, "remote", "set", "storage", "pack_size", "40K")); // 2 files a pack: 300 packs to kill amid

        using (var process = ObsProcess.Start(repo.Root, ["push", "-j", "1"], env))
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
        Assert.Equal(601, CountObjects(prefix));

        // A pack whose upload was cut before its index is an orphan: remote gc removes it and nothing live.
        Ok(await Obs(repo.Root, env, "gc", "-r", "--force", "--grace", "0"));
        Assert.Equal(KeysUnder(prefix, "packs").Count(k => k.EndsWith(".idx", StringComparison.Ordinal)), CountPacks(prefix));
        Assert.Equal(601, CountObjects(prefix));

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
        Ok(await Obs(repo.Root, env, "remote", "set", "storage", "pack_size", "100K"));
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

        var listing = await Obs(repo.Root, env, "gc", "-r", "--json", "--grace", "0");
        Ok(listing);
        var listed = JsonDocument.Parse(listing.Stdout).RootElement.GetProperty("removed").GetArrayLength();
        Assert.Equal(2, listed); // v3's tree and its file
        Assert.Equal(total, CountObjects(prefix));

        Ok(await Obs(repo.Root, env, "gc", "-r", "--force", "--grace", "0"));
        Assert.Equal(total - 2, CountObjects(prefix));
        using var clone = new TempDirectory("clone");
        LibGit2Sharp.Repository.Clone(repo.Root, clone.Path);
        await ConfigureCredentialsOnlyAsync(clone.Path, env);
        Ok(await Obs(clone.Path, env, "pull", "--rev", "set@v1"));
        Assert.Equal(v1, TreeSnapshot.Of(Path.Combine(clone.Path, "data", "set")));
        Ok(await Obs(clone.Path, env, "pull", "--rev", "set@v2"));
        Assert.Equal(v2, TreeSnapshot.Of(Path.Combine(clone.Path, "data", "set")));
    }

    [Fact]
    public async Task SmallFiles_TravelInPacks_AndAPullOfOneFolderReadsOnlyItsObjects()
    {
        var prefix = NewPrefix();
        var (repo, env, _, v2) = await TwoVersionsAsync(prefix, files: 40);
        using var _r = repo;
        Ok(await Obs(repo.Root, env, "push"));
        Assert.Equal(1, CountPacks(prefix));                       // every small file of v2 in one pack
        Assert.Single(KeysUnder(prefix, "objects"));                // the tree stays loose
        Assert.Equal(v2.Count + 1, CountObjects(prefix));

        using var clone = new TempDirectory("clone");
        LibGit2Sharp.Repository.Clone(repo.Root, clone.Path);
        await ConfigureCredentialsOnlyAsync(clone.Path, env);
        Ok(await Obs(clone.Path, env, "pull", "data/set/d3"));
        var cached = StoreInvariants.CountFiles(Path.Combine(clone.Path, ".obs", "cache", "objects"));
        Assert.Equal(1 + v2.Keys.Count(k => k.StartsWith("d3/", StringComparison.Ordinal)), cached); // the tree + d3's files, nothing else from the pack
        StoreInvariants.AssertObjectsIntact(clone.Path);
        Ok(await Obs(clone.Path, env, "pull"));
        Assert.Equal(v2, TreeSnapshot.Of(Path.Combine(clone.Path, "data", "set")));
    }

    [Fact]
    public async Task RemoteGc_RewritesAPackHoldingLiveAndDeadObjects_KeepingOnlyTheLiveOnes()
    {
        var prefix = NewPrefix();
        using var repo = new GitSandbox("repack");
        var env = await ConfigureAsync(repo.Root, prefix);
        StoreInvariants.WriteRandomFiles(repo.PathOf("data/set"), 20, seed: 3, size: 3000);
        Ok(await Obs(repo.Root, env, "add", "data/set", "--no-validate"));
        Ok(await Obs(repo.Root, env, "commit", "-m", "v1 (untagged: not kept)", "--no-validate"));
        Ok(await Obs(repo.Root, env, "push"));
        Assert.Equal(1, CountPacks(prefix));
        foreach (var f in Directory.EnumerateFiles(repo.PathOf("data/set/d0"))) File.Delete(f);
        foreach (var f in Directory.EnumerateFiles(repo.PathOf("data/set/d1"))) File.Delete(f);
        Ok(await Obs(repo.Root, env, "commit", "-m", "v2", "--tag", "--no-validate"));
        Ok(await Obs(repo.Root, env, "push"));
        var v2 = repo.Snapshot("data/set");
        Assert.Equal(16, v2.Count);
        Assert.Equal(22, CountObjects(prefix)); // 20 files + 2 trees

        var listing = await Obs(repo.Root, env, "gc", "-r", "--json", "--grace", "0");
        Ok(listing);
        Assert.Equal(5, JsonDocument.Parse(listing.Stdout).RootElement.GetProperty("removed").GetArrayLength()); // 4 files + v1's tree
        Ok(await Obs(repo.Root, env, "gc", "-r", "--force", "--grace", "0"));
        Assert.Equal(17, CountObjects(prefix));
        Assert.Equal(1, CountPacks(prefix));

        using var clone = new TempDirectory("clone");
        LibGit2Sharp.Repository.Clone(repo.Root, clone.Path);
        await ConfigureCredentialsOnlyAsync(clone.Path, env);
        Ok(await Obs(clone.Path, env, "pull"));
        Assert.Equal(v2, TreeSnapshot.Of(Path.Combine(clone.Path, "data", "set")));
    }

    /// <summary>Hardening (low): push re-hashes what it sends, so a cache file damaged on disk never becomes the remote's copy.</summary>
    [Fact]
    public async Task Push_OfACacheObjectDamagedOnDisk_FailsNamingIt_AndTheRemoteNeverHoldsTheDamagedBytes()
    {
        var prefix = NewPrefix();
        var (repo, env, _, v2) = await TwoVersionsAsync(prefix, files: 10);
        using var _r = repo;
        var victim = v2["extra/new.txt"]; // small: it travels in a pack
        var cached = Path.Combine(repo.Root, ".obs", "cache", "objects", victim[..2], victim[2..]);
        File.SetUnixFileMode(cached, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(cached, "only in v3"); // same length, other bytes
        var push = await Obs(repo.Root, env, "push");
        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains($"object {victim} is corrupt in the cache", push.Stderr);
        // One error line; a progress line ("listing …") may precede it when the listing is slow on a loaded machine.
        Assert.Single(push.Stderr.Trim().Split('\n'), l => l.StartsWith("obs ", StringComparison.Ordinal));

        using var clone = new TempDirectory("clone");
        LibGit2Sharp.Repository.Clone(repo.Root, clone.Path);
        await ConfigureCredentialsOnlyAsync(clone.Path, env);
        var pull = await Obs(clone.Path, env, "pull");
        Assert.NotEqual(0, pull.ExitCode); // the object is missing on the remote, never wrong
        Assert.False(File.Exists(Path.Combine(clone.Path, "data", "set", "extra", "new.txt")));
    }

    /// <summary>
    /// Hardening finding 2: `gc -r --force` decided from the local clone only, so a user one commit behind deleted a teammate's
    /// newly pushed version. Now git is fetched first and every branch and remote-tracking branch counts, and anything written
    /// within the grace period (default 24 h) is spared even when nothing names it yet (a push still committing).
    /// </summary>
    [Fact]
    public async Task Finding2_RemoteGc_FromACloneOneCommitBehind_KeepsATeammatesNewlyPushedVersion()
    {
        var prefix = NewPrefix();
        var (repo, env, _, _) = await TwoVersionsAsync(prefix, files: 10);
        using var _r = repo;
        Ok(await Obs(repo.Root, env, "push", "--rev", "set@v1"));
        Ok(await Obs(repo.Root, env, "push"));
        using var origin = new TempDirectory("origin");
        LibGit2Sharp.Repository.Init(origin.Path, isBare: true);
        string branch;
        using (var git = new LibGit2Sharp.Repository(repo.Root))
        {
            branch = git.Head.CanonicalName;
            git.Network.Remotes.Add("origin", origin.Path);
            git.Network.Push(git.Network.Remotes["origin"], $"{branch}:{branch}");
        }

        // The teammate clones, commits v3 (untagged), pushes its objects and then git.
        using var teammate = new TempDirectory("teammate");
        LibGit2Sharp.Repository.Clone(origin.Path, teammate.Path);
        await ConfigureCredentialsOnlyAsync(teammate.Path, env);
        Ok(await Obs(teammate.Path, env, "pull"));
        File.WriteAllText(Path.Combine(teammate.Path, "data", "set", "extra", "v3.txt"), "v3, pushed by a teammate");
        StoreInvariants.WriteRandomFiles(Path.Combine(teammate.Path, "data", "set", "v3"), 3, seed: 9, size: 3000);
        Ok(await Obs(teammate.Path, env, "commit", "-m", "v3", "--no-validate"));
        var v3 = TreeSnapshot.Of(Path.Combine(teammate.Path, "data", "set"));
        Ok(await Obs(teammate.Path, env, "push"));
        using (var git = new LibGit2Sharp.Repository(teammate.Path))
            git.Network.Push(git.Network.Remotes["origin"], $"{branch}:{branch}");
        var total = CountObjects(prefix);

        // One commit behind and without fetching, only the grace period protects v3: its objects are young.
        var spared = await Obs(repo.Root, env, "gc", "-r", "--force", "--no-fetch");
        Ok(spared);
        Assert.Contains("kept 5 unreferenced object(s)", spared.Stdout);
        Assert.Contains("written within the last 24h", spared.Stdout);
        Assert.Equal(total, CountObjects(prefix));

        // With no grace at all, fetching git first is what keeps v3.
        var fetched = await Obs(repo.Root, env, "gc", "-r", "--force", "--grace", "0", "--json");
        Ok(fetched);
        var report = JsonDocument.Parse(fetched.Stdout).RootElement;
        Assert.Equal(["origin"], report.GetProperty("fetched_git_remotes").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains(report.GetProperty("kept_refs").EnumerateArray(), r => r.GetProperty("kind").GetString() == "remote-tracking branch");
        Assert.Equal(0, report.GetProperty("removed").GetArrayLength());
        Assert.Equal(total, CountObjects(prefix));

        using var third = new TempDirectory("third");
        LibGit2Sharp.Repository.Clone(origin.Path, third.Path);
        await ConfigureCredentialsOnlyAsync(third.Path, env);
        Ok(await Obs(third.Path, env, "pull"));
        Assert.Equal(v3, TreeSnapshot.Of(Path.Combine(third.Path, "data", "set")));
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

    protected override string FileOf(string prefix, string key) => Path.Combine(_remote.Path, prefix, key);

    protected override IEnumerable<string> KeysUnder(string prefix, string folder)
    {
        var dir = Path.Combine(_remote.Path, prefix, folder);
        return Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Path.Combine(_remote.Path, prefix), f).Replace('\\', '/')).ToList()
            : [];
    }

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

    protected override string FileOf(string prefix, string key) => s3.ObjectFile($"{prefix}/{key}");

    protected override IEnumerable<string> KeysUnder(string prefix, string folder)
    {
        const string suffix = "._S3rver_object";
        var root = Path.Combine(s3.DataDirectory, S3ServerFixture.Bucket, prefix);
        var dir = Path.Combine(root, folder);
        return Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*" + suffix, SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)[..^suffix.Length]).ToList()
            : [];
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
