using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Observatory.DataService.Api.Tests.Seed;

namespace Observatory.DataService.Api.Tests;

/// <summary>The real API on Kestrel (127.0.0.1, a free port) over a seeded git repository, shared by the tests of a class.</summary>
public sealed class ApiFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public SeededRegistry Registry { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Registry = await SeededRegistry.CreateAsync();
        _app = DataServiceApp.Build([], b =>
        {
            b.Configuration["DataService:RepositoryPath"] = Registry.Root;
            b.WebHost.UseUrls("http://127.0.0.1:0");
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        Registry.Dispose();
    }
}
