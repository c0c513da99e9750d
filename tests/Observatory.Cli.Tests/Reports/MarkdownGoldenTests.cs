using System.Text.RegularExpressions;
using Observatory.Testing;

namespace Observatory.Cli.Tests.Reports;

/// <summary>
/// Every <c>--md</c> output, byte for byte against committed golden files, from the real `obs` process on a real repository.
/// Commit ids and dates (the only values that change run to run) are normalised. OBS_UPDATE_GOLDEN=1 rewrites the files after an
/// intended change; review the diff of Golden/*.md as a reviewer would read the pull-request comment.
/// </summary>
public sealed partial class MarkdownGoldenTests(ReportRepository repo) : IClassFixture<ReportRepository>
{
    [Theory]
    [InlineData("diff.md", 0, new[] { "diff", "set@v1", "set@v2", "--md" })]
    [InlineData("validate.md", 1, new[] { "validate", "--md" })]
    [InlineData("validate-v1.md", 1, new[] { "validate", "--rev", "set@v1", "--md" })]
    [InlineData("log.md", 0, new[] { "log", "--md" })]
    [InlineData("metrics-show.md", 0, new[] { "metrics", "show", "--rev", "run-2", "--md" })]
    [InlineData("metrics-diff.md", 0, new[] { "metrics", "diff", "run-1", "run-2", "--md" })]
    public async Task Md_MatchesTheGoldenFile(string golden, int exitCode, string[] args)
    {
        var run = await ObsProcess.RunAsync(repo.Root, args);
        Assert.True(run.ExitCode == exitCode, run.ToString());
        AssertGolden(golden, Normalise(run.Stdout));
    }

    [Theory]
    [InlineData("diff", "set@v1", "set@v2")]
    [InlineData("validate")]
    [InlineData("log")]
    [InlineData("metrics", "show")]
    [InlineData("metrics", "diff", "run-1", "run-2")]
    public async Task Md_WithJson_IsAUsageError(params string[] args)
    {
        var run = await ObsProcess.RunAsync(repo.Root, [.. args, "--md", "--json"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--json and --md cannot be used together", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Theory]
    [InlineData("diff", "set@v1", "set@v2")]
    [InlineData("validate")]
    [InlineData("log")]
    [InlineData("metrics", "show")]
    [InlineData("metrics", "diff", "run-1", "run-2")]
    public async Task Csv_WithMdOrJson_IsAUsageError(params string[] args)
    {
        Assert.Equal(2, (await ObsProcess.RunAsync(repo.Root, [.. args, "--csv", "--md"])).ExitCode);
        Assert.Equal(2, (await ObsProcess.RunAsync(repo.Root, [.. args, "--csv", "--json"])).ExitCode);
    }

    /// <summary>Commit ids and commit dates, the values a fresh repository changes; everything else must be stable.</summary>
    internal static string Normalise(string markdown) =>
        DateTime().Replace(CommitId().Replace(markdown.ReplaceLineEndings("\n"), "`<commit>`"), "<date>");

    internal static void AssertGolden(string name, string actual)
    {
        var path = Path.Combine(RepoLocator.Root, "tests", "Observatory.Cli.Tests", "Reports", "Golden", name);
        if (Environment.GetEnvironmentVariable("OBS_UPDATE_GOLDEN") == "1") File.WriteAllText(path, actual);
        Assert.True(File.Exists(path), $"{path} is missing; run the test with OBS_UPDATE_GOLDEN=1 to write it");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    [GeneratedRegex("`[0-9a-f]{10}`")]
    private static partial Regex CommitId();

    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b")]
    private static partial Regex DateTime();
}
