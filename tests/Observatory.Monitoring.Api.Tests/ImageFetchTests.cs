using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observatory.Monitoring.Core.Ports;
using Observatory.Samples;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// An image server on 127.0.0.1 (real Kestrel): its origin is http://127.0.0.1:PORT, so two of them are two origins. It records
/// every request, so a test can tell that a refused URL was never even asked for.
/// </summary>
public sealed class ImageOriginServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ImageOriginServer(WebApplication app, int port)
    {
        _app = app;
        Origin = $"http://127.0.0.1:{port}";
    }

    public string Origin { get; }
    public ConcurrentQueue<string> Requests { get; } = new();
    public byte[] Image(int seed) => SampleDataset.RenderImage(seed, new SampleDatasetOptions(), out _);
    public string Url(string path) => $"{Origin}/{path}";

    /// <summary>
    /// Routes: /img/{seed}.jpg a sample image; /big/{bytes} that many bytes with a Content-Length, /stream/{bytes} the same chunked
    /// (no length); /missing 404; /text a text file; /slow an image after 5 s; /redirect?to=URL a 302 to URL.
    /// </summary>
    public static async Task<ImageOriginServer> StartAsync()
    {
        var port = Ports.Free();
        var b = WebApplication.CreateBuilder();
        b.WebHost.UseUrls($"http://127.0.0.1:{port}");
        b.Logging.ClearProviders();
        var app = b.Build();
        var server = new ImageOriginServer(app, port);
        app.Use(async (ctx, next) => { server.Requests.Enqueue(ctx.Request.Path + ctx.Request.QueryString); await next(ctx); });
        app.MapGet("/img/{seed:int}.jpg", (int seed) => Results.Bytes(server.Image(seed), "image/jpeg"));
        app.MapGet("/big/{bytes:int}", (int bytes) => Results.Bytes(new byte[bytes], "image/jpeg"));
        app.MapGet("/stream/{bytes:int}", async (int bytes, HttpResponse response) =>
        {
            response.ContentType = "image/jpeg";
            var chunk = new byte[8192];
            for (var sent = 0; sent < bytes; sent += chunk.Length) await response.Body.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, bytes - sent)));
        });
        app.MapGet("/missing", () => Results.NotFound());
        app.MapGet("/text", () => Results.Text("hello, not an image"));
        app.MapGet("/slow", async (CancellationToken ct) => { await Task.Delay(5000, ct); return Results.Bytes(server.Image(1), "image/jpeg"); });
        app.MapGet("/redirect", (string to) => Results.Redirect(to));
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// "What production saw is kept", for clients that keep their images themselves: an event that names its image by imageUri alone
/// has it fetched — only from the origins Monitoring:ImageFetch:Origins lists (no redirect elsewhere, bounded in time and size) —
/// kept and embedded with the model's encoder. Anything that cannot be fetched is a 400 naming the item, with nothing stored.
/// </summary>
public sealed class ImageFetchTests : IAsyncLifetime
{
    private static readonly object Model = new { classes = new[] { "circle", "square", "triangle" }, embeddingModel = "random", schedule = "0 0 0 1 1 ? 2099" };
    private const int MaxImageBytes = 200_000;

    private readonly TempDirectory _store = new("imgstore");
    private ImageOriginServer _allowed = null!;
    private ImageOriginServer _other = null!;
    private MonitoringServer _server = null!;

    public async Task InitializeAsync()
    {
        _allowed = await ImageOriginServer.StartAsync();
        _other = await ImageOriginServer.StartAsync();
        _server = await MonitoringServer.StartAsync(new Dictionary<string, string?>
        {
            ["Monitoring:ImageStore:Url"] = _store.Path,
            ["Monitoring:ImageFetch:Origins:0"] = _allowed.Origin,
            ["Monitoring:ImageFetch:TimeoutSeconds"] = "1",
            ["Monitoring:Images:MaxImageBytes"] = MaxImageBytes.ToString(),
        });
        await _server.RegisterAsync("shapes", Model);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _allowed.DisposeAsync();
        await _other.DisposeAsync();
        _store.Dispose();
    }

    private Task<HttpResponseMessage> PostAsync(params string[] uris) =>
        _server.Client.PostAsJsonAsync("/api/models/shapes/events", new
        {
            events = uris.Select((uri, i) => new { id = $"e{i}-{Guid.NewGuid():N}", timestamp = _server.Time.GetUtcNow(), predictedClass = "circle", confidence = 0.9, imageUri = uri }),
        });

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private IEnumerable<string> KeptFiles() =>
        Directory.Exists(Path.Combine(_store.Path, "objects")) ? Directory.EnumerateFiles(Path.Combine(_store.Path, "objects"), "*", SearchOption.AllDirectories) : [];

    private async Task<long> CountAsync() =>
        (await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/shapes/events/count")).GetProperty("count").GetInt64();

    private static async Task<string> RefusedAsync(HttpResponseMessage r, string field)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.BadRequest, body);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), body);
        return messages[0].GetString()!;
    }

    [Fact]
    public async Task AnImageUriUnderAnAllowedOrigin_IsFetchedKeptAndEmbedded_AndTheEventNamesIt()
    {
        // The second one reaches its image through a redirect within the same origin.
        using var r = await PostAsync(_allowed.Url("img/11.jpg"), _allowed.Url("redirect?to=" + Uri.EscapeDataString(_allowed.Url("img/12.jpg"))));
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());

        var stored = await _server.Services.GetRequiredService<IMonitoringStore>().GetEventsAsync("shapes", DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, 10, includeEmbeddings: true);
        var expected = new[] { Sha(_allowed.Image(11)), Sha(_allowed.Image(12)) };
        Assert.Equal(expected.Order(), stored.Select(e => e.ImageSha256!).Order());
        Assert.All(stored, e =>
        {
            Assert.Equal(152, e.Embedding!.Length);
            Assert.Contains(e.Embedding, v => v != 0);
            Assert.NotNull(e.ImageFeatures);
            Assert.StartsWith(_allowed.Origin, e.ImageUri);
        });
        foreach (var (sha, seed) in expected.Zip([11, 12]))
            Assert.Equal(_allowed.Image(seed), File.ReadAllBytes(Path.Combine(_store.Path, "objects", sha[..2], sha[2..])));
        // The same embedding as an upload of the same bytes gets: the model's encoder embedded it.
        var upload = new MultipartFormDataContent
        {
            { JsonContent.Create(new { events = new[] { new { id = "up", timestamp = _server.Time.GetUtcNow(), predictedClass = "circle", confidence = 0.9 } } }), "events" },
            { new ByteArrayContent(_allowed.Image(11)), "image", "up.jpg" },
        };
        using (var up = await _server.Client.PostAsync("/api/models/shapes/images", upload)) Assert.Equal(HttpStatusCode.OK, up.StatusCode);
        var all = await _server.Services.GetRequiredService<IMonitoringStore>().GetEventsAsync("shapes", DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, 10, includeEmbeddings: true);
        Assert.Equal(all.Single(e => e.Id == "up").Embedding, all.Single(e => e.Id != "up" && e.ImageSha256 == expected[0]).Embedding);
    }

    [Fact]
    public async Task AnImageUriOfAnotherOrigin_Is400NamingIt_AndIsNeverRequested()
    {
        using var r = await PostAsync(_allowed.Url("img/1.jpg"), _other.Url("img/2.jpg"));
        var message = await RefusedAsync(r, "events[1].imageUri");
        Assert.Contains("Monitoring:ImageFetch:Origins", message);
        Assert.Contains(_other.Origin, message);
        Assert.Empty(_other.Requests);
        // Checked before anything is fetched: the allowed one was not requested either, and nothing is kept or stored.
        Assert.Empty(_allowed.Requests);
        Assert.Empty(KeptFiles());
        Assert.Equal(0, await CountAsync());

        // A site path cannot be fetched either; credentials in a URL are never sent on.
        Assert.Contains("not an absolute http(s) URL", await RefusedAsync(await PostAsync("/images/a.jpg"), "events[0].imageUri"));
        Assert.Contains("not an absolute http(s) URL", await RefusedAsync(await PostAsync(_allowed.Origin.Replace("://", "://user:pw@") + "/img/1.jpg"), "events[0].imageUri"));
        Assert.Empty(_allowed.Requests);
    }

    [Fact]
    public async Task ARedirectToAnotherOrigin_Is400_AndIsNotFollowed()
    {
        using var r = await PostAsync(_allowed.Url("redirect?to=" + Uri.EscapeDataString(_other.Url("img/3.jpg"))));
        var message = await RefusedAsync(r, "events[0].imageUri");
        Assert.Contains("redirected to " + _other.Origin, message);
        Assert.Empty(_other.Requests);
        Assert.Empty(KeptFiles());
        Assert.Equal(0, await CountAsync());
    }

    [Theory]
    [InlineData("big", "is 300000 bytes; the limit is 200000")]
    [InlineData("stream", "sent more than 200000 bytes")]
    public async Task AnImageOverTheSizeLimit_Is400NamingIt_WithOrWithoutALength(string route, string expected)
    {
        using var r = await PostAsync(_allowed.Url("img/4.jpg"), _allowed.Url($"{route}/300000"));
        Assert.Contains(expected, await RefusedAsync(r, "events[1].imageUri"));
        Assert.Empty(KeptFiles());
        Assert.Equal(0, await CountAsync());
    }

    [Fact]
    public async Task AMissingImage_ATextFile_AndASlowServer_Are400sNamingTheirItems_AndNothingIsStored()
    {
        Assert.Contains("answered 404", await RefusedAsync(await PostAsync(_allowed.Url("img/5.jpg"), _allowed.Url("missing")), "events[1].imageUri"));
        Assert.Contains("not a decodable image", await RefusedAsync(await PostAsync(_allowed.Url("text"), _allowed.Url("img/6.jpg")), "events[0].imageUri"));
        Assert.Contains("took longer than 1 s", await RefusedAsync(await PostAsync(_allowed.Url("slow")), "events[0].imageUri"));
        Assert.Empty(KeptFiles());
        Assert.Equal(0, await CountAsync());
    }

    [Fact]
    public async Task AModelWhoseClientsSendEmbeddings_NeverHasItsImageUrisFetched()
    {
        await _server.RegisterAsync("client", new { classes = new[] { "circle" }, embeddingModel = "client", embeddingDimension = 4, schedule = "0 0 0 1 1 ? 2099" });
        using var r = await _server.Client.PostAsJsonAsync("/api/models/client/events", new
        {
            events = new[] { new { id = "c", timestamp = _server.Time.GetUtcNow(), predictedClass = "circle", confidence = 0.9, imageUri = _allowed.Url("img/7.jpg") } },
        });
        Assert.Contains("is required", await RefusedAsync(r, "events[0].embedding"));
        Assert.Empty(_allowed.Requests);
    }
}

/// <summary>Start-up refuses origins that are not bare http(s) origins, naming the entry; without any, nothing is fetched.</summary>
public sealed class ImageFetchOptionsTests
{
    [Theory]
    [InlineData("https://images.example.com/photos")]
    [InlineData("ftp://images.example.com")]
    [InlineData("images.example.com")]
    [InlineData("https://user:pw@images.example.com")]
    [InlineData("https://images.example.com/?a=1")]
    public async Task AnOriginWithAPathOrAnotherScheme_FailsStartUp_NamingIt(string origin)
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => MonitoringServer.StartAsync(new Dictionary<string, string?> { ["Monitoring:ImageFetch:Origins:0"] = origin }));
        Assert.Contains($"'{origin}' is not an origin", ex.Message);
    }

    [Fact]
    public async Task WithoutOrigins_AnEventWithOnlyAnImageUri_Is400SayingNothingIsFetched()
    {
        await using var server = await MonitoringServer.StartAsync();
        await server.RegisterAsync("shapes", new { classes = new[] { "circle" }, embeddingModel = "random", schedule = "0 0 0 1 1 ? 2099" });
        using var r = await server.Client.PostAsJsonAsync("/api/models/shapes/events", new
        {
            events = new[] { new { id = "a", timestamp = server.Time.GetUtcNow(), predictedClass = "circle", confidence = 0.9, imageUri = "https://images.example.com/a.jpg" } },
        });
        var body = await r.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("events[0].imageUri", body);
        Assert.Contains("Monitoring:ImageFetch:Origins is empty", body);
    }
}
