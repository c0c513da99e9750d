using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Observatory.ServiceDefaults;

/// <summary>The plumbing every Observatory host shares: health, metrics, the clock, ProblemDetails and the one exception table.</summary>
public static class ServiceDefaultsExtensions
{
    public const string HealthPath = "/healthz";
    public const string MetricsPath = "/metrics";

    /// <summary>Configuration key: costly requests one caller may make per minute (default <see cref="ServiceDefaultsOptions.CostlyRequestsPerMinute"/>).</summary>
    public const string CostlyRequestsSetting = "RateLimiting:CostlyRequestsPerMinute";

    /// <summary>Registers the shared services; a host adds its own health checks to the returned builder.</summary>
    public static IHealthChecksBuilder AddServiceDefaults(this WebApplicationBuilder builder, Action<ServiceDefaultsOptions>? configure = null)
    {
        builder.Services.AddOptions<ServiceDefaultsOptions>().Configure(o => configure?.Invoke(o));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<HostMetrics>();
        builder.Services.AddSingleton<HostBinding>();
        var costlyPerMinute = builder.Configuration.GetValue<int?>(CostlyRequestsSetting);
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Costly reads only; each caller (its API key, else its address) has its own window, so one client cannot starve the rest.
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                var defaults = http.RequestServices.GetRequiredService<IOptions<ServiceDefaultsOptions>>().Value;
                if (defaults.IsCostly?.Invoke(http) != true) return RateLimitPartition.GetNoLimiter("");
                var caller = http.Request.Headers[RequestGuard.KeyHeader].ToString() is { Length: > 0 } key
                    ? "key:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))
                    : "ip:" + http.Connection.RemoteIpAddress;
                var permits = costlyPerMinute ?? defaults.CostlyRequestsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(caller, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = Math.Max(1, permits), Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
                });
            });
            o.OnRejected = async (context, ct) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = 429, Title = "too many costly requests", Detail = $"this caller may make {costlyPerMinute ?? context.HttpContext.RequestServices.GetRequiredService<IOptions<ServiceDefaultsOptions>>().Value.CostlyRequestsPerMinute} such requests a minute ({CostlyRequestsSetting}); retry later" },
                });
            };
        });
        return builder.Services.AddHealthChecks();
    }

    /// <summary>
    /// Adds the exception handler first in the pipeline (so it sees every later failure) and maps <c>/healthz</c>, open to
    /// anyone: it answers ok or unhealthy and nothing else.
    /// </summary>
    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ServiceDefaultsOptions>>().Value;
        if (options.ErrorPagePath is { } page) app.UseExceptionHandler(page, createScopeForErrors: true);
        else
        {
            app.UseExceptionHandler();
            app.UseStatusCodePages();
        }
        app.UseMiddleware<RequestGuard>();
        app.UseRateLimiter();
        app.MapHealthChecks(HealthPath, new HealthCheckOptions { ResponseWriter = WriteHealthAsync }).AllowAnonymous();
        app.MapMetrics(MetricsPath, app.Services.GetRequiredService<HostMetrics>().Registry);
        return app;
    }

    private static Task WriteHealthAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        // Check names and exception messages stay in the log: an anonymous caller learns only up or down.
        var status = report.Status == HealthStatus.Unhealthy ? "unhealthy" : "ok";
        return http.Response.WriteAsync(JsonSerializer.Serialize(new { status }));
    }
}
