using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Api;
using Observatory.Monitoring.Core.Models;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>The real Monitoring host on Kestrel at 127.0.0.1 and a free port, with a SQLite file (or the given store) and a fake clock.</summary>
public sealed class MonitoringServer : IAsyncDisposable
{
    public const string ApiKey = "test-key";

    private readonly WebApplication _app;
    private readonly TempDirectory? _dir;

    private MonitoringServer(WebApplication app, TempDirectory? dir, FakeTimeProvider time)
    {
        _app = app;
        _dir = dir;
        Time = time;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
        Client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        Anonymous = new HttpClient { BaseAddress = new Uri(address) };
    }

    public FakeTimeProvider Time { get; }
    public HttpClient Client { get; }
    public HttpClient Anonymous { get; }
    public IServiceProvider Services => _app.Services;

    public static readonly JsonSerializerOptions Json = MonitoringJson.Options;

    public static async Task<MonitoringServer> StartAsync(IDictionary<string, string?>? settings = null, FakeTimeProvider? time = null)
    {
        var dir = new TempDirectory("mon");
        var ownStore = settings is null || !settings.ContainsKey("ConnectionStrings:Monitoring");
        time ??= new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));
        var config = new Dictionary<string, string?>
        {
            ["Monitoring:ApiKey"] = ApiKey,
            ["Monitoring:DeliveryIntervalSeconds"] = "0.2",
            ["Monitoring:ReferenceRoots:0"] = Path.GetTempPath(), // reference repositories are sandboxes in temp
            // The small untrained encoder keeps these hosts fast; the pretrained default has its own tests (PretrainedEncoderTests).
            ["Monitoring:Encoder:Name"] = "random",
        };
        if (ownStore) config["ConnectionStrings:Monitoring"] = $"Data Source={dir.Combine("monitoring.db")}";
        config["Monitoring:ImageStore:Url"] = dir.Combine("images");
        foreach (var kv in settings ?? new Dictionary<string, string?>()) config[kv.Key] = kv.Value;
        var app = MonitoringHost.Build([], b =>
        {
            b.WebHost.UseUrls("http://127.0.0.1:0");
            b.Configuration.AddInMemoryCollection(config);
            if (Environment.GetEnvironmentVariable("MON_TEST_LOG") is null) b.Logging.ClearProviders();
        }, services => services.AddKeyedSingleton<TimeProvider>(MonitoringHost.ClockKey, time));
        await app.StartAsync();
        return new MonitoringServer(app, dir, time);
    }

    public async Task RegisterAsync(string name, object definition)
    {
        using var r = await Client.PutAsJsonAsync($"/api/models/{name}", definition, Json);
        Assert.True(r.IsSuccessStatusCode, $"PUT model: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir?.Dispose();
    }
}
