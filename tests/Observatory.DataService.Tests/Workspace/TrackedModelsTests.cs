using System.Text;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Tests.Workspace;

public sealed class TrackedModelsTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Theory]
    [InlineData("models/tiny@v3", "models/tiny", "v3", true)]
    [InlineData("models/tiny@HEAD", "models/tiny", "HEAD", false)]
    [InlineData("models/tiny@tiny@v3", "models/tiny", "tiny@v3", false)]
    [InlineData("models/tiny@HEAD@{1}", "models/tiny", "HEAD@{1}", false)]
    [InlineData("models/tiny", "models/tiny", null, false)]
    public void Parse_SplitsAtTheFirstAt(string text, string path, string? revision, bool shortVersion)
    {
        var m = ModelRevision.Parse(text);
        Assert.Equal((path, revision, shortVersion), (m.Path, m.Revision, m.IsShortVersion));
    }

    [Theory]
    [InlineData("@v3")]
    [InlineData("models/tiny@")]
    public void Parse_WithoutPathOrRevision_IsAUsageError(string text)
    {
        Assert.Contains("PATH@REV", Assert.Throws<UsageException>(() => ModelRevision.Parse(text)).Message);
    }

    [Fact]
    public async Task Resolve_ShortVersion_IsTheVersionOfTheTrackedFolder_ReadFromTheCache()
    {
        using var ws = await TestWorkspace.CreateAsync();
        using var repo = ws.Open();
        // User paths are relative to the current directory, like every obs path: in process, full paths.
        ws.Git.WriteFile("models/tiny/encoder.onnx", [1, 2, 3]);
        ws.Git.WriteFile("models/tiny/model.yaml", "width: 96\n");
        await AddOperation.RunAsync(repo, [ws.Git.PathOf("models/tiny")], new AddOptions(), Ct);
        await CommitOperation.RunAsync(repo, new CommitOptions { Message = "v1", Tag = "" }, Ct);
        ws.Git.WriteFile("models/tiny/encoder.onnx", [4, 5, 6]);
        File.Delete(ws.Git.PathOf("models/tiny/model.yaml"));
        await CommitOperation.RunAsync(repo, new CommitOptions { Message = "v2", Tag = "" }, Ct);

        var v1 = await TrackedModels.ResolveAsync(repo, ModelRevision.Parse(ws.Git.PathOf("models/tiny") + "@v1"), Ct);
        Assert.Equal("tiny@v1", v1.Revision);
        Assert.Equal("models/tiny/encoder.onnx", v1.OnnxFile);
        Assert.Equal(ContentHash.Compute([1, 2, 3]), v1.OnnxHash);
        Assert.Equal(repo.Cache.PathOf(v1.OnnxHash), v1.OnnxPath);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(v1.OnnxPath));
        Assert.Equal("models/tiny/model.yaml", v1.ModelYamlFile);
        Assert.Equal("width: 96\n", Encoding.UTF8.GetString(v1.ModelYaml!));

        var head = await TrackedModels.ResolveAsync(repo, ModelRevision.Parse(ws.Git.PathOf("models/tiny") + "@HEAD"), Ct);
        Assert.Equal(ContentHash.Compute([4, 5, 6]), head.OnnxHash);
        Assert.Null(head.ModelYamlFile);
        Assert.Null(head.ModelYaml);
    }

    [Fact]
    public async Task Resolve_WithoutOnnx_OrWithAnOversizedModelYaml_IsRefused()
    {
        using var ws = await TestWorkspace.CreateAsync();
        using var repo = ws.Open();
        ws.Git.WriteFile("models/none/weights.bin", [1]);
        ws.Git.WriteFile("models/big/encoder.onnx", [1]);
        ws.Git.WriteFile("models/big/model.yaml", new string('#', (int)TrackedModels.MaxModelYamlBytes + 1));
        await AddOperation.RunAsync(repo, [ws.Git.PathOf("models/none"), ws.Git.PathOf("models/big")], new AddOptions(), Ct);

        Assert.Contains("has no .onnx file", (await Assert.ThrowsAsync<UsageException>(() =>
            TrackedModels.ResolveAsync(repo, ModelRevision.Parse(ws.Git.PathOf("models/none")), Ct))).Message);
        Assert.Contains("models/big/model.yaml is larger than 64 KiB", (await Assert.ThrowsAsync<DataCheckException>(() =>
            TrackedModels.ResolveAsync(repo, ModelRevision.Parse(ws.Git.PathOf("models/big")), Ct))).Message);
    }
}
