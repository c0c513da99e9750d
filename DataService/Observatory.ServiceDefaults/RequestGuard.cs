using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Observatory.ServiceDefaults;

/// <summary>
/// The checks every request passes before an endpoint runs (hardening findings 1 and 12), in one place for every host:
/// <list type="number">
/// <item>On a host bound to loopback only, the Host header must name loopback, so a DNS-rebound name cannot reach it
/// (unless AllowedHosts is configured, then the framework's host filtering decides).</item>
/// <item>Writes from another site are refused (Sec-Fetch-Site, else Origin): a web page must not POST to a local service.</item>
/// <item>API hosts: every endpoint but /healthz needs a key when the host is bound beyond loopback, or always when a read key
/// is configured. Write keys are still checked per endpoint (Monitoring's ApiKeyFilter).</item>
/// <item>API hosts: a write with a body must be JSON, or multipart where the endpoint accepts it; anything else is 415, so a
/// form or text/plain POST (what a page can send without CORS) is never parsed as JSON.</item>
/// </list>
/// </summary>
internal sealed class RequestGuard(RequestDelegate next, HostBinding binding, IOptions<ServiceDefaultsOptions> options, IConfiguration configuration,
    IProblemDetailsService problems)
{
    public const string KeyHeader = "X-Api-Key";

    private readonly bool _allowedHostsConfigured = configuration["AllowedHosts"] is { Length: > 0 };

    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if (!_allowedHostsConfigured && !binding.BeyondLoopback && !HostBinding.IsLoopbackHost(request.Host))
        {
            await RefuseAsync(http, 400, "host not allowed",
                $"this service listens on loopback only and answers only to localhost, 127.0.0.1 or [::1]; set AllowedHosts to serve other names");
            return;
        }

        var write = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));
        if (write && IsCrossSite(request))
        {
            await RefuseAsync(http, 403, "cross-site request refused", "writes are accepted only from this service's own origin or from non-browser clients");
            return;
        }

        var o = options.Value;
        if (o.ApiKeys is { } keysOf && !request.Path.StartsWithSegments(ServiceDefaultsExtensions.HealthPath))
        {
            var keys = keysOf(http.RequestServices);
            if (binding.BeyondLoopback || !string.IsNullOrEmpty(keys.ReadKey))
            {
                if (!keys.Any)
                {
                    await RefuseAsync(http, 401, "API key required",
                        $"this service listens beyond loopback, so every endpoint but {ServiceDefaultsExtensions.HealthPath} needs a key; configure {keys.Settings} and send it in header {KeyHeader}");
                    return;
                }
                var given = request.Headers[KeyHeader].ToString();
                if (!Matches(given, keys.ReadKey) && !Matches(given, keys.WriteKey))
                {
                    await RefuseAsync(http, 401, given.Length == 0 ? "API key required" : "invalid API key", $"send the key configured in {keys.Settings} in header {KeyHeader}");
                    return;
                }
            }

            if (write && HasBody(request) && !AcceptedContentType(http))
            {
                await RefuseAsync(http, 415, "unsupported content type",
                    $"'{request.ContentType}' is not accepted here; send application/json{(AcceptsMultipart(http) ? " or multipart/form-data" : "")}");
                return;
            }
        }
        await next(http);
    }

    /// <summary>Browsers say where a request comes from; clients that send neither header (curl, the SDKs) are not browsers.</summary>
    private static bool IsCrossSite(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0) return site is not ("same-origin" or "none");
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return false;
        return !Uri.TryCreate(origin, UriKind.Absolute, out var o)
            || !string.Equals(o.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(o.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase);
    }

    private static bool Matches(string given, string? expected) =>
        !string.IsNullOrEmpty(expected) && given.Length > 0
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || request.ContentLength is null && request.Headers.TransferEncoding.Count > 0;

    private static bool AcceptedContentType(HttpContext http)
    {
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type)) return false;
        var media = type.MediaType.Value ?? "";
        if (media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && media.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
            return true;
        return media.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase) && AcceptsMultipart(http);
    }

    private static bool AcceptsMultipart(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<MultipartEndpoint.Marker>() is not null
        || http.GetEndpoint()?.Metadata.GetOrderedMetadata<IAcceptsMetadata>()
            .Any(a => a.ContentTypes.Contains("multipart/form-data", StringComparer.OrdinalIgnoreCase)) == true;

    private async Task RefuseAsync(HttpContext http, int status, string title, string detail)
    {
        http.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
