using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Onnx;
using Observatory.Monitoring.Onnx.Model;
using Observatory.Samples;
using Observatory.Testing;
using Observatory.TrafficSimulator;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>A model whose reference is a dataset version versioned with `obs`: the service embeds it once (cached) and drift compares production against it.</summary>
public sealed class ReferenceDatasetTests : IAsyncLifetime
{
    private readonly GitSandbox _repo = new("refds");
    private readonly TempDirectory _cache = new("embcache");
    private MonitoringServer _server = null!;
    private IMonitoringStore Store => _server.Services.GetRequiredService<IMonitoringStore>();

    public async Task InitializeAsync()
    {
        await ReferenceRepository.CreateAsync(_repo, train: 120, val: 40);
        _server = await MonitoringServer.StartAsync(new Dictionary<string, string?> { ["Monitoring:EmbeddingCacheDirectory"] = _cache.Path });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _cache.Dispose();
        _repo.Dispose();
    }

    private async Task<JobRun> WaitForRunAsync(string job, int count)
    {
        await Poll.UntilAsync(async () => (await Store.ListJobRunsAsync("shapes", 100)).Count(r => r.Job == job) >= count, $"{job} run #{count}", 120);
        var run = (await Store.ListJobRunsAsync("shapes", 100)).First(r => r.Job == job);
        Assert.True(run.Status == "succeeded", $"{job}: {run.Status} {run.Error}");
        return run;
    }

    private async Task<JsonElement> RunDriftAsync(int count)
    {
        using (var r = await _server.Client.PostAsync("/api/models/shapes/jobs/drift/run", null)) Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        await WaitForRunAsync("drift", count);
        return (await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/shapes/drift")).EnumerateArray().Last().GetProperty("details");
    }

    [Fact]
    public async Task DatasetReference_IsEmbeddedOnceAndDriftComparesProductionWithIt()
    {
        var now = _server.Time.GetUtcNow();
        await _server.RegisterAsync("shapes", ReferenceRepository.Model(_repo));
        await WaitForRunAsync("reference-embedding", 1);
        var cached = Directory.EnumerateFiles(_cache.Path, "*", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(cached);

        using var embedder = new ImageEmbedder(EmbeddingModelOptions.Random);
        var generator = new TrafficGenerator(embedder);
        var client = new MonitoringClient(_server.Client);
        await client.SendEventsAsync("shapes", await generator.GenerateAsync("clean", new TrafficScenario(ScenarioKind.NoDrift), 160, now.AddMinutes(-25), now, 5, CancellationToken.None), 500, CancellationToken.None);
        var clean = await RunDriftAsync(1);
        Assert.False(clean.GetProperty("window").GetProperty("embeddingDrift").GetBoolean(), clean.ToString());

        _server.Time.Advance(TimeSpan.FromHours(1));
        now = _server.Time.GetUtcNow();
        var drifted = new TrafficScenario(ScenarioKind.GradualDrift) { MaxBrightness = 0.5, MaxBlur = 4 };
        await client.SendEventsAsync("shapes", await generator.GenerateAsync("bright", drifted, 160, now.AddMinutes(-25), now, 6, CancellationToken.None), 500, CancellationToken.None);
        var shifted = await RunDriftAsync(2);
        Assert.True(shifted.GetProperty("window").GetProperty("embeddingDrift").GetBoolean(), shifted.ToString());

        // Run again on demand: served from the cache, nothing rewritten.
        var stamps = cached.ToDictionary(f => f, File.GetLastWriteTimeUtc);
        using (var r = await _server.Client.PostAsync("/api/models/shapes/jobs/reference-embedding/run", null)) Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        await WaitForRunAsync("reference-embedding", 2);
        Assert.All(stamps, kv => Assert.Equal(kv.Value, File.GetLastWriteTimeUtc(kv.Key)));
    }

    [Fact]
    public async Task ReRegisteringWithTheNextDatasetVersion_MovesTheReference_AndEachWindowRecordsWhichVersionItWasComparedWith()
    {
        string TreeOfWorkspacePointer() => File.ReadAllLines(_repo.PathOf("data/shapes.obs")).Single(l => l.StartsWith("tree: ", StringComparison.Ordinal))["tree: ".Length..];
        var v1Tree = TreeOfWorkspacePointer();
        await _server.RegisterAsync("shapes", ReferenceRepository.Model(_repo, "shapes@v1"));
        await WaitForRunAsync("reference-embedding", 1);
        using var embedder = new ImageEmbedder(EmbeddingModelOptions.Random);
        var generator = new TrafficGenerator(embedder);
        var client = new MonitoringClient(_server.Client);
        async Task<JsonElement> WindowAsync(string prefix, int count, int seed)
        {
            var now = _server.Time.GetUtcNow();
            await client.SendEventsAsync("shapes", await generator.GenerateAsync(prefix, new TrafficScenario(ScenarioKind.NoDrift), 40, now.AddMinutes(-25), now, seed, CancellationToken.None), 500, CancellationToken.None);
            return await RunDriftAsync(count);
        }
        var first = (await WindowAsync("a", 1, 5)).GetProperty("reference");
        Assert.Equal("shapes@v1", first.GetProperty("dataset").GetProperty("revision").GetString());
        Assert.Equal(v1Tree, first.GetProperty("tree").GetString());

        // The next dataset version (more images), committed with obs; the model is registered again against it.
        SampleDataset.Generate(_repo.PathOf("data/shapes-more"), new SampleDatasetOptions { TrainCount = 20, ValCount = 0, Seed = 9, OnlyClasses = TrafficScenario.KnownClasses });
        foreach (var f in Directory.EnumerateFiles(_repo.PathOf("data/shapes-more"), "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(_repo.PathOf("data/shapes-more"), f);
            if (relative.StartsWith("images", StringComparison.Ordinal) || relative.StartsWith("labels", StringComparison.Ordinal))
            {
                var target = Path.Combine(_repo.PathOf("data/shapes"), Path.GetDirectoryName(relative)!, "more_" + Path.GetFileName(relative));
                File.Copy(f, target);
            }
        }
        Directory.Delete(_repo.PathOf("data/shapes-more"), recursive: true);
        await ReferenceRepository.ObsAsync(_repo, "commit", "-m", "v2", "--tag", "--no-validate");
        var v2Tree = TreeOfWorkspacePointer();
        Assert.NotEqual(v1Tree, v2Tree);
        // The retrained model version names only what it was trained on: the reference moves with it.
        await _server.RegisterAsync("shapes", new
        {
            version = "2", classes = TrafficGenerator.Classes, embeddingDimension = EncoderSpec.Default.OutputDimension,
            trainedOn = new { repoPath = _repo.Root, pointerPath = "data/shapes.obs", revision = "shapes@v2" },
            window = "00:30:00", schedule = "0 0 0 1 1 ? 2099", driftMethods = new[] { "mmd" },
        });
        var registered = await _server.Client.GetFromJsonAsync<MonitoredModel>("/api/models/shapes", MonitoringJson.Options);
        Assert.Equal(new ReferenceDataset(_repo.Root, "data/shapes.obs", "shapes@v2"), registered!.Reference);
        await WaitForRunAsync("reference-embedding", 2);

        _server.Time.Advance(TimeSpan.FromHours(1));
        var second = (await WindowAsync("b", 2, 6)).GetProperty("reference");
        Assert.Equal("shapes@v2", second.GetProperty("dataset").GetProperty("revision").GetString());
        Assert.Equal(v2Tree, second.GetProperty("tree").GetString());
    }

    [Fact]
    public async Task Outliers_OfADatasetReference_NameTheTypicalFilesByPathAndHash_ClosestToTheMeanFirst()
    {
        var now = _server.Time.GetUtcNow();
        await _server.RegisterAsync("shapes", ReferenceRepository.Model(_repo));
        await WaitForRunAsync("reference-embedding", 1);
        using var embedder = new ImageEmbedder(EmbeddingModelOptions.Random);
        var client = new MonitoringClient(_server.Client);
        await client.SendEventsAsync("shapes", await new TrafficGenerator(embedder).GenerateAsync("clean", new TrafficScenario(ScenarioKind.NoDrift), 24, now.AddMinutes(-25), now, 5, CancellationToken.None), 500, CancellationToken.None);
        await RunDriftAsync(1);

        // Expected, independently of the service: every image of the dataset embedded here, its distance to the mean.
        var root = _repo.PathOf("data/shapes");
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).ToList();
        var vectors = (await embedder.EmbedFilesAsync(files.Select(f => Path.Combine(root, f)).ToList(), CancellationToken.None)).Vectors;
        var mean = Enumerable.Range(0, vectors[0].Length).Select(j => vectors.Average(v => (double)v[j])).ToArray();
        var distanceOf = files.Select((f, i) => (f, d: Math.Sqrt(vectors[i].Select((v, j) => (v - mean[j]) * (v - mean[j])).Sum()))).ToDictionary(x => x.f, x => x.d);
        var closest = distanceOf.OrderBy(kv => kv.Value).Take(4).Select(kv => kv.Key).ToArray();

        var outliers = await _server.Anonymous.GetFromJsonAsync<JsonElement>("/api/models/shapes/drift/outliers?count=4");
        Assert.Equal("dataset", outliers.GetProperty("referenceSource").GetString());
        var typical = outliers.GetProperty("typical").EnumerateArray().ToList();
        Assert.Equal(4, typical.Count);
        foreach (var t in typical)
        {
            var path = t.GetProperty("path").GetString()!;
            Assert.Equal(path, t.GetProperty("id").GetString());
            Assert.True(distanceOf.ContainsKey(path), $"'{path}' is not an image of the dataset");
            // The hash is the file's content: the object the registry stores for that path.
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(root, path)))), t.GetProperty("sha256").GetString());
            Assert.False(t.TryGetProperty("imageUri", out var uri) && uri.ValueKind != JsonValueKind.Null, "the service invents no image URL");
            // The reported distance is that file's own distance to the mean: vector and file were kept together.
            Assert.Equal(distanceOf[path], t.GetProperty("distance").GetDouble(), 1e-3);
        }
        var distances = typical.Select(t => t.GetProperty("distance").GetDouble()).ToList();
        Assert.Equal(distances.Order().ToList(), distances);
        Assert.Equal(closest, typical.Select(t => t.GetProperty("path").GetString()!).ToArray());
    }
}

/// <summary>Images uploaded as multipart: the service embeds them, keeps their statistics, and drift explains brightness/blur changes.</summary>
public sealed class ImageUploadTests : IAsyncLifetime
{
    private readonly GitSandbox _repo = new("upload");
    private readonly TempDirectory _cache = new("embcache");
    private MonitoringServer _server = null!;

    public async Task InitializeAsync()
    {
        await ReferenceRepository.CreateAsync(_repo, train: 120, val: 40);
        _server = await MonitoringServer.StartAsync(new Dictionary<string, string?> { ["Monitoring:EmbeddingCacheDirectory"] = _cache.Path });
        await _server.RegisterAsync("cam", ReferenceRepository.Model(_repo));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _cache.Dispose();
        _repo.Dispose();
    }

    private async Task<HttpResponseMessage> UploadAsync(string prefix, IReadOnlyList<byte[]> images, DateTimeOffset now)
    {
        var form = new MultipartFormDataContent();
        var events = images.Select((_, i) => new { id = $"{prefix}-{i}", timestamp = now.AddMinutes(-20).AddSeconds(i), predictedClass = "circle", confidence = 0.9 });
        form.Add(new StringContent(JsonSerializer.Serialize(new { events })), "events");
        for (var i = 0; i < images.Count; i++) form.Add(new ByteArrayContent(images[i]), "images", $"{prefix}-{i}.jpg");
        return await _server.Client.PostAsync("/api/models/cam/images", form);
    }

    private static List<byte[]> Render(int n, int seed, double brightness = 0, double blur = 0)
    {
        var rng = new Random(seed);
        var o = new SampleDatasetOptions { OnlyClasses = TrafficScenario.KnownClasses, BrightnessShift = brightness, Blur = blur };
        return Enumerable.Range(0, n).Select(_ => SampleDataset.RenderImage(rng.Next(), o, out IReadOnlyList<SampleObject> _)).ToList();
    }

    private async Task<JsonElement> RunDriftAsync(int count)
    {
        var store = _server.Services.GetRequiredService<IMonitoringStore>();
        using (var r = await _server.Client.PostAsync("/api/models/cam/jobs/drift/run", null)) Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        await Poll.UntilAsync(async () => (await store.ListJobRunsAsync("cam", 100)).Count(r => r.Job == "drift") >= count, "drift run", 120);
        var run = (await store.ListJobRunsAsync("cam", 100)).First(r => r.Job == "drift");
        Assert.True(run.Status == "succeeded", run.Error);
        return (await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/cam/drift")).EnumerateArray().Last().GetProperty("details");
    }

    [Fact]
    public async Task Upload_WhenOneFileIsNotAnImage_Returns400NamingItAndStoresNothing()
    {
        var images = Render(3, 1);
        images[1] = "not an image"u8.ToArray();
        using var r = await UploadAsync("bad", images, _server.Time.GetUtcNow());
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var problem = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("images[1]", out _), problem.ToString());
        using var r2 = await UploadAsync("short", Render(2, 1), _server.Time.GetUtcNow()) ;
        Assert.Equal(HttpStatusCode.OK, r2.StatusCode);
        var count = await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/cam/events/count");
        Assert.Equal(2, count.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task UploadedImages_AreEmbeddedByTheService_AndStatisticsDriftExplainsBrightnessAndBlur()
    {
        using (var r = await UploadAsync("clean", Render(120, 2), _server.Time.GetUtcNow())) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var clean = await RunDriftAsync(1);
        Assert.False(clean.GetProperty("window").GetProperty("embeddingDrift").GetBoolean(), clean.ToString());
        Assert.False(clean.GetProperty("window").GetProperty("imageStatisticsDrift").GetBoolean(), clean.ToString());

        _server.Time.Advance(TimeSpan.FromHours(1));
        using (var r = await UploadAsync("dark", Render(120, 3, brightness: -0.4, blur: 3), _server.Time.GetUtcNow())) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var dark = await RunDriftAsync(2);
        Assert.True(dark.GetProperty("window").GetProperty("embeddingDrift").GetBoolean(), dark.ToString());
        Assert.True(dark.GetProperty("window").GetProperty("imageStatisticsDrift").GetBoolean(), dark.ToString());
        Assert.Contains("imageStatistics", dark.ToString());
    }
}
