using Observatory.Monitoring.Onnx.Model;
using Observatory.Samples;
using Observatory.Testing;
using Observatory.TrafficSimulator;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>A git repository whose `obs` dataset data/shapes (classes the traffic generator knows) is a model's reference.</summary>
internal static class ReferenceRepository
{
    /// <summary>`obs init`, the sample dataset, `obs add`, then a commit tagged shapes@v1.</summary>
    public static async Task CreateAsync(GitSandbox repo, int train, int val)
    {
        await ObsAsync(repo, "init");
        SampleDataset.Generate(repo.PathOf("data/shapes"), new SampleDatasetOptions { TrainCount = train, ValCount = val, OnlyClasses = TrafficScenario.KnownClasses });
        await ObsAsync(repo, "add", "data/shapes", "--no-validate");
        await ObsAsync(repo, "commit", "-m", "v1", "--tag", "--no-validate");
    }

    public static async Task ObsAsync(GitSandbox repo, params string[] args)
    {
        var r = await ObsProcess.RunAsync(repo.Root, args);
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    /// <summary>The registration body of a model whose reference is data/shapes at <paramref name="revision"/> (drift: MMD, never scheduled).</summary>
    public static object Model(GitSandbox repo, string revision = "HEAD") => new
    {
        classes = TrafficGenerator.Classes,
        embeddingDimension = EncoderSpec.Default.OutputDimension,
        reference = new { repoPath = repo.Root, pointerPath = "data/shapes.obs", revision },
        window = "00:30:00",
        schedule = "0 0 0 1 1 ? 2099",
        driftMethods = new[] { "mmd" },
    };
}
