using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.StaticFiles;
using Observatory.Dashboard.Components;
using Observatory.Dashboard.Security;
using Observatory.Dashboard.Services;
using Observatory.DataService.Core.Queries;
using Observatory.DataService.Core.Workspace;
using Observatory.DataService.Git;
using Observatory.DataService.Storage;
using Radzen;

namespace Observatory.Dashboard;

/// <summary>The composition root of the dashboard (Blazor Server, interactive server render mode, Radzen material theme).</summary>
public static class DashboardApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var options = builder.Configuration.GetSection(DashboardOptions.Section).Get<DashboardOptions>() ?? new DashboardOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(_ => new DatasetCatalog(Path.GetFullPath(options.RepositoryPath),
            new ObsEnvironment(p => LibGit2VersionControl.Discover(p), p => new SqliteStatCache(p), TimeProvider.System)));

        builder.Services.AddHttpClient<MonitoringClient>(http =>
        {
            if (Uri.TryCreate(options.MonitoringUrl, UriKind.Absolute, out var url)) http.BaseAddress = url;
            http.Timeout = TimeSpan.FromSeconds(15);
        });

        builder.Services.AddSingleton(TimeProvider.System);
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
        });
        builder.Services.AddSingleton<LoginGate>();
        builder.Services.AddSingleton<IAuthorizationHandler, LoginRequirementHandler>();
        // Every endpoint needs the login requirement unless it says AllowAnonymous (login page, static assets, health).
        builder.Services.AddAuthorization(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().AddRequirements(new LoginRequirement()).Build());
        builder.Services.AddAntiforgery();

        var app = builder.Build();
        // Never the developer exception page: a person gets a plain error page, details go to the log.
        app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute("/not-found");
        app.UseSecurityHeaders();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" })).AllowAnonymous();
        app.MapAccountEndpoints();
        app.MapObjectEndpoint();
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
            Stream? stream;
            try { stream = catalog.OpenObject(sha256); }
            catch (QueryException ex) { return Results.Problem(ex.Message, statusCode: 400); }
            if (stream is null) return Results.NotFound();
            http.Response.Headers.CacheControl = "private, max-age=31536000, immutable";
            http.Response.Headers.ContentSecurityPolicy = SecurityHeaders.ObjectPolicy;
            var (type, inline) = SecurityHeaders.ForObject(name, ContentTypes);
            return inline ? Results.Stream(stream, type) : Results.Stream(stream, type, fileDownloadName: DownloadName(name, sha256));
        });

    private static string DownloadName(string? name, string sha256)
    {
        var file = Path.GetFileName(name ?? "");
        return file.Length == 0 || file.Any(c => char.IsControl(c) || c is '"' or '\\') ? sha256 : file;
    }
}
