using System.Net;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Observatory.Dashboard.Tests;

/// <summary>Hardening findings 1 and 12 (issue 19) as the dashboard sees them.</summary>
[Collection(DashboardCollection.Name)]
public sealed class HardeningTests(DashboardFixture fx)
{
    [Fact]
    public async Task Finding1_MonitoringReadsNeedAKey_TheDashboardSendsIt_AndTheBrowserNeverSeesIt()
    {
        using (var anonymous = new HttpClient { BaseAddress = fx.Monitoring.BaseAddress })
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/models")).StatusCode);

        var page = await fx.NewPageAsync();
        var seen = new List<string>();
        page.Response += (_, r) => seen.Add(r.Url);
        await page.GotoAsync("alerts");
        await Browser.WaitForCircuitAsync(page);
        await Expect(page.GetByTestId("alerts-grid").Locator("tr", new() { HasText = DashboardFixture.AlertSummary })).ToHaveCountAsync(1);
        Assert.DoesNotContain(MonitoringService.ApiKey, await page.ContentAsync());
        // The browser talks to the dashboard only; Monitoring (and its key) stays behind it.
        Assert.All(seen, url => Assert.StartsWith(fx.Server.BaseAddress.ToString(), url));
    }

    [Fact]
    public async Task Finding12_OnLoopback_AHostHeaderThatIsNotLoopback_IsRefused()
    {
        using var http = new HttpClient { BaseAddress = fx.Server.BaseAddress };
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "");
        rebound.Headers.Host = "evil.example";
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(rebound)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("")).StatusCode);
    }

    [Fact]
    public async Task Finding12_ACrossSiteLoginPost_IsRefused()
    {
        using var http = new HttpClient { BaseAddress = fx.Server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = DashboardServer.User, ["password"] = DashboardServer.Password }),
        };
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(request)).StatusCode);
    }
}
