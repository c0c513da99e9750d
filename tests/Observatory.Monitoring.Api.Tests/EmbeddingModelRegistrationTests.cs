using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Observatory.Testing;
using Observatory.TrafficSimulator;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// Registration names what makes a model's embeddings: the service's encoder (whose dimension it fills in), or its clients;
/// and the dataset version the model was trained on. Wrong names and dimensions are refused naming the field.
/// </summary>
public sealed class EmbeddingModelRegistrationTests : IAsyncLifetime
{
    private MonitoringServer _server = null!;

    public async Task InitializeAsync() => _server = await MonitoringServer.StartAsync(); // encoder "random", 152-d

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<HttpResponseMessage> PutAsync(string name, object body) => _server.Client.PutAsJsonAsync($"/api/models/{name}", body);

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage r)
    {
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
    }

    [Fact]
    public async Task NamingTheServicesEncoder_FillsInItsDimension_SoUploadsWork()
    {
        using var r = await PutAsync("named", new { classes = TrafficGenerator.Classes, embeddingModel = "random" });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var model = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(152, model.GetProperty("embeddingDimension").GetInt32());
        Assert.Equal("random", model.GetProperty("embeddingModel").GetString());
        var stored = await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/named");
        Assert.Equal(152, stored.GetProperty("embeddingDimension").GetInt32());
    }

    [Fact]
    public async Task AnotherBuiltIn_IsLoadedForThatModel_AnUnknownNameOrAWrongDimension_IsRefused()
    {
        using (var resnet = await PutAsync("pretrained", new { classes = TrafficGenerator.Classes, embeddingModel = "resnet18" }))
        {
            Assert.Equal(HttpStatusCode.Created, resnet.StatusCode);
            Assert.Equal(512, (await resnet.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("embeddingDimension").GetInt32());
        }
        var unknown = await ProblemAsync(await PutAsync("other", new { classes = TrafficGenerator.Classes, embeddingModel = "resnet50" }));
        Assert.Contains("neither a built-in encoder (resnet18, random)", unknown.GetProperty("embeddingModel")[0].GetString());
        var wrong = await ProblemAsync(await PutAsync("wrong", new { classes = TrafficGenerator.Classes, embeddingModel = "random", embeddingDimension = 512 }));
        Assert.Contains("(152)", wrong.GetProperty("embeddingDimension")[0].GetString());
        using var missing = await _server.Client.GetAsync("/api/models/other");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ClientEmbeddings_NeedTheirDimension_AndRefuseImageUploads()
    {
        var noDimension = await ProblemAsync(await PutAsync("client", new { classes = TrafficGenerator.Classes, embeddingModel = "client" }));
        Assert.Contains("need their dimension", noDimension.GetProperty("embeddingDimension")[0].GetString());

        using (var ok = await PutAsync("client", new { classes = TrafficGenerator.Classes, embeddingModel = "client", embeddingDimension = 152 }))
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        using var form = new MultipartFormDataContent
        {
            { new StringContent("""{"events":[{"id":"a","timestamp":"2026-01-01T00:00:00Z","predictedClass":"circle","confidence":0.9}]}"""), "events" },
            { new ByteArrayContent(Observatory.Samples.SampleDataset.RenderImage(1, new Observatory.Samples.SampleDatasetOptions(), out _)), "image", "a.jpg" },
        };
        using var upload = await _server.Client.PostAsync("/api/models/client/images", form);
        var errors = await ProblemAsync(upload);
        Assert.Contains("sent by its clients", errors.GetProperty("model")[0].GetString());
    }

    [Fact]
    public async Task TrainedOn_IsKept_AndMustBeInsideTheReferenceRoots()
    {
        using var repo = new GitSandbox("trainedon");
        var trainedOn = new { repoPath = repo.Root, pointerPath = "data/shapes.obs", revision = "shapes@v3" };
        using (var ok = await PutAsync("trained", new { classes = TrafficGenerator.Classes, embeddingModel = "random", trainedOn }))
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        var stored = await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/trained");
        Assert.Equal("shapes@v3", stored.GetProperty("trainedOn").GetProperty("revision").GetString());
        Assert.Equal(repo.Root, stored.GetProperty("trainedOn").GetProperty("repoPath").GetString());

        var outside = await ProblemAsync(await PutAsync("outside", new
        {
            classes = TrafficGenerator.Classes, embeddingModel = "random",
            trainedOn = new { repoPath = "/etc", pointerPath = "data/shapes.obs", revision = "HEAD" },
        }));
        Assert.Contains("'/etc'", outside.GetProperty("trainedOn.repoPath")[0].GetString());
    }
}
