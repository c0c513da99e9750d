using System.Net;

namespace Observatory.Dashboard.Tests;

/// <summary>Hardening finding 6: a stored object named x.html was served as text/html from the dashboard's origin (stored XSS).</summary>
[Collection(DashboardCollection.Name)]
public sealed class SecurityHeadersTests(DashboardFixture fx)
{
    private string AnObject() => fx.Registry.V2.Hashes.First(kv => kv.Key.StartsWith("images/", StringComparison.Ordinal)).Value;

    [Theory]
    [InlineData("x.html")]
    [InlineData("x.htm")]
    [InlineData("x.svg")]
    [InlineData("x.js")]
    [InlineData("x.xml")]
    [InlineData("no-extension")]
    public async Task Finding6_AnObjectNamedAsAnythingButARasterImage_IsDownloadedNeverRendered(string name)
    {
        using var http = new HttpClient { BaseAddress = fx.Server.BaseAddress };
        using var r = await http.GetAsync($"objects/{AnObject()}?name={Uri.EscapeDataString(name)}");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/octet-stream", r.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", r.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("nosniff", Assert.Single(r.Headers.GetValues("X-Content-Type-Options")));
        Assert.Contains("sandbox", Assert.Single(r.Headers.GetValues("Content-Security-Policy")));
    }

    [Theory]
    [InlineData("a.jpg", "image/jpeg")]
    [InlineData("a.PNG", "image/png")]
    public async Task Finding6_ARasterImage_IsStillShownInline(string name, string type)
    {
        using var http = new HttpClient { BaseAddress = fx.Server.BaseAddress };
        using var r = await http.GetAsync($"objects/{AnObject()}?name={name}");
        Assert.Equal(type, r.Content.Headers.ContentType!.MediaType);
        Assert.Null(r.Content.Headers.ContentDisposition);
        Assert.Equal("nosniff", Assert.Single(r.Headers.GetValues("X-Content-Type-Options")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("datasets")]
    [InlineData("login")]
    [InlineData("no/such/page")]
    public async Task Finding6_EveryPage_CarriesNosniffAndAContentSecurityPolicyWithoutInlineScript(string path)
    {
        using var http = new HttpClient { BaseAddress = fx.Server.BaseAddress };
        using var r = await http.GetAsync(path);
        Assert.Equal("nosniff", Assert.Single(r.Headers.GetValues("X-Content-Type-Options")));
        var csp = Assert.Single(r.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
    }
}
