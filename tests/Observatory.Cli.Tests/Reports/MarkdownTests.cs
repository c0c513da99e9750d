using System.Text;
using System.Text.RegularExpressions;
using Observatory.Cli.Reports;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Validation;

namespace Observatory.Cli.Tests.Reports;

/// <summary>The pure Markdown renderers: escaping, and the limits that keep a big change inside one pull-request comment.</summary>
public sealed partial class MarkdownTests
{
    [Fact]
    public void Text_EscapesPipes_SoAPathWithPipesStaysOneTableCell()
    {
        var sb = new StringBuilder();
        Markdown.Table(sb, ["Path", "Size"], [[Markdown.Text("a|b|c.png"), "1"]]);
        var row = sb.ToString().Split('\n')[2];
        // GFM splits a row on pipes not preceded by a backslash.
        Assert.Equal(["", " a\\|b\\|c.png ", " 1 ", ""], UnescapedPipe().Split(row));
    }

    [Theory]
    [InlineData("x_y_.png", "x\\_y\\_.png")]
    [InlineData("*bold* [link](u) <b>", "\\*bold\\* \\[link\\](u) \\<b\\>")]
    [InlineData("a`b\\c", "a\\`b\\\\c")]
    [InlineData("line\r\nbreak\ttab", "line break tab")]
    [InlineData("@team #12 &amp; ~~x~~", "\\@team \\#12 \\&amp; \\~\\~x\\~\\~")]
    [InlineData("plain/path-1.0 (v2), ok", "plain/path-1.0 (v2), ok")]
    public void Text_EscapesWhatMarkdownWouldInterpret_AndKeepsOneLine(string value, string expected) =>
        Assert.Equal(expected, Markdown.Text(value));

    [Fact]
    public void Validation_ListsTheFirstExamplesOfEachRule_ThenHowManyMore()
    {
        var findings = Enumerable.Range(1, 8).Select(i => new ValidationFinding("pair.missing_label", Severity.Warning, $"data/s/images/{i}|x.png", "no label"))
            .Append(new ValidationFinding("yolo.class_id", Severity.Error, "data/s/labels/1.txt", "class 5 | bad", 3))
            .ToList();
        var md = MarkdownReports.Validation([new ValidationReport("data/s", 16, ValidationSummary.Of(findings), findings)], examplesPerRule: 5);
        var lines = md.Split('\n');
        Assert.StartsWith("### ❌ Validation of data/s: 1 error, 8 warnings", lines[0], StringComparison.Ordinal);
        // Errors first, in the summary table and in the examples.
        Assert.True(md.IndexOf("**error `yolo.class_id`** (1)", StringComparison.Ordinal) < md.IndexOf("**warning `pair.missing_label`** (8)", StringComparison.Ordinal));
        Assert.Contains("| error | `yolo.class_id` | 1 |", md, StringComparison.Ordinal);
        Assert.Contains("- data/s/labels/1.txt:3: class 5 \\| bad", lines);
        Assert.Equal(5, lines.Count(l => l.StartsWith("- data/s/images/", StringComparison.Ordinal)));
        Assert.Contains("- data/s/images/5\\|x.png: no label", lines);
        Assert.DoesNotContain("- data/s/images/6\\|x.png: no label", lines);
        Assert.Contains("- … and 3 more", lines);
    }

    [Fact]
    public void Validation_Clean_IsATickAndNoTable()
    {
        var md = MarkdownReports.Validation([new ValidationReport("data/s", 4, ValidationSummary.Of([]), [])]);
        Assert.Equal("### ✅ Validation of data/s: 0 errors, 0 warnings\n\n4 files checked · 0 errors · 0 warnings · 0 info\n", md);
    }

    [Fact]
    public void Diff_WithoutChanges_SaysSo()
    {
        var md = MarkdownReports.Diff(new DiffResult("v1", "v2", new TreeChanges([], [], []), new AnnotationSummary(0, 0, 0)), 0.5);
        Assert.Equal("### Dataset diff: v1 → v2\n\nNo files changed.\n", md);
    }

    [Fact]
    public void Diff_OfManyFiles_ListsTheFirstFifty_AndCountsTheRest()
    {
        var hash = ContentHash.Compute("x"u8);
        var added = Enumerable.Range(0, 120).Select(i => new FileChange($"d/{i:000}.png", null, new TreeEntry($"{i:000}.png", hash, 2048))).ToList();
        var md = MarkdownReports.Diff(new DiffResult("v1", "v2", new TreeChanges(added, [], []), new AnnotationSummary(0, 0, 0)), 0.5);
        Assert.Contains("**120 files changed**: 120 added, 0 deleted, 0 modified · +240.0 KiB −0 B", md, StringComparison.Ordinal);
        Assert.Equal(MarkdownReports.MaxListed, md.Split('\n').Count(l => l.StartsWith("| added |", StringComparison.Ordinal)));
        Assert.Contains("| added | d/049.png | 2.0 KiB |", md, StringComparison.Ordinal);
        Assert.DoesNotContain("d/050.png", md, StringComparison.Ordinal);
        Assert.Contains("… and 70 more (see `obs diff --json`)", md, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex UnescapedPipe();
}
