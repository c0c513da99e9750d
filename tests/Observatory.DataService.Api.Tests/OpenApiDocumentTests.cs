using System.Text.Json;
using Observatory.Testing;

namespace Observatory.DataService.Api.Tests;

public sealed class OpenApiDocumentTests(ApiFixture fx) : IClassFixture<ApiFixture>
{
    /// <summary>The committed openapi.json is what the running API serves; OBS_UPDATE_OPENAPI=1 rewrites it.</summary>
    [Fact]
    public async Task CommittedOpenApiDocument_MatchesTheServedOne()
    {
        var served = await fx.Client.GetStringAsync("/openapi/v1.json");
        var normalised = JsonSerializer.Serialize(JsonDocument.Parse(served).RootElement, new JsonSerializerOptions { WriteIndented = true }) + "\n";
        var file = Path.Combine(RepoLocator.Root, "DataService", "Observatory.DataService.Api", "openapi.json");
        if (Environment.GetEnvironmentVariable("OBS_UPDATE_OPENAPI") == "1") await File.WriteAllTextAsync(file, normalised);
        Assert.True(File.Exists(file), $"{file} is missing; run the tests with OBS_UPDATE_OPENAPI=1 to write it");
        Assert.Equal(await File.ReadAllTextAsync(file), normalised);
        foreach (var path in new[] { "/api/datasets", "/api/datasets/{dataset}/versions", "/api/datasets/{dataset}/versions/{rev}/files",
                     "/api/datasets/{dataset}/versions/{rev}/validation", "/api/datasets/{dataset}/versions/{rev}/classes", "/api/datasets/{dataset}/diff", "/api/objects/{sha256}" })
            Assert.Contains($"\"{path}\"", served);
    }
}
