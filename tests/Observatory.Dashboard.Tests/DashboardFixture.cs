using Microsoft.Playwright;
using Observatory.DataService.Api.Tests.Seed;

namespace Observatory.Dashboard.Tests;

/// <summary>One seeded registry, one dashboard on 127.0.0.1 and one Chromium for the browser tests.</summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public SeededRegistry Registry { get; private set; } = null!;
    public DashboardServer Server { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        (Playwright, Browser) = await Tests.Browser.LaunchAsync();
        Registry = await SeededRegistry.CreateAsync();
        Server = await DashboardServer.StartAsync(Registry.Root);
    }

    public async Task<IPage> NewPageAsync(Uri? baseAddress = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = (baseAddress ?? Server.BaseAddress).ToString(),
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
        });
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        if (Browser is not null) await Browser.DisposeAsync();
        Playwright?.Dispose();
        Registry?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
