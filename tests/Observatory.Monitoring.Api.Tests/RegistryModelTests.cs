using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.IO;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Onnx.Model;
using Observatory.Samples;
using Observatory.Testing;
using Observatory.TrafficSimulator;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// The user's model as a registry version (`obs add models/tiny`, tagged tiny@v1) is a monitored model's encoder: registration
/// loads and checks it (a bad model is a 400 naming the problem), uploads and the reference go through it, and the service embeds
/// a dataset version exactly as `obs embed --model-rev` does.
/// </summary>
public sealed class RegistryModelTests
{
    // 16 dimensions: another encoder than the host's own (random, 152) and the built-ins.
    private static readonly EncoderSpec Tiny = EncoderSpec.Default with { Channels = [8, 8], Strides = [2, 2], MaxPooledLayers = [], Seed = 11 };
    private const string TinyYaml = "input: images\noutput: embedding\nwidth: 96\nheight: 96\n";

    private static async Task<GitSandbox> RegistryAsync(string name, Action<GitSandbox> writeModel)
    {
        var repo = new GitSandbox(name);
        await ReferenceRepository.CreateAsync(repo, train: 16, val: 4);
        writeModel(repo);
        await ReferenceRepository.ObsAsync(repo, "add", "models/tiny", "--no-validate");
        await ReferenceRepository.ObsAsync(repo, "commit", "-m", "model", "--tag", "--no-validate");
        return repo;
    }

    private static void WriteTiny(GitSandbox repo)
    {
        EncoderModelGenerator.Write(repo.PathOf("models/tiny/encoder.onnx"), Tiny);
        repo.WriteFile("models/tiny/model.yaml", TinyYaml);
    }

    private static object Definition(GitSandbox repo, string embeddingModel, int dimension = 0) => new
    {
        classes = TrafficGenerator.Classes,
        embeddingModel,
        embeddingDimension = dimension,
        reference = new { repoPath = repo.Root, pointerPath = "data/shapes.obs", revision = "shapes@v1" },
        schedule = "0 0 0 1 1 ? 2099",
    };

    [Fact]
    public async Task ARegistryModelVersion_EmbedsUploadsAndTheReference_ExactlyAsObsEmbedModelRevDoes()
    {
        using var repo = await RegistryAsync("regmodel", WriteTiny);
        await using var server = await MonitoringServer.StartAsync();
        using (var created = await server.Client.PutAsJsonAsync("/api/models/tiny-model", Definition(repo, "models/tiny@v1")))
        {
            var body = await created.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(created.StatusCode == HttpStatusCode.Created, body.ToString());
            Assert.Equal(16, body.GetProperty("embeddingDimension").GetInt32());
            Assert.Equal("models/tiny@v1", body.GetProperty("embeddingModel").GetString());
        }

        // An upload is embedded with the model version (16 values), not the host's encoder (152).
        using var form = new MultipartFormDataContent
        {
            { new StringContent("""{"events":[{"id":"a","timestamp":"2026-01-01T00:00:00Z","predictedClass":"circle","confidence":0.9}]}"""), "events" },
            { new ByteArrayContent(SampleDataset.RenderImage(1, new SampleDatasetOptions(), out _)), "image", "a.jpg" },
        };
        using (var upload = await server.Client.PostAsync("/api/models/tiny-model/images", form))
            Assert.True(upload.StatusCode == HttpStatusCode.OK, await upload.Content.ReadAsStringAsync());

        var encoder = await server.Services.GetRequiredService<IModelEncoders>().GetAsync("models/tiny@v1", repo.Root, CancellationToken.None);
        var service = await server.Services.GetRequiredService<IReferenceDatasets>()
            .GetEmbeddingsAsync(new ReferenceDataset(repo.Root, "data/shapes.obs", "shapes@v1"), encoder, nameFiles: false, CancellationToken.None);
        var run = await ObsProcess.RunAsync(repo.Root, "embed", "data/shapes", "--rev", "shapes@v1", "--model-rev", "models/tiny@v1", "-o", "cli.npy");
        Assert.True(run.ExitCode == 0, run.ToString());
        var cli = NpyReader.Read(repo.PathOf("cli.npy"));
        Assert.Equal((20, 16), (cli.Rows, cli.Cols));
        for (var i = 0; i < cli.Rows; i++)
            for (var j = 0; j < cli.Cols; j++)
                Assert.Equal(service.Vectors[i][j], (float)cli[i, j]);
    }

    public static TheoryData<string, string> BadModels => new()
    {
        { "not-onnx", "could not be loaded" },
        { "wrong-input-rank", "has rank 2; an image input has rank 4" },
        { "feature-map-output", "one vector per image" },
        { "missing-version", "has no version v9" },
    };

    [Theory]
    [MemberData(nameof(BadModels))]
    public async Task ABadModel_IsRefusedAtRegistration_With400NamingTheProblem(string kind, string expected)
    {
        using var repo = await RegistryAsync("badmodel-" + kind, r =>
        {
            var path = r.PathOf("models/tiny/encoder.onnx");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            switch (kind)
            {
                case "not-onnx":
                    File.WriteAllText(path, "this is not a model");
                    break;
                case "wrong-input-rank":
                    File.WriteAllBytes(path, IdentityModel([null, 10]));
                    r.WriteFile("models/tiny/model.yaml", "input: x\noutput: y\nwidth: 8\nheight: 8\n");
                    break;
                case "feature-map-output":
                    File.WriteAllBytes(path, IdentityModel([null, 3, 8, 8]));
                    r.WriteFile("models/tiny/model.yaml", "input: x\noutput: y\nwidth: 8\nheight: 8\n");
                    break;
                default:
                    WriteTiny(r);
                    break;
            }
        });
        await using var server = await MonitoringServer.StartAsync();
        var version = kind == "missing-version" ? "models/tiny@v9" : "models/tiny@v1";
        using var r = await server.Client.PutAsJsonAsync("/api/models/bad", Definition(repo, version));
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.BadRequest, body);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("errors").GetProperty("embeddingModel")[0].GetString()!;
        Assert.Contains(expected, error);
        using var none = await server.Client.GetAsync("/api/models/bad");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
    }

    [Fact]
    public async Task AMovingRevision_IsPinnedAtRegistration_SoANewModelBehindItIsRefused_NotUsedSilently()
    {
        using var repo = await RegistryAsync("regmodel-pin", WriteTiny);
        await using var server = await MonitoringServer.StartAsync();
        using (var created = await server.Client.PutAsJsonAsync("/api/models/pinned", Definition(repo, "models/tiny@HEAD")))
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var registered = await server.Client.GetFromJsonAsync<JsonElement>("/api/models/pinned");
        Assert.Matches("^[0-9a-f]{64}$", registered.GetProperty("embeddingModelKey").GetString());

        // HEAD moves to another model of the same shape.
        EncoderModelGenerator.Write(repo.PathOf("models/tiny/encoder.onnx"), Tiny with { Seed = 12 });
        await ReferenceRepository.ObsAsync(repo, "commit", "-m", "model v2", "--tag", "--no-validate");

        using var form = new MultipartFormDataContent
        {
            { new StringContent("""{"events":[{"id":"a","timestamp":"2026-01-01T00:00:00Z","predictedClass":"circle","confidence":0.9}]}"""), "events" },
            { new ByteArrayContent(SampleDataset.RenderImage(1, new SampleDatasetOptions(), out _)), "image", "a.jpg" },
        };
        using var upload = await server.Client.PostAsync("/api/models/pinned/images", form);
        var body = await upload.Content.ReadAsStringAsync();
        Assert.True(upload.StatusCode == HttpStatusCode.BadRequest, body);
        Assert.Contains("now names another model", body);
        // Registering again takes the model HEAD names now.
        using (var again = await server.Client.PutAsJsonAsync("/api/models/pinned", Definition(repo, "models/tiny@HEAD")))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.NotEqual(registered.GetProperty("embeddingModelKey").GetString(),
            (await server.Client.GetFromJsonAsync<JsonElement>("/api/models/pinned")).GetProperty("embeddingModelKey").GetString());
    }

    [Fact]
    public async Task ADimensionTheModelVersionDoesNotHave_IsRefused()
    {
        using var repo = await RegistryAsync("regmodel-dim", WriteTiny);
        await using var server = await MonitoringServer.StartAsync();
        using var r = await server.Client.PutAsJsonAsync("/api/models/dim", Definition(repo, "models/tiny@v1", dimension: 99));
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.BadRequest, body);
        Assert.Contains("(16)", JsonDocument.Parse(body).RootElement.GetProperty("errors").GetProperty("embeddingDimension")[0].GetString());
    }

    [Fact]
    public async Task TheBaseline_IsReadFromTheMetricsFileCommittedBesideTheModel_AtTheModelVersionsRevision()
    {
        using var repo = await RegistryAsync("regmodel-metrics", r =>
        {
            WriteTiny(r);
            // Plain git, beside the tracked folder (a metrics file inside it would be obs data).
            r.WriteFile("models/tiny.metrics.json", """{"accuracy": 0.91, "val": {"f1": 0.8}}""");
            using var git = new LibGit2Sharp.Repository(r.Root);
            LibGit2Sharp.Commands.Stage(git, "models/tiny.metrics.json");
        });
        // Later work changes the file in the workspace: the registered version's number is still the one read.
        repo.WriteFile("models/tiny.metrics.json", """{"accuracy": 0.5}""");
        await using var server = await MonitoringServer.StartAsync();

        using (var ok = await server.Client.PutAsJsonAsync("/api/models/measured", new
        {
            classes = TrafficGenerator.Classes, embeddingModel = "models/tiny@v1",
            reference = new { repoPath = repo.Root, pointerPath = "data/shapes.obs", revision = "shapes@v1" },
            baselineFrom = new { path = "models/tiny.metrics.json", key = "accuracy" },
        }))
        {
            var body = await ok.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(ok.StatusCode == HttpStatusCode.Created, body.ToString());
            Assert.Equal(0.91, body.GetProperty("baselineAccuracy").GetDouble());
            Assert.Equal("tiny@v1", body.GetProperty("baselineFrom").GetProperty("revision").GetString());
        }

        using var missing = await server.Client.PutAsJsonAsync("/api/models/unmeasured", new
        {
            classes = TrafficGenerator.Classes, embeddingModel = "models/tiny@v1",
            reference = new { repoPath = repo.Root, pointerPath = "data/shapes.obs", revision = "shapes@v1" },
            baselineFrom = new { path = "models/tiny.metrics.json", key = "top1" },
        });
        var error = await missing.Content.ReadAsStringAsync();
        Assert.True(missing.StatusCode == HttpStatusCode.BadRequest, error);
        Assert.Contains("'top1' is not in models/tiny.metrics.json at tiny@v1; its keys: accuracy, val.f1", error);
    }

    /// <summary>A float input "x" of <paramref name="shape"/> passed through as output "y".</summary>
    private static byte[] IdentityModel(long?[] shape)
    {
        var graph = OnnxProtoWriter.Graph("identity", [OnnxProtoWriter.Node("Identity", "id", ["x"], ["y"])], [],
            [OnnxProtoWriter.FloatValueInfo("x", shape)], [OnnxProtoWriter.FloatValueInfo("y", shape)]);
        return OnnxProtoWriter.Model(8, "test", "1", "", 13, graph, []);
    }
}
