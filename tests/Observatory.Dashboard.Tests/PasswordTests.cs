using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Observatory.Dashboard.Security;
using Observatory.Testing;

namespace Observatory.Dashboard.Tests;

/// <summary>
/// Hardening finding 13: dashboard passwords were one unsalted SHA-256 or plain text, with no lockout, and a removed user's
/// session lived on. Now: PBKDF2 hashes made by a small command, a lockout after repeated failures, sessions that end when
/// the user is removed.
/// </summary>
public sealed partial class PasswordTests
{
    private static async Task<HttpResponseMessage> LoginAsync(HttpClient http, string user, string password)
    {
        var page = await http.GetStringAsync("login");
        var match = AntiforgeryToken().Match(page);
        var token = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
        Assert.NotEmpty(token);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["username"] = user, ["password"] = password, ["returnUrl"] = "/datasets",
        });
        return await http.PostAsync("account/login", form);
    }

    private static HttpClient Client(DashboardServer server) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = server.BaseAddress };

    [Fact]
    public async Task Finding13_RepeatedFailures_LockTheUserName_EvenForTheRightPassword()
    {
        using var repo = new TempDirectory("dash-lock");
        await using var server = await DashboardServer.StartAsync(repo.Path, environment: new Dictionary<string, string>
        {
            ["Dashboard__RequireLogin"] = "true", ["Dashboard__MaxFailedLogins"] = "3",
        });
        using var http = Client(server);
        for (var i = 0; i < 3; i++)
            using (var wrong = await LoginAsync(http, DashboardServer.User, "wrong " + i))
                Assert.Contains("error=1", wrong.Headers.Location!.OriginalString);
        using var locked = await LoginAsync(http, DashboardServer.User, DashboardServer.Password);
        Assert.Contains("error=locked", locked.Headers.Location!.OriginalString);
        Assert.False(locked.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("observatory.auth", StringComparison.Ordinal)));
        using var datasets = await http.GetAsync("datasets");
        Assert.Equal(HttpStatusCode.Redirect, datasets.StatusCode);
    }

    [Fact]
    public async Task Finding13_RemovingAUser_EndsTheirSession_AndUnsaltedHashesAreRefusedAtStart()
    {
        using var repo = new TempDirectory("dash-users");
        var usersFile = repo.Combine("users.json");
        var hash = LoginPolicy.Hash("grace's password");
        File.WriteAllText(usersFile, System.Text.Json.JsonSerializer.Serialize(new { Dashboard = new { Users = new[] { new { Name = "grace", PasswordHash = hash } } } }));
        await using (var server = await DashboardServer.StartAsync(repo.Path, environment: new Dictionary<string, string>
        {
            ["Dashboard__RequireLogin"] = "true", ["Dashboard__UsersFile"] = usersFile,
        }))
        {
            using var http = Client(server);
            using (var ok = await LoginAsync(http, "grace", "grace's password")) Assert.Equal("/datasets", ok.Headers.Location!.OriginalString);
            using (var page = await http.GetAsync("datasets")) Assert.Equal(HttpStatusCode.OK, page.StatusCode);

            File.WriteAllText(usersFile, """{"Dashboard":{"Users":[]}}""");
            // The file is watched; the next request after the reload is refused.
            var ended = false;
            for (var deadline = DateTime.UtcNow.AddSeconds(30); !ended && DateTime.UtcNow < deadline; await Task.Delay(250))
            {
                using var r = await http.GetAsync("datasets");
                ended = r.StatusCode == HttpStatusCode.Redirect && r.Headers.Location!.OriginalString.Contains("/login", StringComparison.Ordinal);
            }
            Assert.True(ended, "grace's session outlived her removal from the users file");
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => DashboardServer.StartAsync(repo.Path, environment: new Dictionary<string, string>
        {
            ["Dashboard__Users__1__Name"] = "old", ["Dashboard__Users__1__PasswordSha256"] = new string('a', 64),
        }));
        Assert.Contains("PasswordSha256 (unsalted SHA-256) is no longer accepted", refused.Message);
        Assert.Contains("hash-password", refused.Message);
    }

    [Fact]
    public async Task Finding13_TheHashPasswordCommand_ReadsStdin_AndPrintsAHashThatVerifies()
    {
        var dll = Path.Combine(RepoLocator.Root, "Dashboard", "Observatory.Dashboard", "bin",
            new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name, "net10.0", "Observatory.Dashboard.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("hash-password");
        using var p = Process.Start(psi)!;
        await p.StandardInput.WriteLineAsync("s3cret horse");
        p.StandardInput.Close();
        var hash = (await p.StandardOutput.ReadToEndAsync()).Trim();
        await p.WaitForExitAsync();
        Assert.Equal(0, p.ExitCode);
        Assert.Equal(PasswordVerificationResult.Success, new PasswordHasher<DashboardUser>().VerifyHashedPassword(new DashboardUser(), hash, "s3cret horse"));
    }

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"|<input[^>]*value=\"([^\"]+)\"[^>]*name=\"__RequestVerificationToken\"")]
    private static partial Regex AntiforgeryToken();
}
