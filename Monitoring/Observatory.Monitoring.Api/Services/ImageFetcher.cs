using System.Net;
using Microsoft.Extensions.Options;
using Observatory.Monitoring.Api.Infrastructure;

namespace Observatory.Monitoring.Api.Services;

/// <summary>An origin as browsers compare them: scheme, host and port (the default port filled in), nothing else.</summary>
public sealed record ImageOrigin(string Scheme, string Host, int Port)
{
    public override string ToString() => $"{Scheme}://{Host}:{Port}";
}

/// <summary>Parsing and matching of the origins in <see cref="ImageFetchOptions.Origins"/>.</summary>
public static class ImageOrigins
{
    /// <summary>The origin a configured entry names, or null when it is not a bare http(s) origin.</summary>
    public static ImageOrigin? Parse(string? origin)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https") || u.HostNameType == UriHostNameType.Unknown
            || u.UserInfo.Length > 0 || u.AbsolutePath != "/" || u.Query.Length > 0 || u.Fragment.Length > 0 || origin!.Contains('\\'))
            return null;
        return Of(u);
    }

    /// <summary>The origin of an absolute http(s) URL without user info (credentials in a URL are never sent on); null otherwise.</summary>
    public static ImageOrigin? OfFetchable(string? uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var u) && u.Scheme is ("http" or "https") && u.UserInfo.Length == 0 && !uri!.Contains('\\') ? Of(u) : null;

    private static ImageOrigin Of(Uri u) => new(u.Scheme, u.IdnHost.ToLowerInvariant(), u.Port);
}

/// <summary>An image could not be fetched from its <c>imageUri</c>; the message says why (status, size, time, origin).</summary>
public sealed class ImageFetchException(string message) : Exception(message);

/// <summary>
/// Fetches the images events name by <c>imageUri</c>, from the configured origins only. Redirects are followed by hand (the
/// handler follows none), and only to an allowed origin; a body is refused by its Content-Length when that is over the limit,
/// and counted while it streams otherwise, so no more than the limit is ever held. Nothing is resolved or connected to for a
/// URL outside the origins: the check comes first.
/// </summary>
public sealed class ImageFetcher(IHttpClientFactory http, IOptions<MonitoringOptions> options, TimeProvider time)
{
    public const string HttpClientName = "image-fetch";
    private const int MaxRedirects = 3;

    private readonly IReadOnlySet<ImageOrigin> allowed = options.Value.ImageFetch.Origins.Select(ImageOrigins.Parse).OfType<ImageOrigin>().ToHashSet();

    public bool Enabled => allowed.Count > 0;

    /// <summary>The configured origins, for messages.</summary>
    public string AllowedList => string.Join(", ", options.Value.ImageFetch.Origins);

    public bool IsAllowed(string? uri) => ImageOrigins.OfFetchable(uri) is { } origin && allowed.Contains(origin);

    /// <summary>The image's bytes, at most <paramref name="maxBytes"/> of them; <paramref name="budget"/> is shared by a batch's fetches.</summary>
    /// <exception cref="ImageFetchException">Refused origin or redirect, an error status, too large, or too slow.</exception>
    public async Task<byte[]> FetchAsync(string uri, long maxBytes, FetchBudget budget, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(options.Value.ImageFetch.TimeoutSeconds);
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            return await FetchFollowingAsync(new Uri(uri), maxBytes, budget, linked.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new ImageFetchException($"fetching {uri} took longer than {timeout.TotalSeconds:0.#} s (Monitoring:ImageFetch:TimeoutSeconds)");
        }
        catch (HttpRequestException ex)
        {
            throw new ImageFetchException($"fetching {uri} failed: {ex.Message}");
        }
    }

    private async Task<byte[]> FetchFollowingAsync(Uri uri, long maxBytes, FetchBudget budget, CancellationToken ct)
    {
        var client = http.CreateClient(HttpClientName);
        for (var hop = 0; ; hop++)
        {
            if (!IsAllowed(uri.AbsoluteUri))
                throw new ImageFetchException(hop == 0
                    ? $"{uri} is not under an origin in Monitoring:ImageFetch:Origins ({AllowedList})"
                    : $"the image server redirected to {uri}, which is not under an origin in Monitoring:ImageFetch:Origins ({AllowedList}); redirects are followed only within them");
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Accept.ParseAdd("image/*");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                if (hop >= MaxRedirects) throw new ImageFetchException($"fetching {uri}: more than {MaxRedirects} redirects");
                uri = new Uri(uri, location);
                continue;
            }
            if (response.StatusCode != HttpStatusCode.OK)
                throw new ImageFetchException($"fetching {uri} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            if (response.Content.Headers.ContentLength is { } length && length > maxBytes)
                throw new ImageFetchException($"{uri} is {length} bytes; the limit is {maxBytes} (Monitoring:Images:MaxImageBytes)");
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                    throw new ImageFetchException($"{uri} sent more than {maxBytes} bytes (Monitoring:Images:MaxImageBytes)");
                if (!budget.Take(read))
                    throw new ImageFetchException($"the batch's fetched images together exceed {budget.Limit} bytes (Monitoring:MaxBodyBytes); send fewer events per batch");
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
    }
}

/// <summary>Bytes a batch's fetches may hold together (the images of one batch, like an upload's body, stay under Monitoring:MaxBodyBytes).</summary>
public sealed class FetchBudget(long limit)
{
    private long used;

    public long Limit { get; } = limit;

    public bool Take(long bytes) => Interlocked.Add(ref used, bytes) <= Limit;
}
