using Observatory.Testing;

namespace Observatory.DataService.Api.Tests;

/// <summary>
/// The published Data API started the way users start it: `dotnet /elsewhere/Observatory.DataService.Api.dll` from a working
/// directory that is not its own folder.
/// </summary>
public sealed class PublishedApiTests
{
    [Fact]
    public async Task PublishedApi_StartedFromAnotherFolder_ReadsItsOwnSettingsAndResolvesTheRepositoryFromTheWorkingDirectory()
    {
        // The port and a relative repository path are set only in the published appsettings.json; the API refuses to start
        // when the repository folder does not exist, so answering /healthz proves both were read and "registry" meant ./registry.
        await using var host = await PublishedHost.StartAsync("DataService/Observatory.DataService.Api",
            new Dictionary<string, string> { ["DataService:RepositoryPath"] = "registry" },
            work => Directory.CreateDirectory(Path.Combine(work, "registry")));
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        Assert.Contains("\"ok\"", await http.GetStringAsync("healthz"), StringComparison.Ordinal);
    }
}
