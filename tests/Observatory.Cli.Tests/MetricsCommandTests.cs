using System.Text.Json;
using LibGit2Sharp;
using Observatory.Testing;

namespace Observatory.Cli.Tests;

/// <summary>`obs metrics show|diff` on metrics files committed to a real git repository, through the real `obs` process.</summary>
public sealed class MetricsCommandTests : IDisposable
{
    private readonly GitSandbox _repo = new("metrics");

    private static void Ok(ObsRun run) => VersioningEndToEndTests.Ok(run);

    public void Dispose() => _repo.Dispose();

    /// <summary>v1 and v2 of a training run's metrics: acc improves, loss is unchanged, 'old' is dropped and 'new' appears.</summary>
    private async Task TwoTaggedVersionsAsync()
    {
        Ok(await ObsProcess.RunAsync(_repo.Root, "init"));
        _repo.WriteFile("metrics.json", """{"acc": 0.9, "loss": 0.5, "val": {"ap": [0.5, 0.6], "model": "resnet"}, "old": 1}""");
        _repo.WriteFile("eval/metrics.yaml", "top1: 0.7\ntrain:\n  epochs: 10\n");
        Commit("v1", tag: "v1");
        _repo.WriteFile("metrics.json", """{"acc": 0.91, "loss": 0.5, "val": {"ap": [0.55, 0.6]}, "new": 3}""");
        Commit("v2", tag: "v2");
    }

    private void Commit(string message, string tag)
    {
        using var git = new Repository(_repo.Root);
        LibGit2Sharp.Commands.Stage(git, "*");
        var me = new Signature("Test User", "test@example.com", DateTimeOffset.UtcNow);
        git.Commit(message, me, me);
        git.ApplyTag(tag);
    }

    private static string[] Lines(string stdout) => stdout.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Show_InTheWorkspaceAndAtATag_ListsEveryMetricsFileFlattened_AndSkipsDatasetFolders()
    {
        await TwoTaggedVersionsAsync();
        // A folder beside a pointer is obs data, not git's: a metrics.json inside it is not a model's metrics file.
        _repo.WriteFile("data/food.obs", "not read by metrics");
        _repo.WriteFile("data/food/metrics.json", """{"inside_data": 1}""");
        _repo.WriteFile("runs/train.metrics.yml", "map50: 0.42\n");

        var workspace = await ObsProcess.RunAsync(_repo.Root, "metrics", "show");
        Ok(workspace);
        Assert.Equal(
            [["Path", "Metric", "Value"], ["eval/metrics.yaml", "top1", "0.7"], ["eval/metrics.yaml", "train.epochs", "10"],
             ["metrics.json", "acc", "0.91"], ["metrics.json", "loss", "0.5"], ["metrics.json", "val.ap.0", "0.55"], ["metrics.json", "val.ap.1", "0.6"],
             ["metrics.json", "new", "3"], ["runs/train.metrics.yml", "map50", "0.42"]],
            Lines(workspace.Stdout).Select(Cells));

        var v1 = await ObsProcess.RunAsync(_repo.Root, "metrics", "show", "--rev", "v1", "metrics.json");
        Ok(v1);
        Assert.Equal(
            [["Path", "Metric", "Value"], ["metrics.json", "acc", "0.9"], ["metrics.json", "loss", "0.5"], ["metrics.json", "val.ap.0", "0.5"],
             ["metrics.json", "val.ap.1", "0.6"], ["metrics.json", "old", "1"]],
            Lines(v1.Stdout).Select(Cells));
    }

    [Fact]
    public async Task Show_Md_PrintsAMarkdownTable()
    {
        await TwoTaggedVersionsAsync();
        var run = await ObsProcess.RunAsync(_repo.Root, "metrics", "show", "eval", "--rev", "v1", "--md");
        Ok(run);
        Assert.Equal(["### Metrics at v1", "", "| Path | Metric | Value |", "|---|---|---:|", "| eval/metrics.yaml | top1 | 0.7 |", "| eval/metrics.yaml | train.epochs | 10 |"],
            Lines(run.Stdout));
    }

    [Fact]
    public async Task Show_Json_IsAnObjectOfPathToKeyToValue()
    {
        await TwoTaggedVersionsAsync();
        var run = await ObsProcess.RunAsync(_repo.Root, "metrics", "show", "--rev", "v2", "--json");
        Ok(run);
        var root = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(["eval/metrics.yaml", "metrics.json"], root.EnumerateObject().Select(p => p.Name));
        var m = root.GetProperty("metrics.json");
        Assert.Equal(["acc", "loss", "val.ap.0", "val.ap.1", "new"], m.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0.91, m.GetProperty("acc").GetDouble());
        Assert.Equal(10, root.GetProperty("eval/metrics.yaml").GetProperty("train.epochs").GetDouble());
    }

    [Fact]
    public async Task Diff_BetweenTwoTags_ShowsTheChange_AndADashForKeysOnOneSide()
    {
        await TwoTaggedVersionsAsync();
        var text = await ObsProcess.RunAsync(_repo.Root, "metrics", "diff", "v1", "v2");
        Ok(text);
        Assert.Equal(
            [["Path", "Metric", "v1", "v2", "Change"], ["metrics.json", "acc", "0.9", "0.91", "0.01"], ["metrics.json", "val.ap.0", "0.5", "0.55", "0.05"],
             ["metrics.json", "old", "1", "-", "-"], ["metrics.json", "new", "-", "3", "-"]],
            Lines(text.Stdout).Select(Cells));

        var all = await ObsProcess.RunAsync(_repo.Root, "metrics", "diff", "v1", "v2", "metrics.json", "--all", "--md");
        Ok(all);
        Assert.Contains("| metrics.json | loss | 0.5 | 0.5 | 0 |", Lines(all.Stdout));
        Assert.DoesNotContain(Lines(all.Stdout), l => l.Contains("eval/", StringComparison.Ordinal));

        var json = await ObsProcess.RunAsync(_repo.Root, "metrics", "diff", "v1", "v2", "--json");
        Ok(json);
        var m = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("metrics.json");
        Assert.Equal(["acc", "val.ap.0", "old", "new"], m.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0.01, m.GetProperty("acc").GetProperty("diff").GetDouble());
        Assert.Equal(JsonValueKind.Null, m.GetProperty("old").GetProperty("new").ValueKind);
        Assert.Equal(JsonValueKind.Null, m.GetProperty("new").GetProperty("old").ValueKind);
        Assert.Equal(JsonValueKind.Null, m.GetProperty("new").GetProperty("diff").ValueKind);
    }

    [Fact]
    public async Task Diff_AgainstTheWorkspace_ReadsTheFilesOnDisk()
    {
        await TwoTaggedVersionsAsync();
        _repo.WriteFile("eval/metrics.yaml", "top1: 0.75\ntrain:\n  epochs: 10\n");
        var run = await ObsProcess.RunAsync(_repo.Root, "metrics", "diff", "HEAD", "workspace", "eval/metrics.yaml");
        Ok(run);
        Assert.Equal([["Path", "Metric", "HEAD", "workspace", "Change"], ["eval/metrics.yaml", "top1", "0.7", "0.75", "0.05"]], Lines(run.Stdout).Select(Cells));
    }

    [Fact]
    public async Task AMalformedFile_FailsWithOneLineNamingTheFileAndRevision_AndExitCode1()
    {
        await TwoTaggedVersionsAsync();
        _repo.WriteFile("metrics.json", """{"acc": 0.92,""");
        Commit("broken", tag: "v3");

        var show = await ObsProcess.RunAsync(_repo.Root, "metrics", "show", "--rev", "v3");
        Assert.Equal(1, show.ExitCode);
        Assert.Equal("", show.Stdout);
        var error = Assert.Single(Lines(show.Stderr));
        Assert.StartsWith("obs metrics show: metrics file metrics.json at v3 is not valid JSON (line 1)", error);

        var diff = await ObsProcess.RunAsync(_repo.Root, "metrics", "diff", "v2", "v3");
        Assert.Equal(1, diff.ExitCode);
        Assert.StartsWith("obs metrics diff: metrics file metrics.json at v3 is not valid JSON", Assert.Single(Lines(diff.Stderr)));

        _repo.WriteFile("eval/metrics.yaml", "top1: [0.7\ntrain: 1\n");
        var yaml = await ObsProcess.RunAsync(_repo.Root, "metrics", "show", "eval");
        Assert.Equal(1, yaml.ExitCode);
        Assert.StartsWith("obs metrics show: metrics file eval/metrics.yaml at workspace is not valid YAML", Assert.Single(Lines(yaml.Stderr)));
    }

    [Fact]
    public async Task InASubdirWorkspace_PathsAreTheWorkspaces_AtARevisionToo()
    {
        _repo.WriteFile("outside.metrics.json", """{"outside": 1}""");
        _repo.WriteFile("ml/metrics.json", """{"acc": 0.8}""");
        Ok(await ObsProcess.RunAsync(_repo.PathOf("ml"), "init", "--subdir"));
        Commit("ml v1", tag: "v1");
        _repo.WriteFile("ml/metrics.json", """{"acc": 0.85}""");

        var run = await ObsProcess.RunAsync(_repo.PathOf("ml"), "metrics", "diff", "v1", "workspace", "metrics.json", "--json");
        Ok(run);
        var root = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(["metrics.json"], root.EnumerateObject().Select(p => p.Name)); // ml/metrics.json, named from the workspace
        var all = await ObsProcess.RunAsync(_repo.PathOf("ml"), "metrics", "show", "--rev", "v1", "--json");
        Ok(all);
        Assert.Equal(["metrics.json"], JsonDocument.Parse(all.Stdout).RootElement.EnumerateObject().Select(p => p.Name)); // not ../outside.metrics.json
        Assert.Equal(0.05, root.GetProperty("metrics.json").GetProperty("acc").GetProperty("diff").GetDouble());
    }

    [Fact]
    public async Task UnknownRevisionsAndPathsWithoutMetrics_AreUsageErrors()
    {
        await TwoTaggedVersionsAsync();
        var rev = await ObsProcess.RunAsync(_repo.Root, "metrics", "diff", "v1", "v9");
        Assert.Equal(2, rev.ExitCode);
        Assert.Contains("revision 'v9' is not known to git", rev.Stderr);
        var path = await ObsProcess.RunAsync(_repo.Root, "metrics", "show", "--rev", "v1", "nowhere");
        Assert.Equal(2, path.ExitCode);
        Assert.Contains("no metrics file at 'nowhere' in v1", path.Stderr);
    }
}
