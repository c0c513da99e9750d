using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Observatory.Dashboard.Security;

/// <summary>Form posts for login and logout; minimal API form binding validates the antiforgery token.</summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/login", async (HttpContext http, IOptionsMonitor<DashboardOptions> monitor, LoginGate gate, LoginThrottle throttle,
            [FromForm] string? username, [FromForm] string? password, [FromForm] string? returnUrl) =>
        {
            var options = monitor.CurrentValue;
            var target = IsLocal(returnUrl) ? returnUrl! : "/";
            var name = username ?? "";
            if (throttle.IsLocked(name, options))
                return Results.Redirect($"/login?error=locked&returnUrl={Uri.EscapeDataString(target)}");
            if (LoginPolicy.Verify(options.Users, username, password, allowPlain: !gate.BoundBeyondLoopback) is null)
            {
                throttle.Failed(name, options);
                return Results.Redirect($"/login?error=1&returnUrl={Uri.EscapeDataString(target)}");
            }
            throttle.Succeeded(name);
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, username!), new Claim(LoginPolicy.StampClaim, LoginPolicy.Stamp(options.Users, username!)!)],
                CookieAuthenticationDefaults.AuthenticationScheme);
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            // LocalRedirect checks again with the framework's own rule, so a gap in ours fails closed.
            return Results.LocalRedirect(target);
        }).AllowAnonymous();

        app.MapPost("/account/logout", async (HttpContext http, [FromForm] string? returnUrl) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/login");
        });
        return app;
    }

    /// <summary>
    /// Only same-site paths, with ASP.NET Core's <c>Url.IsLocalUrl</c> semantics: never <c>//host</c> or <c>/\host</c>, and no
    /// control character anywhere — browsers drop tab and newline from URLs, so <c>/\t/evil.example</c> would become <c>//evil.example</c>.
    /// </summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(char.IsControl);
}
