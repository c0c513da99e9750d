using System.Text.Json;
using Observatory.Testing;

namespace Observatory.Cli.Tests;

/// <summary>`obs diff` box by box: two YOLO versions committed to a real git repository, diffed through the real `obs` process.</summary>
public sealed class AnnotationDiffCommandTests : IDisposable
{
    private readonly GitSandbox _repo = new("annotation-diff");

    private static void Ok(ObsRun run) => VersioningEndToEndTests.Ok(run);

    public void Dispose() => _repo.Dispose();

    private async Task TwoVersionsAsync()
    {
        var root = _repo.Root;
        _repo.WriteFile("data/set/classes.txt", "cat\ndog\n");
        _repo.WriteFile("data/set/images/a.png", PngBomb.Create(64, 64));
        _repo.WriteFile("data/set/images/b.png", PngBomb.Create(65, 65));
        _repo.WriteFile("data/set/labels/a.txt", "0 0.2 0.2 0.2 0.2\n1 0.7 0.7 0.2 0.2\n0 0.5 0.5 0.1 0.1\n");
        _repo.WriteFile("data/set/labels/b.txt", "1 0.5 0.5 0.4 0.4\n");
        Ok(await ObsProcess.RunAsync(root, "init"));
        Ok(await ObsProcess.RunAsync(root, "add", "data/set"));
        Ok(await ObsProcess.RunAsync(root, "commit", "-m", "set v1", "--tag", "--allow-invalid"));
        // Move the first cat (IoU 1/3), relabel the dog as a cat, delete the small cat, add a dog.
        _repo.WriteFile("data/set/labels/a.txt", "0 0.3 0.2 0.2 0.2\n0 0.7 0.7 0.2 0.2\n1 0.1 0.9 0.1 0.1\n");
        Ok(await ObsProcess.RunAsync(root, "commit", "-m", "set v2", "--tag", "--allow-invalid"));
    }

    [Fact]
    public async Task Json_CountsBoxesAddedRemovedMovedRelabelled_PerClassAndImage()
    {
        await TwoVersionsAsync();
        var run = await ObsProcess.RunAsync(_repo.Root, "diff", "set@v1", "set@v2", "--json");
        Ok(run);
        var root = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(1, root.GetProperty("summary").GetProperty("annotations").GetProperty("modified").GetInt32());
        var a = root.GetProperty("annotations");
        var cat = a.GetProperty("by_class").GetProperty("cat");
        var dog = a.GetProperty("by_class").GetProperty("dog");
        int N(JsonElement e, string name) => e.GetProperty(name).GetInt32();
        Assert.Equal((0, 1, 1, 1, 2, 2), (N(cat, "added"), N(cat, "removed"), N(cat, "moved"), N(cat, "relabelled"), N(cat, "before"), N(cat, "after")));
        Assert.Equal((1, 0, 0, 0, 2, 2), (N(dog, "added"), N(dog, "removed"), N(dog, "moved"), N(dog, "relabelled"), N(dog, "before"), N(dog, "after")));
        var image = Assert.Single(a.GetProperty("images").EnumerateArray());
        Assert.Equal("data/set/images/a.png", image.GetProperty("path").GetString());
        Assert.Equal((1, 1, 1, 1), (N(image, "added"), N(image, "removed"), N(image, "moved"), N(image, "relabelled")));
    }

    [Fact]
    public async Task Iou_Lowered_TurnsTheMoveIntoNoChange_AndTextShowsTheClassTable()
    {
        await TwoVersionsAsync();
        var run = await ObsProcess.RunAsync(_repo.Root, "diff", "set@v1", "set@v2", "--iou", "0.3", "--json");
        Ok(run);
        Assert.Equal(0, JsonDocument.Parse(run.Stdout).RootElement.GetProperty("annotations").GetProperty("by_class").GetProperty("cat").GetProperty("moved").GetInt32());

        var text = await ObsProcess.RunAsync(_repo.Root, "diff", "set@v1", "set@v2");
        Ok(text);
        var lines = text.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, l => l.StartsWith("class", StringComparison.Ordinal) && l.Contains("relabelled", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["cat", "0", "1", "1", "1", "2", "→", "2", "(+0)"]);
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["dog", "1", "0", "0", "0", "2", "→", "2", "(+0)"]);
        Assert.Contains("1 images with changed boxes", lines);

        var bad = await ObsProcess.RunAsync(_repo.Root, "diff", "set@v1", "set@v2", "--iou", "0");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--iou", bad.Stderr);
    }

    [Fact]
    public async Task ALabelObjectMissingFromTheCache_StillGivesTheFileDiff_AndSaysWhyBoxesWereNotCompared()
    {
        await TwoVersionsAsync();
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(_repo.PathOf("data/set/labels/a.txt"))));
        var cached = _repo.PathOf($".obs/cache/objects/{hash[..2]}/{hash[2..]}");
        Assert.True(File.Exists(cached), cached);
        File.Delete(cached);

        var run = await ObsProcess.RunAsync(_repo.Root, "diff", "set@v1", "set@v2", "--json");
        Ok(run);
        var root = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(1, root.GetProperty("summary").GetProperty("modified").GetInt32());
        Assert.Contains(hash, root.GetProperty("annotations").GetProperty("unavailable").GetString());
        Assert.Empty(root.GetProperty("annotations").GetProperty("by_class").EnumerateObject());
    }
}
