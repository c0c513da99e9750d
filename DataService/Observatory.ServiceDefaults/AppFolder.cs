using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace Observatory.ServiceDefaults;

/// <summary>
/// Where a host finds its own files. ASP.NET takes the working directory as the content root, so a published app started
/// from anywhere else (a systemd unit, a script, <c>cd /srv &amp;&amp; dotnet /opt/…/X.dll</c>) missed its appsettings.json and
/// answered every static asset with an empty 200. The content root is the app's folder instead; relative data paths the user
/// configures (SQLite file, repository, caches) still resolve against the working directory, as they always did.
/// </summary>
public static class AppFolder
{
    /// <summary>Builder options rooted at <see cref="AppContext.BaseDirectory"/>, unless a content root is given explicitly.</summary>
    public static WebApplicationOptions Options(string[] args)
    {
        // The same sources the host reads its content root from: a `--contentRoot` argument or ASPNETCORE_/DOTNET_CONTENTROOT.
        var given = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(args)
            .Build()[WebHostDefaults.ContentRootKey];
        return new WebApplicationOptions { Args = args, ContentRootPath = string.IsNullOrEmpty(given) ? AppContext.BaseDirectory : null };
    }

    /// <summary><see cref="WebApplication.CreateBuilder(WebApplicationOptions)"/> with <see cref="Options"/>.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args) => WebApplication.CreateBuilder(Options(args));
}
