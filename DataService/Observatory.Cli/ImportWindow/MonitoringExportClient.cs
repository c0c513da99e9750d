using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Observatory.DataService.Core.Errors;
using Observatory.Monitoring.Contracts;

namespace Observatory.Cli.ImportWindow;

/// <summary>
/// The monitoring service as `obs import-window` sees it: one POST that makes an export, then the images it lists. The API key
/// goes only to the service's own paths; an absolute (presigned) image URL gets no key, and keyed requests follow no redirect, so
/// the key never reaches another host.
/// </summary>
internal sealed class MonitoringExportClient : IDisposable
{
    public const string ApiKeyHeader = "X-Api-Key";

    private readonly string _service;
    private readonly string? _apiKey;
    private readonly HttpClient _keyed;
    private readonly HttpClient _anonymous;

    /// <param name="service">The service's base URL, http or https; a path prefix (behind a proxy) is kept.</param>
    public MonitoringExportClient(string service, string? apiKey, TimeSpan timeout)
    {
        if (!Uri.TryCreate(service, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0 || uri.Query.Length > 0)
            throw new UsageException($"service URL '{service}' must be an http(s) URL without credentials or query, e.g. http://localhost:5080");
        _service = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        _apiKey = string.IsNullOrEmpty(apiKey) ? null : apiKey;
        _keyed = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = timeout };
        _anonymous = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true, MaxAutomaticRedirections = 5 }) { Timeout = timeout };
    }

    /// <summary>The service URL as recorded in the pointer (no credentials, no trailing slash).</summary>
    public string Service => _service;

    public async Task<ExportManifest> CreateExportAsync(string model, ExportRequest request, CancellationToken ct)
    {
        var url = $"{_service}/api/models/{Uri.EscapeDataString(model)}/exports";
        using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(request, options: MonitoringJson.Options) };
        if (_apiKey is not null) message.Headers.Add(ApiKeyHeader, _apiKey);
        using var response = await SendAsync(_keyed, message, url, ct);
        if (!response.IsSuccessStatusCode) throw await FailureAsync(response, $"POST {url}", ct);
        try
        {
            return await response.Content.ReadFromJsonAsync<ExportManifest>(MonitoringJson.Options, ct)
                ?? throw new StoreException($"POST {url} answered an empty body, not an export manifest");
        }
        catch (JsonException e)
        {
            throw new StoreException($"POST {url} answered something that is not an export manifest: {e.Message}");
        }
    }

    /// <summary>
    /// GET of one of the service's own paths (keyed), read as JSON of <typeparamref name="T"/>; null when the service answers 404
    /// and <paramref name="notFoundIsNull"/> (a window or image it does not have), else the same errors as an export.
    /// </summary>
    public async Task<T?> GetJsonAsync<T>(string path, bool notFoundIsNull, CancellationToken ct) where T : class
    {
        var url = _service + path;
        using var message = new HttpRequestMessage(HttpMethod.Get, url);
        if (_apiKey is not null) message.Headers.Add(ApiKeyHeader, _apiKey);
        using var response = await SendAsync(_keyed, message, Shown(url), ct);
        if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound) return null;
        if (!response.IsSuccessStatusCode) throw await FailureAsync(response, $"GET {Shown(url)}", ct);
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(MonitoringJson.Options, ct)
                ?? throw new StoreException($"GET {Shown(url)} answered an empty body");
        }
        catch (JsonException e)
        {
            throw new StoreException($"GET {Shown(url)} answered something that is not a {typeof(T).Name}: {e.Message}");
        }
    }

    /// <summary>The bytes of one of the service's own paths (keyed), or null when it has none (404) or they exceed <paramref name="maxBytes"/>.</summary>
    public async Task<byte[]?> GetBytesAsync(string path, long maxBytes, CancellationToken ct)
    {
        var url = _service + path;
        using var message = new HttpRequestMessage(HttpMethod.Get, url);
        if (_apiKey is not null) message.Headers.Add(ApiKeyHeader, _apiKey);
        using var response = await SendAsync(_keyed, message, Shown(url), ct, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        if (!response.IsSuccessStatusCode) throw await FailureAsync(response, $"GET {Shown(url)}", ct);
        if (response.Content.Headers.ContentLength > maxBytes) return null;
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        return bytes.Length > maxBytes ? null : bytes;
    }

    /// <summary>
    /// Downloads one image to <paramref name="destination"/>, refusing more than <see cref="WindowDatasetWriter.MaxImageBytes"/> and
    /// bytes whose SHA-256 is not the manifest's; <paramref name="advance"/> gets the bytes as they arrive.
    /// </summary>
    public async Task DownloadAsync(ExportItem item, string destination, Action<long> advance, CancellationToken ct)
    {
        var (client, url, keyed) = Target(item);
        using var message = new HttpRequestMessage(HttpMethod.Get, url);
        if (keyed && _apiKey is not null) message.Headers.Add(ApiKeyHeader, _apiKey);
        using var response = await SendAsync(client, message, Shown(url), ct, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode) throw await FailureAsync(response, $"item {item.EventId} ({item.FileName}): GET {Shown(url)}", ct);
        if (response.Content.Headers.ContentLength > WindowDatasetWriter.MaxImageBytes) throw WindowDatasetWriter.TooLarge(item);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long total = 0;
        try
        {
            await using (var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            await using (var input = await response.Content.ReadAsStreamAsync(ct))
            {
                var buffer = new byte[1 << 16];
                int n;
                while ((n = await input.ReadAsync(buffer, ct)) > 0)
                {
                    total += n;
                    if (total > WindowDatasetWriter.MaxImageBytes) throw WindowDatasetWriter.TooLarge(item);
                    sha.AppendData(buffer, 0, n);
                    await output.WriteAsync(buffer.AsMemory(0, n), ct);
                    advance(n);
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException && e is not FileNotFoundException)
        {
            throw new StoreException($"item {item.EventId} ({item.FileName}): download from {Shown(url)} broke off: {e.Message}", e);
        }
        var actual = Convert.ToHexStringLower(sha.GetHashAndReset());
        if (!string.Equals(actual, item.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new StoreException($"item {item.EventId} ({item.FileName}): the downloaded image hashes to {actual[..12]}…, the export says {item.Sha256}; nothing written");
    }

    private (HttpClient Client, string Url, bool Keyed) Target(ExportItem item)
    {
        var u = item.ImageUrl ?? "";
        // A service path is relative to the service (and its path prefix); "//host" would leave it, so it is not a path.
        if (u.StartsWith('/') && !u.StartsWith("//", StringComparison.Ordinal) && !u.Contains('\\'))
            return (_keyed, _service + u, true);
        if (Uri.TryCreate(u, UriKind.Absolute, out var abs) && abs.Scheme is "http" or "https")
            return (_anonymous, abs.AbsoluteUri, false);
        throw new StoreException($"item {item.EventId} ({item.FileName}) has the image URL '{(u.Length > 80 ? u[..80] + "…" : u)}', neither a service path nor an http(s) URL; nothing written");
    }

    /// <summary>A presigned URL's query is a credential: errors show the URL without it.</summary>
    private static string Shown(string url) => url.Contains('?') ? url[..url.IndexOf('?')] + "?…" : url;

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage message, string shown, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        try
        {
            return await client.SendAsync(message, completion, ct);
        }
        catch (HttpRequestException e)
        {
            throw new StoreException($"cannot reach {shown}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new StoreException($"{shown} did not answer in {client.Timeout.TotalSeconds:0} s", e);
        }
    }

    private async Task<ObsException> FailureAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        var detail = await ProblemDetailAsync(response, ct);
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new StoreException(
                $"{what}: {status}; {(_apiKey is null ? "the service wants an API key: pass --api-key or set OBS_MONITORING_API_KEY" : "the service refused the API key")}"),
            HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity =>
                new UsageException($"{what}: {status}{detail}"),
            _ when (int)response.StatusCode is >= 300 and < 400 => new StoreException($"{what}: {status} (redirect to {response.Headers.Location}); name the service's own URL"),
            _ => new StoreException($"{what}: {status}{detail}"),
        };
    }

    private static async Task<string> ProblemDetailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.Content.Headers.ContentType is not { MediaType: "application/problem+json" or "application/json" }) return "";
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<Problem>(MonitoringJson.Options, ct);
            var text = problem?.Detail ?? problem?.Title;
            if (problem?.Errors is { Count: > 0 } errors) text = string.Join("; ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")));
            return text is null ? "" : ": " + (text.Length > 300 ? text[..300] + "…" : text);
        }
        catch (JsonException)
        {
            return "";
        }
    }

    /// <summary>The parts of an RFC 9457 problem the CLI shows.</summary>
    private sealed record Problem(string? Title, string? Detail, Dictionary<string, string[]>? Errors);

    public void Dispose()
    {
        _keyed.Dispose();
        _anonymous.Dispose();
    }
}
