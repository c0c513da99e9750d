using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Observatory.Cli.ImportWindow;
using Observatory.DataService.Core.Errors;
using Observatory.Monitoring.Contracts;
using Observatory.Testing;

namespace Observatory.Cli.Tests.ImportWindow;

/// <summary>
/// The export client against a small real HTTP server on 127.0.0.1: where the API key goes (service paths only, never a presigned
/// URL nor a redirect), the size bound, the hash check, and what a refusal says.
/// </summary>
public sealed class MonitoringExportClientTests : IDisposable
{
    private const string Key = "k-123";
    private static readonly byte[] Bytes = Encoding.ASCII.GetBytes("not really a jpeg, but bytes with a hash");
    private static readonly string Sha = Convert.ToHexStringLower(SHA256.HashData(Bytes));

    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, string? Key)> _requests = new();
    private readonly TempDirectory _dir = new("export-client");
    private readonly string _base;

    public MonitoringExportClientTests()
    {
        var port = Ports.Free();
        _base = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(_base + "/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public void Dispose()
    {
        _listener.Close();
        _dir.Dispose();
    }

    /// <summary>Routes: a manifest, an image, an image URL that redirects, a lying Content-Length, wrong bytes, a 401.</summary>
    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            var path = ctx.Request.Url!.AbsolutePath;
            _requests.Enqueue((path + ctx.Request.Url.Query, ctx.Request.Headers["X-Api-Key"]));
            var response = ctx.Response;
            try
            {
                switch (path)
                {
                    case "/prefix/api/models/cam%2F1/exports" or "/prefix/api/models/cam/1/exports":
                        response.ContentType = "application/json";
                        await response.OutputStream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(Manifest(), MonitoringJson.Options));
                        break;
                    case "/prefix/api/models/cam/images/ok" or "/s3/bucket/ok":
                        await response.OutputStream.WriteAsync(Bytes);
                        break;
                    case "/prefix/api/models/cam/images/redirect":
                        response.StatusCode = 302;
                        response.RedirectLocation = _base + "/s3/bucket/ok";
                        break;
                    case "/prefix/api/models/cam/images/huge":
                        response.ContentLength64 = WindowDatasetWriter.MaxImageBytes + 1;
                        await response.OutputStream.WriteAsync(new byte[16]); // the headers go out; the rest never comes
                        response.Abort();
                        continue;
                    case "/prefix/api/models/cam/images/other":
                        await response.OutputStream.WriteAsync("other bytes"u8.ToArray());
                        break;
                    case "/prefix/api/models/locked/exports":
                        response.StatusCode = 401;
                        break;
                    case "/prefix/api/models/bad/exports":
                        response.StatusCode = 400;
                        response.ContentType = "application/problem+json";
                        await response.OutputStream.WriteAsync("""{"title":"invalid export request","errors":{"count":["must be between 1 and 5000"]}}"""u8.ToArray());
                        break;
                    default:
                        response.StatusCode = 404;
                        break;
                }
                response.Close();
            }
            catch (HttpListenerException) { }
        }
    }

    private ExportManifest Manifest() => new("e-1", "cam/1", "v2", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1), ExportSelection.Random, 1,
        ExportFormat.Yolo, ["a"], DateTimeOffset.UnixEpoch, null, [Item("/api/models/cam/images/ok")]);

    private static ExportItem Item(string url, long? bytes = null) =>
        new("ev", DateTimeOffset.UnixEpoch, Sha, "ev.jpg", url, bytes, "a", LabelSource.Prediction, "a", null, null, null, new ExportReason(null, 0.5));

    private MonitoringExportClient Client(string? key = Key) => new(_base + "/prefix/", key, TimeSpan.FromSeconds(20));

    private async Task DownloadAsync(MonitoringExportClient client, string url) =>
        await client.DownloadAsync(Item(url), _dir.Combine(Guid.NewGuid().ToString("N")), _ => { }, CancellationToken.None);

    [Fact]
    public async Task TheExport_IsPostedUnderTheServicePrefix_WithTheKey_AndReadAsTheTypedManifest()
    {
        using var client = Client();
        var manifest = await client.CreateExportAsync("cam/1", new ExportRequest(DateTimeOffset.UnixEpoch, ExportSelection.Random, 1), CancellationToken.None);
        Assert.Equal("e-1", manifest.Id);
        Assert.Equal(Sha, manifest.Items[0].Sha256);
        Assert.Equal(_base + "/prefix", client.Service);
        var request = Assert.Single(_requests);
        Assert.Equal(Key, request.Key);
    }

    [Fact]
    public async Task TheKey_GoesToServicePaths_Only_NotToAPresignedUrl_NorThroughARedirect()
    {
        using var client = Client();
        await DownloadAsync(client, "/api/models/cam/images/ok");
        await DownloadAsync(client, _base + "/s3/bucket/ok?X-Amz-Signature=abc");
        var redirect = await Assert.ThrowsAsync<StoreException>(() => DownloadAsync(client, "/api/models/cam/images/redirect"));
        Assert.Contains("302", redirect.Message);

        var seen = _requests.ToList();
        Assert.Equal([("/prefix/api/models/cam/images/ok", Key), ("/s3/bucket/ok?X-Amz-Signature=abc", null), ("/prefix/api/models/cam/images/redirect", Key)], seen);
    }

    [Fact]
    public async Task AnImageOverTheBound_OrWithOtherBytes_IsRefused_WithExitCode3_NamingTheItem()
    {
        using var client = Client();
        var huge = await Assert.ThrowsAsync<StoreException>(() => DownloadAsync(client, "/api/models/cam/images/huge"));
        Assert.Contains("larger than 50 MiB", huge.Message);
        var other = await Assert.ThrowsAsync<StoreException>(() => DownloadAsync(client, "/api/models/cam/images/other"));
        Assert.Contains("item ev (ev.jpg)", other.Message);
        Assert.Contains(Sha, other.Message);
        Assert.Equal(3, other.ExitCode);
        var scheme = await Assert.ThrowsAsync<StoreException>(() => DownloadAsync(client, "file:///etc/passwd"));
        Assert.Contains("neither a service path nor an http(s) URL", scheme.Message);
        Assert.Throws<StoreException>(() => WindowDatasetWriter.CheckManifest(Manifest() with { Items = [Item("/x", WindowDatasetWriter.MaxImageBytes + 1)] }));
    }

    [Fact]
    public async Task Refusals_SayWhatToDo_InOneLine()
    {
        using var keyless = Client(key: null);
        var locked = await Assert.ThrowsAsync<StoreException>(() => keyless.CreateExportAsync("locked", new ExportRequest(DateTimeOffset.UnixEpoch, ExportSelection.Random, 1), CancellationToken.None));
        Assert.Contains("401", locked.Message);
        Assert.Contains("--api-key or set OBS_MONITORING_API_KEY", locked.Message);

        using var client = Client();
        var bad = await Assert.ThrowsAsync<UsageException>(() => client.CreateExportAsync("bad", new ExportRequest(DateTimeOffset.UnixEpoch, ExportSelection.Random, 9999), CancellationToken.None));
        Assert.Contains("count: must be between 1 and 5000", bad.Message);
        Assert.DoesNotContain('\n', bad.Message);

        Assert.Throws<UsageException>(() => new MonitoringExportClient("ftp://host", null, TimeSpan.FromSeconds(1)));
        Assert.Throws<UsageException>(() => new MonitoringExportClient("http://user:pw@host", null, TimeSpan.FromSeconds(1)));
    }
}
