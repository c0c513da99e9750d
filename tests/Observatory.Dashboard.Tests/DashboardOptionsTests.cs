using Observatory.Testing;

namespace Observatory.Dashboard.Tests;

/// <summary>Bad dashboard configuration stops the start with a message naming the setting, instead of failing on some page later.</summary>
public sealed class DashboardOptionsTests
{
    [Theory]
    [InlineData("Dashboard__MonitoringUrl", "127.0.0.1:5080", "Dashboard:MonitoringUrl")]
    [InlineData("Dashboard__RefreshSeconds", "-1", "Dashboard:RefreshSeconds")]
    [InlineData("Dashboard__Users__1__Name", "ops", "Dashboard:Users")]
    public async Task Startup_WithInvalidOptions_ExitsNamingTheSetting(string key, string value, string named)
    {
        using var repo = new TempDirectory("dash-options");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            DashboardServer.StartAsync(repo.Path, environment: new Dictionary<string, string> { [key] = value }));
        Assert.Contains("exited", error.Message);
        Assert.Contains(named, error.Message);
    }
}
