using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// The published service started the way users start it (a systemd unit, a script): `dotnet /elsewhere/Observatory.Monitoring.Api.dll`
/// from a working directory that is not its own folder.
/// </summary>
public sealed class PublishedServiceTests
{
    [Fact]
    public async Task PublishedService_StartedFromAnotherFolder_ReadsItsOwnSettingsAndKeepsItsStoreInTheWorkingDirectory()
    {
        // StartAsync waits for /healthz on the port written only into the published appsettings.json.
        await using var host = await PublishedHost.StartAsync("Monitoring/Observatory.Monitoring.Api");
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        Assert.Contains("\"ok\"", await http.GetStringAsync("healthz"), StringComparison.Ordinal);
        // `Data Source=monitoring.db` still means the folder the service was started in, as the README documents.
        Assert.True(File.Exists(Path.Combine(host.WorkingDirectory, "monitoring.db")), host.Log);
        Assert.False(File.Exists(Path.Combine(host.AppPath, "monitoring.db")));
    }
}
