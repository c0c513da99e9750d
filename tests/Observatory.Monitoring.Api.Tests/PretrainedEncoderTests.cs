using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.IO;
using Observatory.Monitoring.Core.Ports;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// With no encoder configured the service embeds with the pretrained ResNet18, and a dataset version's embeddings are the same
/// whether the service (reference job) or `obs embed` makes them: one encoder, one preprocessing, one file order.
/// </summary>
public sealed class PretrainedEncoderTests
{
    [Fact]
    public async Task TheServiceDefault_IsResNet18_AndEmbedsADatasetVersion_ExactlyAsObsEmbedDoes()
    {
        using var repo = new GitSandbox("resnet-ref");
        await ReferenceRepository.CreateAsync(repo, train: 16, val: 4);
        // The test hosts default to the small encoder for speed; unsetting it gives the service's own default.
        await using var server = await MonitoringServer.StartAsync(new Dictionary<string, string?> { ["Monitoring:Encoder:Name"] = null });

        var encoder = server.Services.GetRequiredService<IImageEmbedder>();
        Assert.Equal("resnet18", encoder.Name);
        var service = await server.Services.GetRequiredService<IReferenceDatasets>()
            .GetEmbeddingsAsync(new ReferenceDataset(repo.Root, "data/shapes.obs", "shapes@v1"), nameFiles: true, CancellationToken.None);
        Assert.Equal(512, encoder.Dimension);
        Assert.Equal(20, service.Count);

        var run = await ObsProcess.RunAsync(repo.Root, "embed", "data/shapes", "--rev", "shapes@v1", "-o", "cli.npy", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("resnet18", json.GetProperty("model").GetString());
        Assert.Equal(512, json.GetProperty("dimension").GetInt32());
        var cli = NpyReader.Read(repo.PathOf("cli.npy"));
        Assert.Equal((20, 512), (cli.Rows, cli.Cols));
        for (var i = 0; i < cli.Rows; i++)
            for (var j = 0; j < cli.Cols; j++)
                Assert.Equal(service.Vectors[i][j], (float)cli[i, j]);
        Assert.Equal(service.Items!.Select(item => "data/shapes/" + item.Path), json.GetProperty("paths").EnumerateArray().Select(p => p.GetString()));
    }
}
