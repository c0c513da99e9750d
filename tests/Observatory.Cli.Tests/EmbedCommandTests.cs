using System.Text.Json;
using Observatory.Monitoring.Core.IO;
using Observatory.Samples;
using Observatory.Testing;

namespace Observatory.Cli.Tests;

public sealed class EmbedCommandTests
{
    [Fact]
    public async Task Embed_OfTwoVersions_FeedsDrift_WhichFlagsTheBrighterVersion_AndCachesPerTree()
    {
        using var repo = new GitSandbox("embed");
        SampleDataset.Generate(repo.PathOf("data/shapes"), new SampleDatasetOptions { TrainCount = 90, ValCount = 0, Seed = 1 });
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/shapes", "--no-validate"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "v1", "--tag", "--no-validate"));
        Directory.Delete(repo.PathOf("data/shapes"), recursive: true);
        SampleDataset.Generate(repo.PathOf("data/shapes"), new SampleDatasetOptions { TrainCount = 90, ValCount = 0, Seed = 2, BrightnessShift = 0.35 });
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "v2 brighter", "--tag", "--no-validate"));

        // v1 is embedded from history: its files are not in the workspace any more.
        var first = await ObsProcess.RunAsync(repo.Root, "embed", "data/shapes", "--rev", "shapes@v1", "-o", "ref.npy", "--stats", "ref_stats.npy", "--json");
        VersioningEndToEndTests.Ok(first);
        var doc = JsonDocument.Parse(first.Stdout).RootElement;
        Assert.Equal(90, doc.GetProperty("images").GetInt32());
        // The default encoder is the pretrained ResNet18.
        Assert.Equal("resnet18", doc.GetProperty("model").GetString());
        Assert.Equal(512, doc.GetProperty("dimension").GetInt32());
        Assert.False(doc.GetProperty("cached").GetBoolean());
        var reference = NpyReader.Read(repo.PathOf("ref.npy"));
        Assert.Equal(90, reference.Rows);
        Assert.Equal(doc.GetProperty("dimension").GetInt32(), reference.Cols);
        Assert.Equal(7, NpyReader.Read(repo.PathOf("ref_stats.npy")).Cols);

        var again = await ObsProcess.RunAsync(repo.Root, "embed", "data/shapes", "--rev", "shapes@v1", "-o", "ref2.npy", "--json");
        Assert.True(JsonDocument.Parse(again.Stdout).RootElement.GetProperty("cached").GetBoolean());
        Assert.Equal(File.ReadAllBytes(repo.PathOf("ref.npy")), File.ReadAllBytes(repo.PathOf("ref2.npy")));

        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "embed", "data/shapes", "--rev", "shapes@v2", "-o", "cur.npy"));
        var drift = await ObsProcess.RunAsync(repo.Root, "drift", "--reference", "ref.npy", "--current", "cur.npy", "--method", "mmd", "--json");
        VersioningEndToEndTests.Ok(drift);
        var mmd = JsonDocument.Parse(drift.Stdout).RootElement.GetProperty("methods")[0];
        Assert.Equal("mmd", mmd.GetProperty("method").GetString());
        Assert.True(mmd.GetProperty("drifted").GetBoolean(), drift.Stdout);
    }

    [Fact]
    public async Task Embed_WithMissingModelFile_ExitsWithUsageCode2()
    {
        using var repo = new GitSandbox("embed-bad");
        SampleDataset.Generate(repo.PathOf("data/shapes"), new SampleDatasetOptions { TrainCount = 3, ValCount = 0 });
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/shapes", "--no-validate"));
        var run = await ObsProcess.RunAsync(repo.Root, "embed", "data/shapes", "--model", "nope.onnx", "-o", "x.npy");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("nope.onnx", run.Stderr);
        Assert.False(File.Exists(repo.PathOf("x.npy")));
    }
}
