using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>Hardening findings 1, 11 and 12 (issue 19) against the real host on Kestrel.</summary>
public sealed class HardeningTests
{
    private static object Model => new { classes = new[] { "circle", "square" }, embeddingDimension = 4, baselineAccuracy = 0.9 };

    private static object Events(string id) => new
    {
        events = new[] { new { id, timestamp = DateTimeOffset.Parse("2026-01-05T11:50:00Z"), predictedClass = "circle", confidence = 0.9, embedding = new[] { 0f, 1f, 0f, 1f } } },
    };

    /// <summary>The host bound to every interface (0.0.0.0), reached through loopback.</summary>
    private static async Task<(WebApplication App, Uri Address, TempDirectory Dir)> StartBeyondLoopbackAsync(Dictionary<string, string?> settings)
    {
        var dir = new TempDirectory("mon-wide");
        settings["ConnectionStrings:Monitoring"] = $"Data Source={dir.Combine("monitoring.db")}";
        var app = MonitoringHost.Build([], b =>
        {
            b.WebHost.UseUrls("http://0.0.0.0:0");
            b.Configuration.AddInMemoryCollection(settings);
            b.Logging.ClearProviders();
        });
        await app.StartAsync();
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return (app, new Uri($"http://127.0.0.1:{bound.Port}"), dir);
    }

    private static HttpClient Client(Uri address, string? key = null)
    {
        var http = new HttpClient { BaseAddress = address };
        if (key is not null) http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return http;
    }

    [Fact]
    public async Task Finding1_BoundBeyondLoopback_EveryEndpointButHealthzNeedsAKey_AndTheReadKeyOpensReadsOnly()
    {
        var (app, address, dir) = await StartBeyondLoopbackAsync(new() { ["Monitoring:ApiKey"] = "write-key", ["Monitoring:ReadApiKey"] = "read-key" });
        await using var _ = app;
        using var _d = dir;
        using var anonymous = Client(address);
        using var reader = Client(address, "read-key");
        using var writer = Client(address, "write-key");

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        foreach (var path in new[] { "/api/models", "/api/alerts", "/api/deliveries", "/api/silences", "/api/jobs", "/metrics", "/openapi/v1.json" })
            Assert.True((await anonymous.GetAsync(path)).StatusCode == HttpStatusCode.Unauthorized, $"{path} answered without a key");
        using (var wrong = Client(address, "guess"))
            Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/api/models")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await reader.PutAsJsonAsync("/api/models/shapes", Model)).StatusCode);
        Assert.True((await writer.PutAsJsonAsync("/api/models/shapes", Model)).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await writer.GetAsync("/api/models/shapes")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/metrics")).StatusCode);
        // Exports of events are reads like the others: the read key opens them, nobody else.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/models/shapes/events?format=csv")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/models/shapes/events?format=csv")).StatusCode);
    }

    [Fact]
    public async Task Finding1_BoundBeyondLoopbackWithoutAnyKey_RefusesEverythingButHealthz()
    {
        var (app, address, dir) = await StartBeyondLoopbackAsync(new());
        await using var _ = app;
        using var _d = dir;
        using var anonymous = Client(address);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        using var r = await anonymous.GetAsync("/api/models");
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Contains("Monitoring:ApiKey", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Finding1_OnLoopbackWithoutAReadKey_ReadsStayOpenAsBefore()
    {
        await using var server = await MonitoringServer.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await server.Anonymous.GetAsync("/api/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Anonymous.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Finding11_CostlyReadsAreRateLimitedPerCaller_CheapReadsAreNot_AndQueryParametersAreBounded()
    {
        await using var server = await MonitoringServer.StartAsync(new Dictionary<string, string?> { ["RateLimiting:CostlyRequestsPerMinute"] = "2" });
        await server.RegisterAsync("shapes", Model);
        for (var i = 0; i < 2; i++)
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await server.Client.GetAsync("/api/models/shapes/drift/outliers")).StatusCode);
        using (var limited = await server.Client.GetAsync("/api/models/shapes/drift/outliers"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.NotNull(limited.Headers.RetryAfter);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, (await server.Client.GetAsync("/api/models/shapes/drift?maxPoints=5000&details=full")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await server.Client.GetAsync("/api/models/shapes/events?format=arrow")).StatusCode);
        // Another caller (no key: its address) has its own window; compact series and plain reads are not limited.
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await server.Anonymous.GetAsync("/api/models/shapes/drift/outliers")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/api/models/shapes/drift?maxPoints=5000&details=compact")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/api/models")).StatusCode);

        foreach (var query in new[] { "/api/models/shapes/drift?maxPoints=5001&details=compact", "/api/models/shapes/events/rate?minutes=0",
                     "/api/models/shapes/events/rate?minutes=10081", "/api/alerts?state=nope" })
            Assert.True((await server.Client.GetAsync(query)).StatusCode == HttpStatusCode.BadRequest, $"{query} was not refused");
    }

    [Fact]
    public async Task Finding12_AWriteThatIsNotJson_Is415_AndNothingIsStored()
    {
        await using var server = await MonitoringServer.StartAsync();
        await server.RegisterAsync("shapes", Model);
        var json = System.Text.Json.JsonSerializer.Serialize(Events("plain"), MonitoringServer.Json);
        foreach (var type in new[] { "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x" })
        {
            using var content = new StringContent(json, Encoding.UTF8);
            content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(type);
            using var r = await server.Client.PostAsync("/api/models/shapes/events", content);
            Assert.True(r.StatusCode == HttpStatusCode.UnsupportedMediaType, $"{type}: {(int)r.StatusCode}");
        }
        var count = await server.Client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/models/shapes/events/count");
        Assert.Equal(0, count.GetProperty("count").GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await server.Client.PostAsJsonAsync("/api/models/shapes/events", Events("json"), MonitoringServer.Json)).StatusCode);
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Origin", "http://evil.example")]
    [InlineData("Origin", "http://127.0.0.1:1")]
    public async Task Finding12_ACrossSiteWrite_IsRefusedEvenFromLoopbackWithoutAKey(string header, string value)
    {
        await using var server = await MonitoringServer.StartAsync(new Dictionary<string, string?> { ["Monitoring:ApiKey"] = "" });
        await server.RegisterAsync("shapes", Model);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/models/shapes/events") { Content = JsonContent.Create(Events("page"), options: MonitoringServer.Json) };
        request.Headers.Add(header, value);
        using var r = await server.Anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        using var sameOrigin = new HttpRequestMessage(HttpMethod.Post, "/api/models/shapes/events") { Content = JsonContent.Create(Events("tool"), options: MonitoringServer.Json) };
        sameOrigin.Headers.Add("Sec-Fetch-Site", "same-origin");
        Assert.Equal(HttpStatusCode.OK, (await server.Anonymous.SendAsync(sameOrigin)).StatusCode);
    }

    [Fact]
    public async Task Finding12_OnLoopback_AHostHeaderThatIsNotLoopback_IsRefused()
    {
        await using var server = await MonitoringServer.StartAsync();
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/models");
        rebound.Headers.Host = "evil.example";
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Anonymous.SendAsync(rebound)).StatusCode);
        using var local = new HttpRequestMessage(HttpMethod.Get, "/api/models");
        local.Headers.Host = "localhost";
        Assert.Equal(HttpStatusCode.OK, (await server.Anonymous.SendAsync(local)).StatusCode);
    }
}
