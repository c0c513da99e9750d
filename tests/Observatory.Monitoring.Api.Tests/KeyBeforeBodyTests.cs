using System.Net;
using System.Text;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>Hardening (low): a write's body was bound (and its errors reported) before the key was checked.</summary>
public sealed class KeyBeforeBodyTests : IAsyncLifetime
{
    private MonitoringServer _server = null!;

    public async Task InitializeAsync() => _server = await MonitoringServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("/api/silences")]
    [InlineData("/api/alerts/a1/acknowledge")]
    [InlineData("/api/models/m")]
    public async Task AWriteWithoutTheKey_Is401_BeforeItsBodyIsRead(string path)
    {
        using var content = new StringContent("{ not json", Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(path.StartsWith("/api/models", StringComparison.Ordinal) ? HttpMethod.Put : HttpMethod.Post, path) { Content = content };
        using var r = await _server.Anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.DoesNotContain("malformed", await r.Content.ReadAsStringAsync());
    }
}
