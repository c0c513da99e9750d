using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Observatory.Monitoring.Api.Infrastructure;

/// <summary>Writes need header X-Api-Key equal to Monitoring:ApiKey; with no key configured, only loopback callers may write.</summary>
public sealed class ApiKeyFilter(IOptions<MonitoringOptions> options) : IEndpointFilter
{
    public const string Header = "X-Api-Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var expected = options.Value.ApiKey;
        if (string.IsNullOrEmpty(expected))
        {
            if (http.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip)) return await next(context);
            return Results.Problem(statusCode: 401, title: "API key required", detail: "Monitoring:ApiKey is not configured; writes are accepted only from loopback.");
        }
        var given = http.Request.Headers[Header].ToString();
        if (given.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected)))
            return Results.Problem(statusCode: 401, title: "invalid API key", detail: $"send the key configured in Monitoring:ApiKey in header {Header}");
        return await next(context);
    }
}
