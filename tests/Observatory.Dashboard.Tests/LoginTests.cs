using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Playwright;
using Observatory.Dashboard.Security;
using Observatory.DataService.Api.Tests.Seed;
using static Microsoft.Playwright.Assertions;

namespace Observatory.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class LoginTests(DashboardFixture fx)
{
    /// <summary>The first up, non-loopback IPv4 address of this machine (null when it has none).</summary>
    private static IPAddress? NonLoopbackIPv4() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    [Fact]
    public async Task Login_IsEnforced_WhenBoundToANonLoopbackAddress()
    {
        var ip = NonLoopbackIPv4();
        if (ip is null)
        {
            // No interface to bind beyond loopback on this machine: check the policy the server applies to its bound addresses.
            Assert.True(LoginPolicy.RequiresLogin(["http://0.0.0.0:8080"]));
            Assert.False(LoginPolicy.RequiresLogin([fx.Server.BaseAddress.ToString()]));
            return;
        }
        await using var server = await DashboardServer.StartAsync(fx.Registry.Root, ip);

        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
        var image = fx.Registry.V2.Hashes.First(kv => kv.Key.StartsWith("images/", StringComparison.Ordinal)).Value;
        foreach (var path in new[] { "", "datasets", "models", "alerts", "jobs", $"objects/{image}?name=a.jpg" })
        {
            using var r = await http.GetAsync(path);
            Assert.True(r.StatusCode == HttpStatusCode.Redirect, $"/{path}: {(int)r.StatusCode}");
            Assert.StartsWith("/login", r.Headers.Location!.IsAbsoluteUri ? r.Headers.Location.PathAndQuery : r.Headers.Location.OriginalString);
        }
        using (var negotiate = await http.PostAsync("_blazor/negotiate?negotiateVersion=1", null))
            Assert.NotEqual(HttpStatusCode.OK, negotiate.StatusCode);

        var page = await fx.NewPageAsync(server.BaseAddress);
        await page.GotoAsync($"datasets?dataset={Uri.EscapeDataString(SeededRegistry.Sample)}");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login\\?ReturnUrl=%2Fdatasets"));
        await Browser.ScreenshotAsync(page, "login");

        await page.Locator("#username").FillAsync(DashboardServer.User);
        await page.Locator("#password").FillAsync("wrong password");
        await page.Locator("#login-submit").ClickAsync();
        await Expect(page.GetByTestId("login-error")).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "login-error");

        await page.Locator("#username").FillAsync(DashboardServer.User);
        await page.Locator("#password").FillAsync(DashboardServer.Password);
        await page.Locator("#login-submit").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/datasets\\?dataset=data%2Fsample$"));
        await Browser.WaitForCircuitAsync(page);
        await Expect(page.GetByTestId("version-count")).ToHaveTextAsync("2");
        await Expect(page.Locator(".obs-user")).ToHaveTextAsync(DashboardServer.User);
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=thumbnail] img')].every(i => i.complete && i.naturalWidth > 0)");

        await page.GetByText("Log out").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
        await page.GotoAsync("datasets");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
    }

    [Fact]
    public async Task Login_IsNotAsked_WhenBoundToLoopbackOnly()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fx.Server.BaseAddress };
        using var r = await http.GetAsync("datasets");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    [Fact]
    public async Task LoginPost_WithoutAnAntiforgeryToken_IsRefused()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fx.Server.BaseAddress };
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = DashboardServer.User, ["password"] = DashboardServer.Password });
        using var r = await http.PostAsync("account/login", form);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.False(r.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("observatory.auth", StringComparison.Ordinal)));
    }
}

public sealed class LoginPolicyTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("http://127.0.0.2:5000")]
    [InlineData("http://localhost:5000")]
    [InlineData("https://[::1]:5001")]
    [InlineData("http://unix:/run/obs.sock")]
    public void RequiresLogin_WhenEveryAddressIsLoopback_IsFalse(string address) =>
        Assert.False(LoginPolicy.RequiresLogin([address]));

    [Theory]
    [InlineData("http://0.0.0.0:5000")]
    [InlineData("http://*:5000")]
    [InlineData("http://+:5000")]
    [InlineData("http://[::]:5000")]
    [InlineData("http://192.168.1.20:5000")]
    [InlineData("http://dashboard.example.com:80")]
    public void RequiresLogin_WhenAnAddressIsReachableFromElsewhere_IsTrue(string address)
    {
        Assert.True(LoginPolicy.RequiresLogin([address]));
        Assert.True(LoginPolicy.RequiresLogin(["http://127.0.0.1:5000", address]));
    }

    [Fact]
    public void RequiresLogin_WhenNoAddressIsKnown_FailsClosed() => Assert.True(LoginPolicy.RequiresLogin([]));

    /// <summary>Finding 13: passwords are checked against salted PBKDF2 hashes; a plain password counts only on loopback.</summary>
    [Fact]
    public void Finding13_Verify_AcceptsOnlyTheConfiguredNameAndPassword_AgainstASaltedHash()
    {
        var hash = LoginPolicy.Hash("pw");
        Assert.StartsWith("AQAAAA", hash); // ASP.NET Core Identity's versioned PBKDF2 format, salt included
        Assert.NotEqual(hash, LoginPolicy.Hash("pw")); // salted: the same password never gives the same hash
        DashboardUser[] users = [new() { Name = "ada", PasswordHash = hash }, new() { Name = "bob", Password = "s3cret" }];
        Assert.Equal("ada", LoginPolicy.Verify(users, "ada", "pw")?.Name);
        Assert.Equal("bob", LoginPolicy.Verify(users, "bob", "s3cret", allowPlain: true)?.Name);
        Assert.Null(LoginPolicy.Verify(users, "bob", "s3cret", allowPlain: false));
        Assert.Null(LoginPolicy.Verify(users, "ada", "PW"));
        Assert.Null(LoginPolicy.Verify(users, "bob", "pw"));
        Assert.Null(LoginPolicy.Verify(users, "eve", "pw"));
        Assert.Null(LoginPolicy.Verify(users, "ada", ""));
        Assert.Null(LoginPolicy.Verify([], "ada", "pw"));
        Assert.Null(LoginPolicy.Verify([new() { Name = "ada", PasswordHash = "not a hash" }], "ada", "pw"));
    }

    [Theory]
    [InlineData("/datasets", true)]
    [InlineData("/", true)]
    [InlineData("//evil.example.com/", false)]
    [InlineData("/\\evil.example.com", false)]
    [InlineData("https://evil.example.com/", false)]
    [InlineData("", false)]
    public void IsLocal_RefusesOpenRedirects(string url, bool expected) => Assert.Equal(expected, AccountEndpoints.IsLocal(url));

    /// <summary>
    /// Finding 7: <c>returnUrl=%2F%09%2Fevil.example</c> arrives as "/\t/evil.example"; browsers drop the tab and go to
    /// //evil.example. Control characters anywhere, and backslashes after the first slash, are refused as the framework does.
    /// </summary>
    [Theory]
    [InlineData("/\t/evil.example")]
    [InlineData("/\n/evil.example")]
    [InlineData("/\r\n/evil.example")]
    [InlineData("/datasets\u0000")]
    [InlineData("/\u007f/evil.example")]
    [InlineData("\\\\evil.example")]
    [InlineData("/\\/evil.example")]
    [InlineData(" //evil.example")]
    public void Finding7_IsLocal_RefusesControlCharactersAndBackslashes(string url) =>
        Assert.False(AccountEndpoints.IsLocal(url), url);
}
