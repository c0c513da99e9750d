using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.IO;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Onnx.Model;
using Observatory.Samples;
using Observatory.Testing;
using Observatory.TrafficSimulator;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// The seam between the service and the rest (issue 18): Monitoring.Api sees the data half and ONNX only through
/// Monitoring.Core's ports, composed once by Monitoring.Adapters; the encoder comes from "Monitoring:Encoder".
/// </summary>
public sealed class EncoderPortTests
{
    /// <summary>
    /// The compiler records an assembly reference only for assemblies whose types the code uses: a `using` of a DataService
    /// adapter or an ONNX type anywhere in the service would put its assembly in this list.
    /// </summary>
    [Fact]
    public void TheServiceAssembly_UsesNoDataServiceAdapterAndNoOnnxType_OnlyThePorts()
    {
        var referenced = typeof(MonitoringHost).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToHashSet();
        string[] forbidden =
        [
            "Observatory.DataService.Git", "Observatory.DataService.Storage", "Observatory.DataService.Imaging", "Observatory.Monitoring.Onnx",
            "Microsoft.ML.OnnxRuntime", "SkiaSharp", "LibGit2Sharp", "Minio",
        ];
        var used = forbidden.Where(referenced.Contains).ToList();
        Assert.True(used.Count == 0, $"Monitoring.Api uses types of {string.Join(", ", used)} directly; go through a port of Monitoring.Core");
        Assert.Contains("Observatory.Monitoring.Core", referenced);
        Assert.Contains("Observatory.Monitoring.Adapters", referenced);
    }

    [Fact]
    public async Task TheEncoder_ComesFromOptions_UploadsAreEmbeddedWithIt_AndItsDimensionIsTheOneChecked()
    {
        using var dir = new TempDirectory("encoder");
        // A smaller encoder than the shipped one (16 dimensions instead of 152), with the same input names and size.
        var modelPath = Path.Combine(dir.Path, "small.onnx");
        EncoderModelGenerator.Write(modelPath, EncoderSpec.Default with { Channels = [8, 8], Strides = [2, 2], MaxPooledLayers = [], Seed = 7 });
        await using var server = await MonitoringServer.StartAsync(new Dictionary<string, string?> { ["Monitoring:Encoder:ModelPath"] = modelPath });

        var embedder = server.Services.GetRequiredService<IImageEmbedder>();
        Assert.Equal(16, embedder.Dimension);
        Assert.Equal(modelPath, embedder.Name);

        await server.RegisterAsync("small", Model(16));
        await server.RegisterAsync("default", Model(EncoderSpec.Default.OutputDimension));
        using (var ok = await UploadAsync(server, "small", 3)) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var count = await server.Client.GetFromJsonAsync<JsonElement>("/api/models/small/events/count");
        Assert.Equal(3, count.GetProperty("count").GetInt64());

        using var refused = await UploadAsync(server, "default", 1);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        var message = problem.GetProperty("errors").GetProperty("model")[0].GetString()!;
        Assert.Contains(modelPath, message);
        Assert.Contains("(16 dimensions)", message);
    }

    [Theory]
    [InlineData("ModelPath", "/nonexistent/model.onnx", "'/nonexistent/model.onnx' not found")]
    [InlineData("BatchSize", "0", "BatchSize must be at least 1")]
    [InlineData("Mean:0", "0.5", "Mean needs 3 values")]
    public async Task ABadEncoderSetting_StopsStartUp_NamingTheSectionAndTheField(string key, string value, string expected)
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            MonitoringServer.StartAsync(new Dictionary<string, string?> { ["Monitoring:Encoder:" + key] = value }));
        Assert.Contains("Monitoring:Encoder", e.Message);
        Assert.Contains(expected, e.Message);
    }

    /// <summary>
    /// `obs embed` and the reference job select the same files under the same key: what the command wrote in the repository
    /// serves the service as it is, even once the images themselves are gone from the repository's cache.
    /// </summary>
    [Fact]
    public async Task WhatObsEmbedWrote_IsTheServicesReference_WithoutEmbeddingAgain()
    {
        using var repo = new GitSandbox("embedshare");
        using var serviceCache = new TempDirectory("embcache");
        await ReferenceRepository.CreateAsync(repo, train: 24, val: 6);
        await ReferenceRepository.ObsAsync(repo, "embed", "data/shapes", "--model", "random", "-o", "ref.npy"); // the test host's encoder
        var expected = NpyReader.Parse(await File.ReadAllBytesAsync(repo.PathOf("ref.npy")), "ref.npy");
        // Nothing left to embed from: every object of the cache is gone.
        Directory.Delete(Path.Combine(repo.Root, ".obs", "cache", "objects"), recursive: true);

        await using var server = await MonitoringServer.StartAsync(new Dictionary<string, string?>
        {
            ["Monitoring:EmbeddingCacheDirectory"] = serviceCache.Path,
            ["Monitoring:ReferenceRoots:0"] = repo.Root,
        });
        var references = server.Services.GetRequiredService<IReferenceDatasets>();
        var embedded = await references.GetEmbeddingsAsync(new ReferenceDataset(repo.Root, "data/shapes.obs", "HEAD"), nameFiles: false, CancellationToken.None);

        Assert.Equal(expected.Rows, embedded.Count);
        for (var i = 0; i < expected.Rows; i++)
            Assert.Equal(expected.Row(i).ToArray(), embedded.Vectors[i].Select(v => (double)v).ToArray());
        Assert.Empty(Directory.EnumerateFiles(serviceCache.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task AnUnreadableReference_IsA502NamingIt_NotA500()
    {
        using var repo = new GitSandbox("noobjects");
        using var serviceCache = new TempDirectory("embcache");
        await ReferenceRepository.CreateAsync(repo, train: 24, val: 6);
        // Objects gone and no remote to fetch them from.
        Directory.Delete(Path.Combine(repo.Root, ".obs", "cache", "objects"), recursive: true);
        await using var server = await MonitoringServer.StartAsync(new Dictionary<string, string?>
        {
            ["Monitoring:EmbeddingCacheDirectory"] = serviceCache.Path,
            ["Monitoring:ReferenceRoots:0"] = repo.Root,
        });
        // A stored drift window first (no reference yet), then the reference: the outliers view must read it.
        await server.RegisterAsync("shapes", Model(EncoderSpec.Default.OutputDimension));
        var now = server.Time.GetUtcNow();
        using var embedder = new Observatory.Monitoring.Onnx.ImageEmbedder(Observatory.Monitoring.Onnx.EmbeddingModelOptions.Random);
        var events = await new TrafficGenerator(embedder).GenerateAsync("e", new TrafficScenario(ScenarioKind.NoDrift), 24, now.AddMinutes(-25), now, 5, CancellationToken.None);
        await new MonitoringClient(server.Client).SendEventsAsync("shapes", events, 500, CancellationToken.None);
        Assert.NotNull(await server.Services.GetRequiredService<Services.DriftService>().RunAsync("shapes", CancellationToken.None));
        await server.RegisterAsync("shapes", ReferenceRepository.Model(repo));

        using var r = await server.Client.GetAsync("/api/models/shapes/drift/outliers");
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.BadGateway, $"{(int)r.StatusCode}: {body}");
        Assert.Contains("data/shapes", body);
        Assert.Contains("cannot be fetched", body);
    }

    private static object Model(int dimension) => new
    {
        classes = TrafficGenerator.Classes,
        embeddingDimension = dimension,
        window = "00:30:00",
        schedule = "0 0 0 1 1 ? 2099",
    };

    private static async Task<HttpResponseMessage> UploadAsync(MonitoringServer server, string model, int count)
    {
        var now = server.Time.GetUtcNow();
        var form = new MultipartFormDataContent();
        var events = Enumerable.Range(0, count).Select(i => new { id = $"{model}-{i}", timestamp = now.AddMinutes(-10).AddSeconds(i), predictedClass = "circle", confidence = 0.9 });
        form.Add(new StringContent(JsonSerializer.Serialize(new { events })), "events");
        for (var i = 0; i < count; i++)
            form.Add(new ByteArrayContent(SampleDataset.RenderImage(i, new SampleDatasetOptions { OnlyClasses = TrafficScenario.KnownClasses }, out IReadOnlyList<SampleObject> _)), "images", $"{i}.png");
        return await server.Client.PostAsync($"/api/models/{model}/images", form);
    }
}
