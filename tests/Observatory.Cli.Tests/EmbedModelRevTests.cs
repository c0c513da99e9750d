using System.Security.Cryptography;
using System.Text.Json;
using Observatory.Monitoring.Core.Drift;
using Observatory.Monitoring.Core.IO;
using Observatory.Monitoring.Onnx.Model;
using Observatory.Samples;
using Observatory.Testing;

namespace Observatory.Cli.Tests;

/// <summary>`obs embed --model-rev PATH@REV`: a model folder versioned like a dataset, its .onnx used from the cache.</summary>
public sealed class EmbedModelRevTests
{
    // Only what the model file itself declares: embedding with this model.yaml equals `--model <file>` with the defaults.
    private const string DeclaredYaml = "input: images\noutput: embedding\nwidth: 96\nheight: 96\nclasses: [circle, square]\n";

    private static readonly EncoderSpec V1 = EncoderSpec.Default with { Seed = 11 };
    private static readonly EncoderSpec V2 = EncoderSpec.Default with { Seed = 22 };

    private static async Task<GitSandbox> RepoWithDataAsync(string name)
    {
        var repo = new GitSandbox(name);
        SampleDataset.Generate(repo.PathOf("data/shapes"), new SampleDatasetOptions { TrainCount = 6, ValCount = 0, Seed = 1 });
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "init"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/shapes", "--no-validate"));
        return repo;
    }

    private static async Task<(JsonElement Json, DataMatrix Embeddings)> EmbedAsync(GitSandbox repo, string output, params string[] model)
    {
        var run = await ObsProcess.RunAsync(repo.Root, ["embed", "data/shapes", .. model, "-o", output, "--json"]);
        VersioningEndToEndTests.Ok(run);
        return (JsonDocument.Parse(run.Stdout).RootElement.Clone(), NpyReader.Read(repo.PathOf(output)));
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Fact]
    public async Task ModelRev_EmbedsEachTaggedVersionFromTheCache_AsModelFileDoes_AndAppliesModelYaml()
    {
        using var repo = await RepoWithDataAsync("model-rev");
        EncoderModelGenerator.Write(repo.PathOf("models/tiny/encoder.onnx"), V1);
        repo.WriteFile("models/tiny/model.yaml", DeclaredYaml);
        var v1Bytes = File.ReadAllBytes(repo.PathOf("models/tiny/encoder.onnx"));
        File.WriteAllBytes(repo.PathOf("v1.onnx"), v1Bytes);
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "add", "models/tiny"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "model v1", "--tag", "--no-validate"));

        EncoderModelGenerator.Write(repo.PathOf("models/tiny/encoder.onnx"), V2);
        var v2Bytes = File.ReadAllBytes(repo.PathOf("models/tiny/encoder.onnx"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "model v2", "--tag", "--no-validate"));
        // v3: the same weights, another preprocessing — only model.yaml tells them apart.
        repo.WriteFile("models/tiny/model.yaml", DeclaredYaml + "resize: stretch\nchannel_order: bgr\n");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "model v3", "--tag", "--no-validate"));
        Assert.Contains("tiny@v3", repo.Tags());
        var workspaceModel = repo.Snapshot("models/tiny");

        var (j1, e1) = await EmbedAsync(repo, "v1.npy", "--model-rev", "models/tiny@v1");
        var (j2, e2) = await EmbedAsync(repo, "v2.npy", "--model-rev", "models/tiny@v2");
        var (j3, e3) = await EmbedAsync(repo, "v3.npy", "--model-rev", "models/tiny@v3");

        Assert.Equal(Sha256(v1Bytes), j1.GetProperty("model_sha256").GetString());
        Assert.Equal(Sha256(v2Bytes), j2.GetProperty("model_sha256").GetString());
        Assert.Equal(Sha256(v2Bytes), j3.GetProperty("model_sha256").GetString());
        Assert.Equal("models/tiny/encoder.onnx", j1.GetProperty("model").GetString());
        Assert.Equal("tiny@v1", j1.GetProperty("model_rev").GetString());
        Assert.Equal(["circle", "square"], j1.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
        foreach (var e in new[] { e1, e2, e3 })
        {
            Assert.Equal(6, e.Rows);
            Assert.Equal(V1.OutputDimension, e.Cols);
        }
        Assert.NotEqual(e1.Data, e2.Data);
        Assert.NotEqual(e2.Data, e3.Data); // model.yaml's preprocessing was applied (and is part of the cache key)

        // The same bytes and options given as a file embed identically.
        var (jf, ef) = await EmbedAsync(repo, "file.npy", "--model", "v1.onnx");
        Assert.Equal(j1.GetProperty("model_sha256").GetString(), jf.GetProperty("model_sha256").GetString());
        Assert.Equal(File.ReadAllBytes(repo.PathOf("v1.npy")), File.ReadAllBytes(repo.PathOf("file.npy")));

        // The other spellings of a revision: HEAD, and the full version name.
        var (_, head) = await EmbedAsync(repo, "head.npy", "--model-rev", "models/tiny@HEAD");
        Assert.Equal(e3.Data, head.Data);
        var (_, named) = await EmbedAsync(repo, "named.npy", "--model-rev", "models/tiny@tiny@v1");
        Assert.Equal(e1.Data, named.Data);

        // Nothing was checked out: the workspace still holds v3.
        Assert.Equal(workspaceModel, repo.Snapshot("models/tiny"));
    }

    [Fact]
    public async Task ModelRev_WithUnknownModelYamlKey_ExitsWithUsageCode2_NamingKeyAndFile()
    {
        using var repo = await RepoWithDataAsync("model-rev-yaml");
        EncoderModelGenerator.Write(repo.PathOf("models/tiny/encoder.onnx"), V1);
        repo.WriteFile("models/tiny/model.yaml", "input: images\ninput_size: 96\n");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "add", "models/tiny"));

        var run = await ObsProcess.RunAsync(repo.Root, "embed", "data/shapes", "--model-rev", "models/tiny", "-o", "x.npy");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("input_size", run.Stderr);
        Assert.Contains("models/tiny/model.yaml", run.Stderr);
        Assert.False(File.Exists(repo.PathOf("x.npy")));
    }

    [Fact]
    public async Task ModelRev_WithTwoOnnxFiles_ExitsWithUsageCode2_ListingThem_AndASubFolderPicksOne()
    {
        using var repo = await RepoWithDataAsync("model-rev-two");
        EncoderModelGenerator.Write(repo.PathOf("models/tiny/encoder.onnx"), V1);
        EncoderModelGenerator.Write(repo.PathOf("models/tiny/old/encoder.onnx"), V2);
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "add", "models/tiny"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "two models", "--tag", "--no-validate"));

        var run = await ObsProcess.RunAsync(repo.Root, "embed", "data/shapes", "--model-rev", "models/tiny@v1", "-o", "x.npy");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("encoder.onnx", run.Stderr);
        Assert.Contains("old/encoder.onnx", run.Stderr);
        Assert.Contains("tiny@v1", run.Stderr);

        var unknown = await ObsProcess.RunAsync(repo.Root, "embed", "data/shapes", "--model-rev", "models/tiny@v9", "-o", "x.npy");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("no version v9", unknown.Stderr);
        Assert.Contains("obs log models/tiny", unknown.Stderr);

        // A folder inside the tracked one selects its model (v1 is the version of models/tiny, not of a folder named old).
        var (json, _) = await EmbedAsync(repo, "old.npy", "--model-rev", "models/tiny/old@v1");
        Assert.Equal(Sha256(EncoderModelGenerator.Generate(V2)), json.GetProperty("model_sha256").GetString());
    }

    [Fact]
    public async Task ModelRev_WhenTheModelObjectIsNotInTheCache_SaysToRunObsFetch()
    {
        using var repo = await RepoWithDataAsync("model-rev-fetch");
        EncoderModelGenerator.Write(repo.PathOf("models/tiny/encoder.onnx"), V1);
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "add", "models/tiny"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "model", "--tag", "--no-validate"));
        var sha = Sha256(EncoderModelGenerator.Generate(V1));
        foreach (var file in Directory.EnumerateFiles(repo.PathOf(".obs"), sha[2..], SearchOption.AllDirectories)) File.Delete(file);

        var run = await ObsProcess.RunAsync(repo.Root, "embed", "data/shapes", "--model-rev", "models/tiny@v1", "-o", "x.npy");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(sha, run.Stderr);
        Assert.Contains("obs fetch models/tiny --rev tiny@v1", run.Stderr);
    }

    [Fact]
    public async Task ModelRev_WithModel_IsAUsageError()
    {
        using var repo = await RepoWithDataAsync("model-rev-both");
        var run = await ObsProcess.RunAsync(repo.Root, "embed", "data/shapes", "--model", "random", "--model-rev", "models/tiny@v1", "-o", "x.npy");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--model-rev", run.Stderr);
    }
}
