using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Queries;
using Observatory.DataService.Core.Remotes;
using Observatory.Monitoring.Core.Alerts;
using Observatory.Testing;

namespace Observatory.DataService.Api.Tests;

/// <summary>The shared host plumbing (Observatory.ServiceDefaults) as the Data API runs it: the exception table, health, options.</summary>
public sealed class ServiceDefaultsTests
{
    private const string SecretPath = "/srv/secret/registry/.obs/cache";

    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(TempDirectory repo, Action<WebApplication>? map = null)
    {
        var app = DataServiceApp.Build([], b =>
        {
            b.Configuration["DataService:RepositoryPath"] = repo.Path;
            b.WebHost.UseUrls("http://127.0.0.1:0");
            b.Logging.ClearProviders();
        });
        map?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (app, new HttpClient { BaseAddress = new Uri(address) });
    }

    public static TheoryData<string, int, bool> Table => new()
    {
        { "query", 400, true },
        { "usage", 400, true },
        { "notfound", 404, true },
        { "conflict", 409, true },
        { "store", 502, false },
        { "remote", 503, false },
        { "bug", 500, false },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public async Task EveryDomainException_BecomesProblemDetailsFromOneTable_AndServerFailuresEchoNoServerPath(string kind, int status, bool echoes)
    {
        using var repo = new TempDirectory("svc");
        var (app, client) = await StartAsync(repo, a => a.MapGet("/throw/{kind}", (string kind) => (IResult)(kind switch
        {
            "query" => throw new QueryException("rev", $"revision 'x' not found in {SecretPath}"),
            "usage" => throw new UsageException($"bad path {SecretPath}"),
            "notfound" => throw new QueryNotFoundException($"nothing at {SecretPath}"),
            "conflict" => throw new ConflictException($"alert at {SecretPath} is resolved"),
            "store" => throw new StoreException($"cannot read {SecretPath}/ab/cdef"),
            "remote" => throw new RemoteTransientException($"s3 at {SecretPath} timed out"),
            _ => throw new NullReferenceException($"bug near {SecretPath}"),
        })));
        await using var _ = app;
        using var _c = client;

        using var response = await client.GetAsync($"/throw/{kind}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.Equal(echoes, body.Contains(SecretPath));
        Assert.DoesNotContain("Exception", body);
        if (kind == "query") Assert.Equal("rev", problem.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Healthz_AnswersOkToAnyone()
    {
        using var repo = new TempDirectory("svc");
        var (app, client) = await StartAsync(repo);
        await using var _ = app;
        using var _c = client;
        using var response = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Startup_WithAMissingRepositoryPath_FailsNamingTheSetting()
    {
        using var repo = new TempDirectory("svc");
        await using var app = DataServiceApp.Build([], b =>
        {
            b.Configuration["DataService:RepositoryPath"] = repo.Combine("does-not-exist");
            b.WebHost.UseUrls("http://127.0.0.1:0");
            b.Logging.ClearProviders();
        });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("DataService:RepositoryPath", error.Message);
    }
}
