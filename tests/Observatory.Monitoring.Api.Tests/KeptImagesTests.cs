using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Monitoring.Core.Ports;
using Observatory.Samples;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// What production saw is kept: uploaded images go to the image store content-addressed (the dataset cache's layout, through the
/// remote adapters `obs` uses — a folder here, an S3 bucket below), events name them by hash, and a later event may name an image
/// already kept; an unknown hash rejects the batch with nothing stored.
/// </summary>
public sealed class KeptImagesTests
{
    private static readonly object Model = new { classes = new[] { "circle", "square", "triangle" }, embeddingModel = "random", schedule = "0 0 0 1 1 ? 2099" };

    private static async Task<(HttpResponseMessage Response, byte[][] Images)> UploadAsync(MonitoringServer server, string model, params string[] ids)
    {
        var images = ids.Select((id, i) => SampleDataset.RenderImage(100 + i, new SampleDatasetOptions(), out var objects)).ToArray();
        var form = new MultipartFormDataContent
        {
            { JsonContent.Create(new { events = ids.Select(id => new { id, timestamp = server.Time.GetUtcNow(), predictedClass = "circle", confidence = 0.9 }) }), "events" },
        };
        for (var i = 0; i < images.Length; i++) form.Add(new ByteArrayContent(images[i]), "image", $"{ids[i]}.jpg");
        return (await server.Client.PostAsync($"/api/models/{model}/images", form), images);
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Fact]
    public async Task UploadedImages_AreKeptContentAddressed_AndTheirEventsNameThem()
    {
        using var store = new TempDirectory("imgstore");
        await using var server = await MonitoringServer.StartAsync(new Dictionary<string, string?> { ["Monitoring:ImageStore:Url"] = store.Path });
        await server.RegisterAsync("shapes", Model);
        var (response, images) = await UploadAsync(server, "shapes", "a", "b");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

        foreach (var image in images)
        {
            var sha = Sha(image);
            // The layout of a dataset cache: objects/ab/cdef…, the bytes as uploaded.
            Assert.Equal(image, File.ReadAllBytes(Path.Combine(store.Path, "objects", sha[..2], sha[2..])));
        }
        var stored = await server.Services.GetRequiredService<IMonitoringStore>().GetEventsAsync("shapes", DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, 10, false);
        Assert.Equal(images.Select(Sha).Order(), stored.Select(e => e.ImageSha256!).Order());

        // A later event names a kept image by its hash; an unknown hash rejects the whole batch.
        var known = Sha(images[0]);
        using (var ok = await server.Client.PostAsJsonAsync("/api/models/shapes/events", new
        {
            events = new[] { new { id = "again", timestamp = server.Time.GetUtcNow(), predictedClass = "circle", confidence = 0.9, embedding = new float[152], imageSha256 = known } },
        }))
            Assert.True(ok.StatusCode == HttpStatusCode.OK, await ok.Content.ReadAsStringAsync());
        using var unknown = await server.Client.PostAsJsonAsync("/api/models/shapes/events", new
        {
            events = new[]
            {
                new { id = "x1", timestamp = server.Time.GetUtcNow(), predictedClass = "circle", confidence = 0.9, embedding = new float[152], imageSha256 = known },
                new { id = "x2", timestamp = server.Time.GetUtcNow(), predictedClass = "circle", confidence = 0.9, embedding = new float[152], imageSha256 = new string('0', 64) },
            },
        });
        var body = await unknown.Content.ReadAsStringAsync();
        Assert.True(unknown.StatusCode == HttpStatusCode.BadRequest, body);
        Assert.Contains("events[1].imageSha256", body);
        Assert.Equal(3, (await server.Client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/models/shapes/events/count")).GetProperty("count").GetInt64());

        using var notHex = await server.Client.PostAsJsonAsync("/api/models/shapes/events", new
        {
            events = new[] { new { id = "x3", timestamp = server.Time.GetUtcNow(), predictedClass = "circle", confidence = 0.9, embedding = new float[152], imageSha256 = "../../etc/passwd" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, notHex.StatusCode);
        Assert.Contains("lower-case hex", await notHex.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnImageThatCannotBeDecoded_IsRefused_AndNothingIsKept()
    {
        using var store = new TempDirectory("imgstore");
        await using var server = await MonitoringServer.StartAsync(new Dictionary<string, string?> { ["Monitoring:ImageStore:Url"] = store.Path });
        await server.RegisterAsync("shapes", Model);
        var form = new MultipartFormDataContent
        {
            { JsonContent.Create(new { events = new[] { new { id = "bad", timestamp = server.Time.GetUtcNow(), predictedClass = "circle", confidence = 0.9 } } }), "events" },
            { new ByteArrayContent("not an image"u8.ToArray()), "image", "bad.jpg" },
        };
        using var r = await server.Client.PostAsync("/api/models/shapes/images", form);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(store.Path, "objects")) && Directory.EnumerateFiles(Path.Combine(store.Path, "objects"), "*", SearchOption.AllDirectories).Any());
    }
}

/// <summary>
/// Upload checks: a declared hash that does not match its file, and a file over Monitoring:Images:MaxImageBytes, are 400s naming
/// the item, with nothing of the batch kept or stored.
/// </summary>
public sealed class UploadChecksTests
{
    private static readonly object Model = new { classes = new[] { "circle", "square", "triangle" }, embeddingModel = "random", schedule = "0 0 0 1 1 ? 2099" };

    private static MultipartFormDataContent Form(MonitoringServer server, IReadOnlyList<byte[]> images, IReadOnlyList<string?> declared)
    {
        var form = new MultipartFormDataContent
        {
            { JsonContent.Create(new { events = images.Select((_, i) => new { id = $"u{i}", timestamp = server.Time.GetUtcNow(), predictedClass = "circle", confidence = 0.9, imageSha256 = declared[i] }) }), "events" },
        };
        for (var i = 0; i < images.Count; i++) form.Add(new ByteArrayContent(images[i]), "image", $"u{i}.jpg");
        return form;
    }

    private static bool NothingKept(TempDirectory store) =>
        !Directory.Exists(Path.Combine(store.Path, "objects")) || !Directory.EnumerateFiles(Path.Combine(store.Path, "objects"), "*", SearchOption.AllDirectories).Any();

    [Fact]
    public async Task ADeclaredHashThatDoesNotMatchItsFile_Is400NamingIt_AndNothingIsKeptOrStored()
    {
        using var store = new TempDirectory("imgstore");
        await using var server = await MonitoringServer.StartAsync(new Dictionary<string, string?> { ["Monitoring:ImageStore:Url"] = store.Path });
        await server.RegisterAsync("shapes", Model);
        var images = new[] { SampleDataset.RenderImage(1, new SampleDatasetOptions(), out _), SampleDataset.RenderImage(2, new SampleDatasetOptions(), out _) };
        var sha = images.Select(i => Convert.ToHexStringLower(SHA256.HashData(i))).ToArray();

        // The second event declares the first file's hash: files and events were mixed up.
        using var r = await server.Client.PostAsync("/api/models/shapes/images", Form(server, images, [sha[0], sha[0]]));
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.BadRequest, body);
        var errors = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("events[1].imageSha256", out var message), body);
        Assert.Contains(sha[1], message[0].GetString());
        Assert.False(errors.TryGetProperty("events[0].imageSha256", out _));
        Assert.True(NothingKept(store));
        Assert.Equal(0, await server.Services.GetRequiredService<IMonitoringStore>().CountEventsAsync("shapes"));

        // Declared and matching (or not declared): accepted.
        using var ok = await server.Client.PostAsync("/api/models/shapes/images", Form(server, images, [sha[0], null]));
        Assert.True(ok.StatusCode == HttpStatusCode.OK, await ok.Content.ReadAsStringAsync());
        Assert.Equal(2, await server.Services.GetRequiredService<IMonitoringStore>().CountEventsAsync("shapes"));
    }

    [Fact]
    public async Task AnUploadOverTheImageSizeLimit_Is400NamingIt_AndNothingIsKeptOrStored()
    {
        using var store = new TempDirectory("imgstore");
        var small = SampleDataset.RenderImage(3, new SampleDatasetOptions(), out _);
        var large = SampleDataset.RenderImage(4, new SampleDatasetOptions { Width = 640, Height = 480 }, out _);
        Assert.True(large.Length > small.Length, "the large sample must be the larger file");
        await using var server = await MonitoringServer.StartAsync(new Dictionary<string, string?>
        {
            ["Monitoring:ImageStore:Url"] = store.Path,
            ["Monitoring:Images:MaxImageBytes"] = (large.Length - 1).ToString(),
        });
        await server.RegisterAsync("shapes", Model);
        using var r = await server.Client.PostAsync("/api/models/shapes/images", Form(server, [small, large], [null, null]));
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.BadRequest, body);
        var errors = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("images[1]", out var message), body);
        Assert.Contains("too large", message[0].GetString());
        Assert.True(NothingKept(store));
        Assert.Equal(0, await server.Services.GetRequiredService<IMonitoringStore>().CountEventsAsync("shapes"));
    }
}

/// <summary>The same image store on the S3 server the tests start: the bucket holds the uploads at the same keys.</summary>
public sealed class KeptImagesS3Tests(S3ServerFixture s3) : IClassFixture<S3ServerFixture>
{
    [Fact]
    public async Task UploadedImages_AreKeptInTheBucket_UnderTheDatasetLayout()
    {
        var prefix = "prod-" + Guid.NewGuid().ToString("N")[..8];
        await using var server = await MonitoringServer.StartAsync(s3.ImageStoreSettings(prefix));
        await server.RegisterAsync("shapes", new { classes = new[] { "circle", "square", "triangle" }, embeddingModel = "random", schedule = "0 0 0 1 1 ? 2099" });
        var image = SampleDataset.RenderImage(7, new SampleDatasetOptions(), out _);
        var form = new MultipartFormDataContent
        {
            { JsonContent.Create(new { events = new[] { new { id = "s3", timestamp = server.Time.GetUtcNow(), predictedClass = "circle", confidence = 0.9 } } }), "events" },
            { new ByteArrayContent(image), "image", "s3.jpg" },
        };
        using var r = await server.Client.PostAsync("/api/models/shapes/images", form);
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        var sha = Convert.ToHexStringLower(SHA256.HashData(image));
        var archive = server.Services.GetRequiredService<IImageArchive>();
        Assert.True(await archive.ContainsAsync(sha, CancellationToken.None));
        Assert.False(await archive.ContainsAsync(new string('1', 64), CancellationToken.None));
        // s3rver keeps each object under its key in its data folder.
        Assert.Contains(Directory.EnumerateFiles(s3.DataDirectory, "*", SearchOption.AllDirectories), f => f.Replace('\\', '/').Contains($"{prefix}/objects/{sha[..2]}/{sha[2..]}"));

        // Retention deletes through the same adapter; deleting twice is no error.
        await archive.DeleteAsync(sha, CancellationToken.None);
        Assert.False(await archive.ContainsAsync(sha, CancellationToken.None));
        await archive.DeleteAsync(sha, CancellationToken.None);
    }
}
