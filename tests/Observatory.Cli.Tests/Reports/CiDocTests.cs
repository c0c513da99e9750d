using System.Diagnostics;
using LibGit2Sharp;
using Observatory.Testing;

namespace Observatory.Cli.Tests.Reports;

/// <summary>
/// docs/ci.md runs the `obs` lines of its GitHub Actions and GitLab CI jobs here, as written, against a pull request of a real
/// repository (a clone with full history, a local folder remote): the doc cannot drift from what works.
/// </summary>
public sealed class CiDocTests : IDisposable
{
    private readonly GitSandbox _upstream = new("ci-upstream");
    private readonly TempDirectory _remote = new("ci-remote");
    private readonly TempDirectory _ci = new("ci-clone");
    private readonly TempDirectory _bin = new("ci-bin");

    private static void Ok(ObsRun run) => VersioningEndToEndTests.Ok(run);

    public void Dispose()
    {
        _upstream.Dispose();
        _remote.Dispose();
        _ci.Dispose();
        _bin.Dispose();
    }

    /// <summary>The `obs …` lines of each ```yaml block of docs/ci.md, in order (a GitLab list item's "- " dropped).</summary>
    internal static IReadOnlyList<IReadOnlyList<string>> ObsLinesOfTheDoc()
    {
        var doc = File.ReadAllText(Path.Combine(RepoLocator.Root, "docs", "ci.md")).ReplaceLineEndings("\n");
        var blocks = new List<IReadOnlyList<string>>();
        List<string>? current = null;
        foreach (var line in doc.Split('\n'))
        {
            if (current is null && line.StartsWith("```yaml", StringComparison.Ordinal)) current = [];
            else if (current is not null && line.StartsWith("```", StringComparison.Ordinal)) { blocks.Add(current); current = null; }
            else if (current is not null)
            {
                var command = line.TrimStart();
                if (command.StartsWith("- ", StringComparison.Ordinal)) command = command[2..];
                if (command.StartsWith("obs ", StringComparison.Ordinal)) current.Add(command);
            }
        }
        return blocks;
    }

    [Fact]
    public void TheDoc_HasAGitHubAndAGitLabJob_ThatValidateAndDiffAsMarkdown()
    {
        var blocks = ObsLinesOfTheDoc();
        Assert.Equal(2, blocks.Count);
        foreach (var block in blocks)
        {
            Assert.Contains(block, l => l.StartsWith("obs validate --md", StringComparison.Ordinal));
            Assert.Contains(block, l => l.StartsWith("obs diff ", StringComparison.Ordinal) && l.Contains(" HEAD --md", StringComparison.Ordinal));
        }
        var doc = File.ReadAllText(Path.Combine(RepoLocator.Root, "docs", "ci.md"));
        Assert.Contains("fetch-depth: 0", doc);
        Assert.Contains("GIT_DEPTH: \"0\"", doc);
    }

    public static TheoryData<int> Jobs => new() { 0, 1 };

    [Theory]
    [MemberData(nameof(Jobs))]
    public async Task TheDocsObsLines_OnAPullRequestClone_WriteTheValidationAndDiffReports(int job)
    {
        var baseSha = await PullRequestAsync();
        var lines = ObsLinesOfTheDoc()[job];
        var script = "set -euo pipefail\n" + string.Join("\n", lines) + "\n";
        var (exit, stdout, stderr) = await BashAsync(script, baseSha);
        Assert.True(exit == 0, $"the doc's obs lines failed ({exit}):\n{script}\n{stdout}\n{stderr}");

        // The reports the job posts: whatever files the doc writes them to, they hold the two Markdown reports.
        var written = Directory.GetFiles(_ci.Path, "*.md").Select(File.ReadAllText).ToList();
        var validation = Assert.Single(written, t => t.Contains("Validation of data/set", StringComparison.Ordinal));
        Assert.StartsWith("### ❌ Validation of data/set: 1 error", validation, StringComparison.Ordinal);
        Assert.Contains("**error `yolo.class_id`** (1)", validation, StringComparison.Ordinal);
        var diff = Assert.Single(written, t => t.StartsWith("### Dataset diff:", StringComparison.Ordinal));
        Assert.StartsWith($"### Dataset diff: {baseSha[..7]}", diff, StringComparison.Ordinal);
        Assert.Contains("**3 files changed**: 2 added, 0 deleted, 1 modified", diff, StringComparison.Ordinal);
        // The base's labels were fetched, so boxes were compared rather than skipped.
        Assert.DoesNotContain("Boxes not compared", diff, StringComparison.Ordinal);
        Assert.Contains("| dog | 1 | 0 | 0 | 0 | 0 | 1 | +1 |", diff, StringComparison.Ordinal);
    }

    /// <summary>main holds set@v1, pushed; the branch `feature` adds an image and a label with a bad class id, pushed; CI clones feature.</summary>
    private async Task<string> PullRequestAsync()
    {
        var root = _upstream.Root;
        _upstream.WriteFile("data/set/classes.txt", "cat\ndog\n");
        _upstream.WriteFile("data/set/images/a.png", PngBomb.Create(64, 64));
        _upstream.WriteFile("data/set/labels/a.txt", "0 0.2 0.2 0.2 0.2\n");
        Ok(await ObsProcess.RunAsync(root, "init"));
        Ok(await ObsProcess.RunAsync(root, "remote", "add", "store", _remote.Path, "--default"));
        Ok(await ObsProcess.RunAsync(root, "add", "data/set"));
        Ok(await ObsProcess.RunAsync(root, "commit", "-m", "set v1", "--tag"));
        Ok(await ObsProcess.RunAsync(root, "push"));
        string baseSha;
        using (var git = new Repository(root))
        {
            baseSha = git.Head.Tip.Sha;
            LibGit2Sharp.Commands.Checkout(git, git.CreateBranch("feature"));
        }
        _upstream.WriteFile("data/set/images/b.png", PngBomb.Create(65, 65));
        _upstream.WriteFile("data/set/labels/a.txt", "0 0.2 0.2 0.2 0.2\n1 0.7 0.7 0.2 0.2\n");
        _upstream.WriteFile("data/set/labels/b.txt", "7 0.5 0.5 0.4 0.4\n");
        Ok(await ObsProcess.RunAsync(root, "commit", "-m", "set: one more image", "--allow-invalid"));
        Ok(await ObsProcess.RunAsync(root, "push"));

        Repository.Clone(root, _ci.Path, new CloneOptions { BranchName = "feature" });
        Assert.False(Directory.Exists(Path.Combine(_ci.Path, "data", "set")), "the clone must start without the data, as CI does");
        return baseSha;
    }

    /// <summary>bash in the clone with `obs` on PATH (the tool the test built) and the variables the CI systems set.</summary>
    private async Task<(int Exit, string Stdout, string Stderr)> BashAsync(string script, string baseSha)
    {
        var obs = Path.Combine(_bin.Path, "obs");
        await File.WriteAllTextAsync(obs, $"#!/bin/sh\nexec dotnet '{ObsProcess.ObsDll}' \"$@\"\n");
        File.SetUnixFileMode(obs, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var psi = new ProcessStartInfo("bash") { WorkingDirectory = _ci.Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        psi.Environment["PATH"] = _bin.Path + ":" + Environment.GetEnvironmentVariable("PATH");
        psi.Environment["BASE_SHA"] = baseSha;
        psi.Environment["CI_MERGE_REQUEST_DIFF_BASE_SHA"] = baseSha;
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
