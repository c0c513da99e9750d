using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;

namespace Observatory.ServiceDefaults;

/// <summary>The plumbing every Observatory host shares: health, metrics, the clock, ProblemDetails and the one exception table.</summary>
public static class ServiceDefaultsExtensions
{
    public const string HealthPath = "/healthz";
    public const string MetricsPath = "/metrics";

    /// <summary>Registers the shared services; a host adds its own health checks to the returned builder.</summary>
    public static IHealthChecksBuilder AddServiceDefaults(this WebApplicationBuilder builder, Action<ServiceDefaultsOptions>? configure = null)
    {
        builder.Services.AddOptions<ServiceDefaultsOptions>().Configure(o => configure?.Invoke(o));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<HostMetrics>();
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
