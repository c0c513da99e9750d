using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Options;
using Observatory.Dashboard.Components;
using Observatory.Dashboard.Security;
using Observatory.Dashboard.Services;
using Observatory.DataService.Core.Queries;
using Observatory.DataService.Core.Workspace;
using Observatory.DataService.Storage;
using Observatory.Reports;
using Observatory.ServiceDefaults;
using Radzen;

namespace Observatory.Dashboard;

/// <summary>The composition root of the dashboard (Blazor Server, interactive server render mode, Radzen material theme).</summary>
public static class DashboardApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = AppFolder.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.AddServiceDefaults(o => o.ErrorPagePath = "/error");
        // Users may live in their own file, re-read when it changes (add or remove a user without a restart).
        if (builder.Configuration[$"{DashboardOptions.Section}:UsersFile"] is { Length: > 0 } usersFile)
            builder.Configuration.AddJsonFile(Path.GetFullPath(usersFile), optional: false, reloadOnChange: true);
        builder.Services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.RepositoryPath), "Dashboard:RepositoryPath is empty; set it to the git work tree that holds the obs datasets")
            .Validate(o => string.IsNullOrEmpty(o.MonitoringUrl) || Uri.TryCreate(o.MonitoringUrl, UriKind.Absolute, out var u) && u.Scheme is "http" or "https",
                "Dashboard:MonitoringUrl must be an absolute http(s) URL such as http://127.0.0.1:5080, or empty when there is no monitoring service")
            .Validate(o => o.RefreshSeconds >= 0, "Dashboard:RefreshSeconds must be 0 (off) or positive")
            .Validate(o => o.Users.All(u => u.PasswordSha256 is null),
                "Dashboard:Users: PasswordSha256 (unsalted SHA-256) is no longer accepted; make a PasswordHash with `dotnet Observatory.Dashboard.dll hash-password`")
            .Validate(o => o.Users.All(u => u.Name.Length > 0 && (u.PasswordHash is { Length: > 0 } || u.Password is { Length: > 0 })),
                "each Dashboard:Users entry needs a Name and a PasswordHash (`dotnet Observatory.Dashboard.dll hash-password`)")
            .Validate(o => o.MaxFailedLogins > 0 && o.LockoutMinutes > 0, "Dashboard:MaxFailedLogins and Dashboard:LockoutMinutes must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<DashboardOptions>>().Value);
        builder.Services.AddSingleton(sp => new DatasetCatalog(Path.GetFullPath(sp.GetRequiredService<DashboardOptions>().RepositoryPath),
            ObsEnvironments.Create(sp.GetRequiredService<TimeProvider>())));

        builder.Services.AddHttpClient<MonitoringClient>((sp, http) =>
        {
            if (Uri.TryCreate(sp.GetRequiredService<DashboardOptions>().MonitoringUrl, UriKind.Absolute, out var url)) http.BaseAddress = url;
            http.Timeout = TimeSpan.FromSeconds(15);
        }).AddHttpMessageHandler(sp => new MonitoringKeyHandler(sp.GetRequiredService<DashboardOptions>().MonitoringApiKey));

        builder.Services.AddScoped<PendingNotice>();
        builder.Services.AddSingleton<MonitoringNotifier>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MonitoringNotifier>());

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddRadzenComponents();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.LoginPath = "/login";
            o.Cookie.Name = "observatory.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            o.SlidingExpiration = true;
            // Secure whenever the request came over HTTPS (behind a TLS proxy, forward the scheme).
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // A session lasts only while its user is still configured with the same password.
            o.Events.OnValidatePrincipal = async context =>
            {
                if (context.Principal?.Identity?.Name is not { } name) return;
                var users = context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<DashboardOptions>>().CurrentValue.Users;
                if (LoginPolicy.Stamp(users, name) == context.Principal.FindFirst(LoginPolicy.StampClaim)?.Value) return;
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            };
        });
        builder.Services.AddSingleton<LoginGate>();
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.AddSingleton<IAuthorizationHandler, LoginRequirementHandler>();
        // Every endpoint needs the login requirement unless it says AllowAnonymous (login page, static assets, health).
        builder.Services.AddAuthorization(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().AddRequirements(new LoginRequirement()).Build());
        builder.Services.AddAntiforgery();

        var app = builder.Build();
        // Never the developer exception page: domain errors become ProblemDetails, anything else the plain error page (details to the log).
        app.MapServiceDefaults();
        app.UseStatusCodePagesWithReExecute("/not-found");
        app.UseSecurityHeaders();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapAccountEndpoints();
        app.MapObjectEndpoint();
        app.MapProductionEndpoints();
        app.MapReportEndpoints();
        // The policy of UseSecurityHeaders already says frame-ancestors 'none'; Blazor would add a second, weaker header.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>
    /// Cache objects (images for thumbnails) by hash; <c>?name=</c> gives the content type of a raster image, anything else is
    /// downloaded (the name is the caller's, so it must not decide that bytes become a page). Objects never change, so cache hard.
    /// </summary>
    private static void MapObjectEndpoint(this IEndpointRouteBuilder app) =>
        app.MapGet("/objects/{sha256}", (string sha256, string? name, DatasetCatalog catalog, HttpContext http) =>
        {
            // A malformed hash throws QueryException: the shared exception handler answers 400.
            var stream = catalog.OpenObject(sha256);
            if (stream is null) return Results.NotFound();
            http.Response.Headers.CacheControl = "private, max-age=31536000, immutable";
            http.Response.Headers.ContentSecurityPolicy = SecurityHeaders.ObjectPolicy;
            var (type, inline) = SecurityHeaders.ForObject(name, ContentTypes);
            return inline ? Results.Stream(stream, type) : Results.Stream(stream, type, fileDownloadName: DownloadName(name, sha256));
        });

    /// <summary>
    /// Production images the service keeps, and export manifests, fetched from the service with this dashboard's key (the
    /// browser never holds it). Only raster types are served inline; the service's own type comes from the bytes' magic numbers.
    /// </summary>
    private static void MapProductionEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/production-images/{model}/{sha256}", async (string model, string sha256, MonitoringClient monitoring, HttpContext http, CancellationToken ct) =>
        {
            if (sha256.Length != 64 || !sha256.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f')) return Results.BadRequest("sha256 must be 64 lower-case hex characters");
            try
            {
                var (bytes, type) = await monitoring.ImageAsync(model, sha256, ct);
                http.Response.Headers.CacheControl = "private, max-age=31536000, immutable";
                http.Response.Headers.ContentSecurityPolicy = SecurityHeaders.ObjectPolicy;
                return type is "image/png" or "image/jpeg" or "image/gif" or "image/bmp" or "image/webp"
                    ? Results.Bytes(bytes, type)
                    : Results.Bytes(bytes, "application/octet-stream", fileDownloadName: sha256);
            }
            catch (MonitoringUnavailableException ex) when (ex.StatusCode == 404) { return Results.NotFound(); }
            catch (MonitoringUnavailableException ex) { return Results.Problem(statusCode: 502, title: "monitoring service unavailable", detail: ex.Message); }
        });
        app.MapGet("/exports/{model}/{id}/manifest.json", async (string model, string id, MonitoringClient monitoring, CancellationToken ct) =>
        {
            try { return Results.Bytes(await monitoring.ExportManifestBytesAsync(model, id, ct), "application/json", fileDownloadName: $"{model}-export-{id}.json"); }
            catch (MonitoringUnavailableException ex) when (ex.StatusCode == 404) { return Results.NotFound(); }
            catch (MonitoringUnavailableException ex) { return Results.Problem(statusCode: 502, title: "monitoring service unavailable", detail: ex.Message); }
        });
    }

    /// <summary>
    /// The same self-contained HTML reports `obs report` writes, as downloads: two versions of a dataset (Datasets page) and one
    /// drift window of a model (Model page). Served with the report's own policy (no script, no request), and as an attachment.
    /// </summary>
    private static void MapReportEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/reports/datasets", async (string dataset, string from, string to, DatasetCatalog catalog, TimeProvider time, HttpContext http, CancellationToken ct) =>
        {
            // Unknown revisions and datasets throw QueryException / QueryNotFoundException: the shared handler answers 400 / 404.
            var report = await DatasetReports.BuildAsync(catalog, [dataset], from, to, skipMissing: false, time, null, ct);
            return Report(http, HtmlReports.Render(report), $"{FileSafe(dataset)}-{FileSafe(Short(from))}-{FileSafe(Short(to))}.html");
        });
        app.MapGet("/reports/window", async (string model, DateTimeOffset end, MonitoringClient monitoring, TimeProvider time, HttpContext http, CancellationToken ct) =>
        {
            try
            {
                var report = await WindowReports.BuildAsync(new WindowReportSource(monitoring), model, end, time, null, ct);
                return Report(http, HtmlReports.Render(report), $"{FileSafe(model)}-drift-{end.UtcDateTime:yyyyMMdd-HHmm}.html");
            }
            catch (KeyNotFoundException ex) { return Results.Problem(statusCode: 404, title: "no such window", detail: ex.Message); }
            catch (MonitoringUnavailableException ex) when (ex.StatusCode == 404) { return Results.Problem(statusCode: 404, title: "no such model", detail: ex.Message); }
            catch (MonitoringUnavailableException ex) { return Results.Problem(statusCode: 502, title: "monitoring service unavailable", detail: ex.Message); }
        });

        static IResult Report(HttpContext http, string html, string name)
        {
            http.Response.Headers.ContentSecurityPolicy = HtmlReports.ContentSecurityPolicy;
            return Results.File(System.Text.Encoding.UTF8.GetBytes(html), "text/html; charset=utf-8", name);
        }
        static string Short(string revision) => revision.Length == 40 && revision.All(char.IsAsciiHexDigit) ? revision[..10] : revision;
        static string FileSafe(string text) => string.Concat(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')).Trim('-', '.') is { Length: > 0 } s ? s : "report";
    }

    private static string DownloadName(string? name, string sha256)
    {
        var file = Path.GetFileName(name ?? "");
        return file.Length == 0 || file.Any(c => char.IsControl(c) || c is '"' or '\\') ? sha256 : file;
    }
}

/// <summary>
/// Sends the Monitoring key on every request, reads included: Monitoring bound beyond loopback answers nothing without it.
/// The key stays in this process; pages only ever see the data.
/// </summary>
internal sealed class MonitoringKeyHandler(string? key) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Writes already carry it (MonitoringClient); a second copy would arrive as "key, key" and fail.
        if (!string.IsNullOrEmpty(key) && !request.Headers.Contains("X-Api-Key")) request.Headers.Add("X-Api-Key", key);
        return base.SendAsync(request, cancellationToken);
    }
}
