using Microsoft.Extensions.DependencyInjection;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Onnx.Model;
using Observatory.Samples;
using Observatory.Testing;
using Observatory.TrafficSimulator;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// A reference repository whose content cache lacks the dataset's objects (cloned, never pulled — the compose setup with MinIO):
/// the service fetches them from the workspace's default remote (a folder here) before embedding, or fails naming repo and remote.
/// </summary>
public sealed class ReferenceFetchTests : IAsyncLifetime
{
    private readonly GitSandbox _repo = new("reffetch");
    private readonly TempDirectory _remote = new("refremote");
    private readonly TempDirectory _cache = new("embcache");
    private MonitoringServer _server = null!;
    private List<string> _pushedObjects = [];

    private string ObjectsDir => _repo.PathOf(".obs/cache/objects");

    public async Task InitializeAsync()
    {
        await ReferenceRepository.CreateAsync(_repo, train: 40, val: 0);
        _pushedObjects = ListObjects();
        _server = await MonitoringServer.StartAsync(new Dictionary<string, string?> { ["Monitoring:EmbeddingCacheDirectory"] = _cache.Path });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _cache.Dispose();
        _remote.Dispose();
        _repo.Dispose();
    }

    private Task ObsAsync(params string[] args) => ReferenceRepository.ObsAsync(_repo, args);

    private List<string> ListObjects() => Directory.Exists(ObjectsDir)
        ? Directory.EnumerateFiles(ObjectsDir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(ObjectsDir, f)).Order(StringComparer.Ordinal).ToList()
        : [];

    /// <summary>Pushes to the folder remote, then drops the whole local cache (objects and pack indexes), as a fresh clone has it.</summary>
    private async Task PushAndDropCacheAsync()
    {
        await ObsAsync("remote", "add", "store", _remote.Path, "--default");
        await ObsAsync("push");
        Directory.Delete(_repo.PathOf(".obs/cache"), recursive: true);
        Assert.Empty(ListObjects());
    }

    /// <summary>
    /// Tests run as root, which permission bits do not stop; a file where the cache's scratch folder belongs fails the same way
    /// a read-only mount does (the service cannot create anything there).
    /// </summary>
    private void BlockCacheWrites()
    {
        if (Directory.Exists(_repo.PathOf(".obs/tmp"))) Directory.Delete(_repo.PathOf(".obs/tmp"), recursive: true);
        File.WriteAllText(_repo.PathOf(".obs/tmp"), "in the way");
    }

    private async Task<JobRun> ReferenceRunAsync()
    {
        await _server.RegisterAsync("shapes", ReferenceRepository.Model(_repo, "shapes@v1"));
        var store = _server.Services.GetRequiredService<IMonitoringStore>();
        await Poll.UntilAsync(async () => (await store.ListJobRunsAsync("shapes", 100)).Any(r => r.Job == "reference-embedding"), "reference-embedding run", 120);
        return (await store.ListJobRunsAsync("shapes", 100)).First(r => r.Job == "reference-embedding");
    }

    [Fact]
    public async Task ReferenceJob_WhenCacheLacksTheObjects_FetchesThemFromTheDefaultRemote_ThenEmbeds()
    {
        await PushAndDropCacheAsync();

        var run = await ReferenceRunAsync();

        Assert.True(run.Status == "succeeded", $"{run.Status}: {run.Error}");
        Assert.Equal(_pushedObjects, ListObjects());
        Assert.NotEmpty(Directory.EnumerateFiles(_cache.Path, "*", SearchOption.AllDirectories));

        // Once embedded, the objects are not needed again: a never-pulled, unwritable repository still serves the reference.
        Directory.Delete(_repo.PathOf(".obs/cache"), recursive: true);
        BlockCacheWrites();
        using (var r = await _server.Client.PostAsync("/api/models/shapes/jobs/reference-embedding/run", null)) Assert.Equal(System.Net.HttpStatusCode.Accepted, r.StatusCode);
        var store = _server.Services.GetRequiredService<IMonitoringStore>();
        await Poll.UntilAsync(async () => (await store.ListJobRunsAsync("shapes", 100)).Count(r => r.Job == "reference-embedding") >= 2, "second reference-embedding run", 120);
        var again = (await store.ListJobRunsAsync("shapes", 100)).First(r => r.Job == "reference-embedding");
        Assert.True(again.Status == "succeeded", $"{again.Status}: {again.Error}");
        Assert.Empty(ListObjects());
    }

    [Fact]
    public async Task ReferenceJob_WhenCacheLacksObjectsAndIsNotWritable_FailsNamingRepositoryAndRemote()
    {
        await PushAndDropCacheAsync();
        BlockCacheWrites();

        var run = await ReferenceRunAsync();

        Assert.Equal("failed", run.Status);
        Assert.Contains(_repo.Root, run.Error);
        Assert.Contains("remote 'store'", run.Error);
        Assert.Contains("not writable", run.Error);
        Assert.Empty(ListObjects());
    }

    [Fact]
    public async Task ReferenceJob_WhenCacheLacksObjectsAndNoRemoteIsConfigured_FailsSayingSo()
    {
        Directory.Delete(_repo.PathOf(".obs/cache"), recursive: true);

        var run = await ReferenceRunAsync();

        Assert.Equal("failed", run.Status);
        Assert.Contains(_repo.Root, run.Error);
        Assert.Contains("no remote is configured", run.Error);
    }
}
