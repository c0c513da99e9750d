using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// Hardening finding 15 (service side): any caller with the key could make the service open any repository path on the disk as
/// a model's reference. Reference repositories must lie under the configured roots (links resolved).
/// </summary>
public sealed class ReferenceRootsTests : IAsyncLifetime
{
    private readonly TempDirectory _allowed = new("refroot");
    private readonly GitSandbox _outside = new("refoutside");
    private MonitoringServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await MonitoringServer.StartAsync(new Dictionary<string, string?> { ["Monitoring:ReferenceRoots:0"] = _allowed.Path });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _outside.Dispose();
        _allowed.Dispose();
    }

    private Task<HttpResponseMessage> RegisterAsync(string repoPath) => _server.Client.PutAsJsonAsync("/api/models/cam", new
    {
        classes = new[] { "a", "b" },
        embeddingDimension = 152,
        reference = new { repoPath, pointerPath = "data/set.obs", revision = "HEAD" },
    }, MonitoringServer.Json);

    [Fact]
    public async Task Finding15_AReferenceOutsideTheRoots_IsA400NamingTheField_AndALinkInsideARootIsJudgedByItsTarget()
    {
        foreach (var path in new[] { _outside.Root, "/etc", Path.Combine(_allowed.Path, "..", Path.GetFileName(_outside.Root)) })
        {
            using var r = await RegisterAsync(path);
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            var problem = await r.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("outside Monitoring:ReferenceRoots", problem.GetProperty("errors").GetProperty("reference.repoPath")[0].GetString());
        }
        var link = Path.Combine(_allowed.Path, "link");
        Directory.CreateSymbolicLink(link, _outside.Root);
        using (var r = await RegisterAsync(link)) Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);

        var inside = Path.Combine(_allowed.Path, "repo");
        Directory.CreateDirectory(inside);
        using (var r = await RegisterAsync(inside)) Assert.Equal(HttpStatusCode.Created, r.StatusCode);
    }
}
