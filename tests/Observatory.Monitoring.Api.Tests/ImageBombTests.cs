using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Observatory.DataService.Core.Validation;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Onnx;
using Observatory.Samples;
using Observatory.Testing;
using Observatory.TrafficSimulator;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// Hardening finding 3: two 249 KB PNGs of 16000×16000 took the service from 0.1 to 2.2 GB and answered 200; a 40000×40000
/// one answered 500. Every upload is now checked from its header and decoded within a memory budget: a bomb is a 400 naming it.
/// </summary>
public sealed class ImageBombTests : IAsyncLifetime
{
    private readonly GitSandbox _repo = new("bomb");
    private readonly TempDirectory _cache = new("embcache");
    private MonitoringServer _server = null!;

    public async Task InitializeAsync()
    {
        await ReferenceRepository.CreateAsync(_repo, train: 40, val: 10);
        _server = await MonitoringServer.StartAsync(new Dictionary<string, string?>
        {
            ["Monitoring:EmbeddingCacheDirectory"] = _cache.Path,
            ["Monitoring:Images:DecodeMemoryMegabytes"] = "64",
        });
        await _server.RegisterAsync("cam", ReferenceRepository.Model(_repo));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _cache.Dispose();
        _repo.Dispose();
    }

    private async Task<HttpResponseMessage> UploadAsync(string prefix, IReadOnlyList<byte[]> images)
    {
        var now = _server.Time.GetUtcNow();
        var form = new MultipartFormDataContent();
        var events = images.Select((_, i) => new { id = $"{prefix}-{i}", timestamp = now.AddMinutes(-20).AddSeconds(i), predictedClass = "circle", confidence = 0.9 });
        form.Add(new StringContent(JsonSerializer.Serialize(new { events })), "events");
        for (var i = 0; i < images.Count; i++) form.Add(new ByteArrayContent(images[i]), "images", $"{prefix}-{i}.png");
        return await _server.Client.PostAsync("/api/models/cam/images", form);
    }

    private static byte[] Good(int seed) =>
        SampleDataset.RenderImage(seed, new SampleDatasetOptions { OnlyClasses = TrafficScenario.KnownClasses }, out IReadOnlyList<SampleObject> _);

    [Theory]
    [InlineData(16000, 16000, "16000×16000 exceeds max_side 30000 or max_pixels 200000000")]
    [InlineData(40000, 40000, "40000×40000 exceeds max_side 30000")]
    [InlineData(5000, 5000, "more than the decode memory limit of 64 MiB")]
    public async Task Finding3_AnImageBomb_Is400NamingTheItem_AndNothingIsStored(int width, int height, string reason)
    {
        var bomb = PngBomb.Create(width, height);
        using var r = await UploadAsync("bomb", [Good(1), bomb]);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var problem = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("images[1]", out var messages), problem.ToString());
        Assert.Contains(reason, messages[0].GetString());
        Assert.Contains("too large", messages[0].GetString());

        using var ok = await UploadAsync("ok", [Good(2)]);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var count = await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/cam/events/count");
        Assert.Equal(1, count.GetProperty("count").GetInt64());
    }

    [Fact]
    public void Finding3_TheServicesImageLimits_AreTheValidatorsUnlessConfigured()
    {
        var limits = new ImageLimitOptions().ToLimits();
        Assert.Equal(ValidationRules.Default.MaxSide, limits.MaxSide);
        Assert.Equal(ValidationRules.Default.MaxPixels, limits.MaxPixels);
        Assert.Equal(ValidationRules.Default.MaxImageBytes, limits.MaxEncodedBytes);
        Assert.Equal(ImageDecodeLimits.Default with { DecodeMemoryBytes = limits.DecodeMemoryBytes }, limits);
    }
}
