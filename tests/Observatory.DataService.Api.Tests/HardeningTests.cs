using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Observatory.DataService.Api.Tests.Seed;

namespace Observatory.DataService.Api.Tests;

/// <summary>Hardening findings 1 and 12 (issue 19) for the Data API on Kestrel: it had no authentication at all.</summary>
public sealed class HardeningTests(ApiFixture fx) : IClassFixture<ApiFixture>
{
    private async Task<(WebApplication App, HttpClient Client)> StartAsync(string url, string? key)
    {
        var app = DataServiceApp.Build([], b =>
        {
            b.Configuration["DataService:RepositoryPath"] = fx.Registry.Root;
            if (key is not null) b.Configuration["DataService:ApiKey"] = key;
            b.WebHost.UseUrls(url);
            b.Logging.ClearProviders();
        });
        await app.StartAsync();
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return (app, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{bound.Port}") });
    }

    [Fact]
    public async Task Finding1_BoundBeyondLoopbackWithoutAKey_AnswersOnlyHealthz()
    {
        var (app, http) = await StartAsync("http://0.0.0.0:0", null);
        await using var _ = app;
        using var _h = http;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        var sha = fx.Registry.V1.Hashes.Values.First();
        foreach (var path in new[] { "/api/datasets", $"/api/objects/{sha}", "/metrics", "/openapi/v1.json" })
        {
            using var r = await http.GetAsync(path);
            Assert.True(r.StatusCode == HttpStatusCode.Unauthorized, $"{path}: {(int)r.StatusCode}");
            Assert.Contains("DataService:ApiKey", await r.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Finding1_WithAKey_EveryEndpointButHealthzNeedsIt()
    {
        var (app, http) = await StartAsync("http://0.0.0.0:0", "data-key");
        await using var _ = app;
        using var _h = http;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/datasets")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/metrics")).StatusCode);
        http.DefaultRequestHeaders.Add("X-Api-Key", "data-key");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/datasets")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/objects/{fx.Registry.V1.Hashes.Values.First()}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Finding12_OnLoopback_AHostHeaderThatIsNotLoopback_IsRefused()
    {
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/datasets");
        rebound.Headers.Host = "evil.example";
        Assert.Equal(HttpStatusCode.BadRequest, (await fx.Client.SendAsync(rebound)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fx.Client.GetAsync("/api/datasets")).StatusCode);
    }

    /// <summary>Finding 11 (Data API side): every query and route parameter is bounded; an overlong one is a 400 naming it.</summary>
    [Theory]
    [InlineData("api/datasets/data%2Fsample/diff?from=HEAD&to={0}", "to")]
    [InlineData("api/datasets/data%2Fsample/versions/{0}/files", "rev")]
    public async Task Finding11_AnOverlongParameter_IsA400NamingIt(string template, string parameter)
    {
        var (app, http) = await StartAsync("http://127.0.0.1:0", null);
        await using var _ = app;
        using var __ = http;
        using var r = await http.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, new string('a', 5000)));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains($"'{parameter}' is longer than 1024 characters", await r.Content.ReadAsStringAsync());
    }
}
