using System.Net.Http.Json;
using System.Text.Json;

namespace Observatory.Dashboard.Tests;

/// <summary>
/// A Monitoring service and a dashboard of one test's own (over the fixture's registry), for tests that silence, resolve or
/// delete: the shared <see cref="DashboardFixture"/> service keeps the state its other tests count on.
/// </summary>
public sealed class OwnDashboard : IAsyncDisposable
{
    public MonitoringService Monitoring { get; }
    public DashboardServer Server { get; }

    private OwnDashboard(MonitoringService monitoring, DashboardServer server) => (Monitoring, Server) = (monitoring, server);

    public static async Task<OwnDashboard> StartAsync(DashboardFixture fx)
    {
        var monitoring = await MonitoringService.StartAsync();
        try
        {
            var server = await DashboardServer.StartAsync(fx.Registry.Root, environment: new Dictionary<string, string>
            {
                ["Dashboard__MonitoringUrl"] = monitoring.BaseAddress.ToString(),
                ["Dashboard__MonitoringApiKey"] = MonitoringService.ApiKey,
                ["Dashboard__RefreshSeconds"] = "1",
            });
            return new OwnDashboard(monitoring, server);
        }
        catch
        {
            await monitoring.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Registers <paramref name="model"/> with one embedding-drift rule per entry of <paramref name="rules"/> (id, summary), sends a
    /// reference period and a shifted window, and runs drift once: every rule fires.
    /// </summary>
    /// <returns>The alert id of each rule.</returns>
    public async Task<IReadOnlyDictionary<string, string>> SeedFiringAsync(string model, params (string Id, string Summary)[] rules)
    {
        var now = DateTimeOffset.UtcNow;
        await Monitoring.RegisterAsync(model, new
        {
            classes = new[] { "circle", "square", "triangle" },
            embeddingDimension = 8,
            referenceUntil = now.AddHours(-2),
            window = "00:30:00",
            schedule = "0 0 0 1 1 ? 2099",
            driftMethods = new[] { "mmd" },
            alertRules = rules.Select(r => new { id = r.Id, kind = "embeddingDrift", severity = "warning", consecutiveWindows = 1, summary = r.Summary }).ToArray(),
        });
        await Monitoring.SendEventsAsync(model, "ref", 300, now.AddHours(-3), now.AddHours(-2), 0, 1);
        await Monitoring.SendEventsAsync(model, "cur", 200, now.AddMinutes(-25), now, 1.0, 2);
        await Monitoring.RunDriftAsync(model);
        var alerts = (await Monitoring.AlertsAsync(model)).ToDictionary(a => a.GetProperty("ruleId").GetString()!, a => a.GetProperty("id").GetString()!);
        if (alerts.Count != rules.Length) throw new InvalidOperationException($"seeding {model}: expected {rules.Length} alerts, got {alerts.Count}\n{Monitoring.Log}");
        return alerts;
    }

    /// <summary>Posts to the service (with its write key) and returns the answer's JSON body.</summary>
    public async Task<JsonElement> PostAsync(string path, object? body = null)
    {
        using var r = await Monitoring.Client.PostAsJsonAsync(path, body ?? new { });
        var text = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: {(int)r.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Monitoring.DisposeAsync();
    }
}
