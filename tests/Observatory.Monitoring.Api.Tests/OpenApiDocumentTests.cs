using System.Text.Json;
using System.Text.Json.Nodes;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

public sealed class OpenApiDocumentTests
{
    private static string Committed => Path.Combine(RepoLocator.Root, "Monitoring", "Observatory.Monitoring.Api", "openapi.json");

    /// <summary>The committed document is the served one, so API contract changes show in review.
    /// After a deliberate change: OBS_UPDATE_OPENAPI=1 dotnet test tests/Observatory.Monitoring.Api.Tests --filter OpenApi</summary>
    [Fact]
    public async Task ServedOpenApiDocument_MatchesTheCommittedOne()
    {
        await using var server = await MonitoringServer.StartAsync();
        var served = JsonNode.Parse(await server.Anonymous.GetStringAsync("/openapi/v1.json"))!;
        served["servers"] = null;
        var text = served.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        if (Environment.GetEnvironmentVariable("OBS_UPDATE_OPENAPI") == "1") await File.WriteAllTextAsync(Committed, text);
        Assert.True(File.Exists(Committed), $"{Committed} missing; run OBS_UPDATE_OPENAPI=1 dotnet test tests/Observatory.Monitoring.Api.Tests --filter OpenApi");
        Assert.True(text == await File.ReadAllTextAsync(Committed),
            "the served OpenAPI document differs from the committed openapi.json; review the change and run OBS_UPDATE_OPENAPI=1 dotnet test tests/Observatory.Monitoring.Api.Tests --filter OpenApi");
    }
}
