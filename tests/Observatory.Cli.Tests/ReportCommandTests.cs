using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Observatory.Monitoring.Core.Drift;
using Observatory.Monitoring.Core.IO;
using Observatory.Testing;

namespace Observatory.Cli.Tests;

/// <summary>`obs report` end to end: the real `obs` process, a real git repository with two committed versions, real .npy files.</summary>
public sealed class ReportCommandTests : IDisposable
{
    private const string HostileName = "<img src=x onerror=alert(1)>.png";
    private const string HostileClass = "<script>alert(1)</script>";
    private readonly GitSandbox _repo = new("report");

    private static void Ok(ObsRun run) => VersioningEndToEndTests.Ok(run);

    public void Dispose() => _repo.Dispose();

    /// <summary>v1: two images; v2: a box moved and relabelled, a box reaching outside its image (a validation error), an image with a hostile name.</summary>
    private async Task TwoVersionsAsync()
    {
        var root = _repo.Root;
        _repo.WriteFile("data/set/classes.txt", $"cat\n{HostileClass}\n");
        _repo.WriteFile("data/set/images/a.png", PngBomb.Create(64, 64));
        _repo.WriteFile("data/set/images/b.png", PngBomb.Create(65, 65));
        _repo.WriteFile("data/set/labels/a.txt", "0 0.2 0.2 0.2 0.2\n1 0.7 0.7 0.2 0.2\n");
        _repo.WriteFile("data/set/labels/b.txt", "1 0.5 0.5 0.4 0.4\n");
        Ok(await ObsProcess.RunAsync(root, "init"));
        Ok(await ObsProcess.RunAsync(root, "add", "data/set"));
        Ok(await ObsProcess.RunAsync(root, "commit", "-m", "set v1", "--tag"));
        _repo.WriteFile("data/set/labels/a.txt", "0 0.3 0.2 0.2 0.2\n0 0.7 0.7 0.2 0.2\n");
        _repo.WriteFile("data/set/labels/b.txt", "1 0.95 0.5 0.4 0.4\n");
        _repo.WriteFile($"data/set/images/{HostileName}", PngBomb.Create(66, 66));
        Ok(await ObsProcess.RunAsync(root, "commit", "-m", "set v2", "--tag", "--allow-invalid"));
    }

    [Fact]
    public async Task Datasets_TwoVersions_WriteOneSelfContainedFileWithDiffClassBalanceAndFindingsWithThumbnails()
    {
        await TwoVersionsAsync();
        var run = await ObsProcess.RunAsync(_repo.Root, "report", "set@v1", "set@v2", "-o", "out/report.html");
        Ok(run);
        Assert.Equal("", run.Stdout);
        Assert.Contains("obs report: comparing data/set set@v1 → set@v2", run.Stderr);
        Assert.Contains("obs report: wrote ", run.Stderr);
        var html = File.ReadAllText(_repo.PathOf("out/report.html"));
        Assert.Contains("data-dataset=\"data/set\"", html);
        Assert.Contains("<b data-testid=\"diff-added\">1</b>", html);
        Assert.Contains("<b data-testid=\"diff-modified\">2</b>", html);
        // Class balance before → after: cat 1 → 2, the second class 2 → 1 (one box relabelled).
        Assert.Contains("<tr><td>cat <span class=\"muted\">(0)</span></td><td class=\"n\">1</td><td class=\"n\">2</td><td class=\"n\">+1</td>", html);
        Assert.Contains("<td class=\"n\">2</td><td class=\"n\">1</td><td class=\"n\">-1</td>", html);
        Assert.Contains("data-testid=\"class-balance-chart\"", html);
        Assert.Contains("data-testid=\"box-changes\"", html);
        // v1 validated clean; v2 has the box reaching outside, shown with its image (inline) and the flagged box emphasised.
        Assert.Matches("set@v1: 0 errors, \\d+ warnings? → set@v2: [1-9]\\d* errors?,", html);
        Assert.Contains("yolo.box_outside", html);
        Assert.Contains("data-testid=\"finding-thumbnail\"", html);
        Assert.Contains("src=\"data:image/png;base64,", html);
        Assert.Contains("box c1 hl", html);
        Assert.Contains("data-testid=\"relabelled\"", html);
        // The hostile file name and class name are text, not markup.
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;.png", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Empty(Regex.Matches(html, """\s(src|href)\s*=\s*"(?!data:image/png;base64,)"""));
        // Nothing left behind but the report itself.
        Assert.Equal(["report.html"], Directory.GetFiles(_repo.PathOf("out")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Datasets_UnknownRevisionOrDataset_ExitsTwoWithOneLine_AndWritesNothing()
    {
        await TwoVersionsAsync();
        var unknown = await ObsProcess.RunAsync(_repo.Root, "report", "set@v1", "nope", "-o", "r.html");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Equal("obs report: to: revision 'nope' is not known to git", unknown.Stderr.Trim().Split('\n')[^1]);
        var missing = await ObsProcess.RunAsync(_repo.Root, "report", "set@v1", "set@v2", "-p", "data/other", "-o", "r.html");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("data/other", missing.Stderr);
        var none = await ObsProcess.RunAsync(_repo.Root, "report", "-o", "r.html");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("say what to report", none.Stderr);
        var both = await ObsProcess.RunAsync(_repo.Root, "report", "set@v1", "--drift", "-o", "r.html");
        Assert.Equal(2, both.ExitCode);
        Assert.False(File.Exists(_repo.PathOf("r.html")));
    }

    [Fact]
    public async Task Datasets_AFailedRun_LeavesThePreviousReportWhole()
    {
        await TwoVersionsAsync();
        Ok(await ObsProcess.RunAsync(_repo.Root, "report", "set@v1", "set@v2", "-o", "r.html"));
        var before = File.ReadAllText(_repo.PathOf("r.html"));
        Assert.Equal(2, (await ObsProcess.RunAsync(_repo.Root, "report", "set@v1", "nope", "-o", "r.html")).ExitCode);
        Assert.Equal(before, File.ReadAllText(_repo.PathOf("r.html")));
    }

    private string Npy(string name, int rows, int cols, double shift, int seed)
    {
        var rng = new MathNet.Numerics.Random.MersenneTwister(seed);
        var data = new double[rows * cols];
        MathNet.Numerics.Distributions.Normal.Samples(rng, data, 0, 1);
        for (var k = 0; k < data.Length; k += cols) data[k] += shift; // dimension 0 only
        var path = _repo.PathOf(name);
        NpyWriter.Write(path, new DataMatrix(rows, cols, data));
        return path;
    }

    /// <summary>Shifted: every method flags it. Identical samples (same seed): none does.</summary>
    [Theory]
    [InlineData(1.5, 2, true)]
    [InlineData(0.0, 1, false)]
    public async Task Drift_TwoNpyFiles_ShowsTheMethodsObsDriftComputes_AndItsVerdict(double shift, int seed, bool drifted)
    {
        var a = Npy("a.npy", 300, 8, 0, 1);
        var b = Npy("b.npy", 300, 8, shift, seed);
        var run = await ObsProcess.RunAsync(_repo.Root, "report", "--drift", "--reference", a, "--current", b, "-o", "drift.html");
        Ok(run);
        var html = File.ReadAllText(_repo.PathOf("drift.html"));
        // The same defaults as `obs drift`: every method's statistic and verdict in the report is the one it prints.
        var json = await ObsProcess.RunAsync(_repo.Root, "drift", "--reference", a, "--current", b, "--json");
        Ok(json);
        var methods = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("methods").EnumerateArray().ToList();
        Assert.Equal(DriftMethodNames.Default.Count, methods.Count);
        foreach (var m in methods)
        {
            var name = m.GetProperty("method").GetString()!;
            var row = Regex.Match(html, $"<tr data-testid=\"method\" data-method=\"{name}\">.*?</tr>").Value;
            Assert.Contains($"<td class=\"n\">{m.GetProperty("statistic").GetDouble().ToString("0.####", CultureInfo.InvariantCulture)}</td>", row);
            Assert.Contains(m.GetProperty("drifted").GetBoolean() ? ">drifted</span>" : ">stable</span>", row);
        }
        Assert.Equal(drifted, JsonDocument.Parse(json.Stdout).RootElement.GetProperty("drift").GetBoolean());   // the verdict is obs drift's own, not "any method"
        Assert.Contains(drifted ? "data-testid=\"verdict\">Drift detected" : "data-testid=\"verdict\">No drift detected", html);
        Assert.Contains("data-testid=\"share-drifted-chart\"", html);
        Assert.Equal(WindowReportsOutliers, Regex.Matches(html, "data-testid=\"outlier\"").Count);
        Assert.Contains("a.npy → b.npy", html);
    }

    private const int WindowReportsOutliers = Observatory.Reports.WindowReports.OutlierCount;

    [Fact]
    public async Task Drift_BadInput_ExitsTwoWithOneLine()
    {
        var a = Npy("a.npy", 50, 4, 0, 1);
        var b = Npy("b.npy", 50, 3, 0, 2);
        var mismatch = await ObsProcess.RunAsync(_repo.Root, "report", "--drift", "--reference", a, "--current", b, "-o", "d.html");
        Assert.Equal(2, mismatch.ExitCode);
        Assert.Single(mismatch.Stderr.Trim().Split('\n'));
        Assert.Contains("same number of columns", mismatch.Stderr);
        var absent = await ObsProcess.RunAsync(_repo.Root, "report", "--drift", "--reference", a, "--current", "nope.npy", "-o", "d.html");
        Assert.Equal(2, absent.ExitCode);
        Assert.Contains("nope.npy: no such file", absent.Stderr);
        var half = await ObsProcess.RunAsync(_repo.Root, "report", "--drift", "--reference", a, "-o", "d.html");
        Assert.Equal(2, half.ExitCode);
        Assert.Contains("--current", half.Stderr);
        var window = await ObsProcess.RunAsync(_repo.Root, "report", "--service", "http://127.0.0.1:9", "--model", "m", "--window", "yesterday", "-o", "d.html");
        Assert.Equal(2, window.ExitCode);
        Assert.Contains("--window 'yesterday' is not an ISO 8601 time", window.Stderr);
        Assert.False(File.Exists(_repo.PathOf("d.html")));
    }
}
