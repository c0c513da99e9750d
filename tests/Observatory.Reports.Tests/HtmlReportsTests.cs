using System.Text.RegularExpressions;
using Observatory.DataService.Core.Queries;

namespace Observatory.Reports.Tests;

/// <summary>The renderer alone: everything user-given is encoded, nothing refers outside the file, and the sections carry their figures.</summary>
public sealed partial class HtmlReportsTests
{
    private static string DatasetHtml => HtmlReports.Render(ReportSamples.Datasets());
    private static string WindowHtml => HtmlReports.Render(ReportSamples.Window());

    // An attribute inside a tag (a real quote follows "="); the same words in encoded text read src=&quot;… and are not attributes.
    [GeneratedRegex("""\s(src|href|srcset|action|formaction|poster|data|xlink:href)\s*=\s*["']([^"']*)""", RegexOptions.IgnoreCase)]
    private static partial Regex UrlAttributes();

    public static TheoryData<string> Both => new() { "datasets", "window" };

    private static string Html(string which) => which == "datasets" ? DatasetHtml : WindowHtml;

    [Theory]
    [MemberData(nameof(Both))]
    public void Report_EncodesScriptInFileNamesClassNamesAndMessages(string which)
    {
        var html = Html(which);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img src=\"https://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onerror=\"", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("onerror=&quot;alert(2)&quot;", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Report_RefersToNothingOutsideTheFile(string which)
    {
        var html = Html(which);
        var urls = UrlAttributes().Matches(html).Select(m => (Attribute: m.Groups[1].Value, Value: m.Groups[2].Value)).ToList();
        Assert.NotEmpty(urls);
        // Every URL attribute is an inline raster image; no link, no script, no stylesheet, no font, no protocol-relative //host.
        Assert.All(urls, u => Assert.True(u.Attribute.Equals("src", StringComparison.OrdinalIgnoreCase) && Regex.IsMatch(u.Value, "^data:image/(png|jpeg|gif|webp|bmp);base64,"), $"{u.Attribute}={u.Value}"));
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<iframe", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"<meta http-equiv=\"Content-Security-Policy\" content=\"{HtmlReports.ContentSecurityPolicy}\">", html);
        Assert.StartsWith("default-src 'none';", HtmlReports.ContentSecurityPolicy, StringComparison.Ordinal);
    }

    [Fact]
    public void DatasetReport_ShowsDiffCountsClassBalanceBoxChangesAndFindingsWithThumbnails()
    {
        var html = DatasetHtml;
        Assert.Contains("<b data-testid=\"diff-added\">1</b>", html);
        Assert.Contains("<b data-testid=\"diff-deleted\">1</b>", html);
        Assert.Contains("<b data-testid=\"diff-modified\">1</b>", html);
        Assert.Contains("added (2 KB)", html);
        // Class balance: the chart has one group per class, the table the counts on both sides and the change.
        Assert.Contains("data-testid=\"class-balance-chart\"", html);
        Assert.Equal(3, Regex.Matches(html, "<g data-label=").Count(m => m.Index > html.IndexOf("class-balance-chart", StringComparison.Ordinal) && m.Index < html.IndexOf("data-testid=\"class-balance\"", StringComparison.Ordinal)));
        Assert.Contains("<tr><td>dog <span class=\"muted\">(1)</span></td><td class=\"n\">2</td><td class=\"n\">4</td><td class=\"n\">+2</td>", html);
        Assert.Contains("<tr><td>cat</td><td class=\"n\">0</td><td class=\"n\">1</td><td class=\"n\">1</td><td class=\"n\">1</td><td class=\"n\">2 → 2</td></tr>", html);
        Assert.Contains("v1: 0 errors, 0 warnings → v2: 1 error, 1 warning", html);
        // The error comes first, with its image and the flagged row emphasised.
        var findings = html[html.IndexOf("data-testid=\"findings\"", StringComparison.Ordinal)..];
        Assert.True(findings.IndexOf("yolo.coordinate_range", StringComparison.Ordinal) < findings.IndexOf("image.duplicate", StringComparison.Ordinal));
        Assert.Contains("data-testid=\"finding-thumbnail\"", findings);
        Assert.Contains("class=\"box c2 hl\"", findings);
        Assert.Contains("class=\"box c0 dim\"", findings);
        Assert.Single(Regex.Matches(html, "data-testid=\"relabelled\""));
    }

    [Fact]
    public void DatasetReport_LongTables_AreCutWithACount()
    {
        var sample = ReportSamples.Datasets();
        var many = Enumerable.Range(0, HtmlReports.MaxRows + 5).Select(i => new ChangedFile($"data/set/images/{i:D4}.png", "added", null, new string('a', 64), null, 10)).ToList();
        var comparison = sample.Datasets[0] with { Diff = sample.Datasets[0].Diff with { Files = many } };
        var html = HtmlReports.Render(sample with { Datasets = [comparison] });
        Assert.Equal(HtmlReports.MaxRows, Regex.Matches(html, "<span class=\"badge added\">").Count);
        Assert.Contains("… and 5 more", html);
    }

    [Fact]
    public void WindowReport_ShowsVerdictMethodsShareImageStatisticsClassesConfidenceAndOutliers()
    {
        var html = WindowHtml;
        Assert.Contains("<span class=\"verdict drifted\" data-testid=\"verdict\">Drift detected</span>", html);
        Assert.Contains("data-testid=\"share-drifted-chart\"", html);
        Assert.Contains("37.5 %", html);
        Assert.Contains("<tr data-testid=\"method\" data-method=\"mmd\"><td><code>mmd</code></td><td class=\"n\">0.042</td><td class=\"n\">0.001</td><td class=\"n\">0.05</td>", html);
        Assert.Contains("The verdict is <code>ks</code>'s.", html);
        Assert.Contains("data-testid=\"image-statistics-chart\"", html);
        Assert.Contains("brightness (moved)", html);
        Assert.Contains("0.52 → 0.31", html);
        // Each statistic on its own scale: brightness' larger mean fills the plot (460 px), its window mean 0.31/0.52 of it.
        var brightness = Regex.Match(html, "<g data-label=\"brightness \\(moved\\)\">.*?</g>").Value;
        Assert.Contains("class=\"bar-ref\" x=\"170\" y=\"3\" width=\"460\"", brightness);
        Assert.Contains("width=\"274.2\"", brightness);
        Assert.Contains("events before 2026-01-05 09:00 UTC", html);
        // Class ids become the model's names; a name is user text like any other.
        Assert.Contains("data-label=\"circle\"", html);
        Assert.Contains("data-label=\"&lt;script&gt;alert(1)&lt;/script&gt;\"", html);
        Assert.Contains("data-testid=\"confidence-chart\"", html);
        Assert.Equal(2, Regex.Matches(html, "data-testid=\"outlier\"").Count);
        Assert.Single(Regex.Matches(html, "data-testid=\"outlier-thumbnail\""));
        Assert.Contains("(no image kept)", html);
        Assert.Single(Regex.Matches(html, "data-testid=\"typical-thumbnail\""));
    }

    [Fact]
    public void WindowReport_WithoutDrift_SaysSo()
    {
        var html = HtmlReports.Render(ReportSamples.Window(drifted: false));
        Assert.Contains("<span class=\"verdict stable\" data-testid=\"verdict\">No drift detected</span>", html);
    }

    [Fact]
    public void Verdict_IsTheReportsOwn_ElseAnyMethods()
    {
        var run = ReportSamples.Window(drifted: false).Run;
        var quiet = run.Embedding!;
        Assert.False(ReportVerdict.Drifted(quiet));
        // No recorded verdict: any drifted method counts.
        var unrecorded = quiet with { Drifted = null, Methods = [.. quiet.Methods, quiet.Methods[0] with { Method = "psi", Drifted = true }] };
        Assert.True(ReportVerdict.Drifted(unrecorded));
        // A recorded verdict is the report's, whatever a method that did not decide it says.
        Assert.False(ReportVerdict.Drifted(unrecorded with { Drifted = false }));
        Assert.True(ReportVerdict.Drifted(run with { Embedding = unrecorded }));
        // The service's stored flag wins; image statistics alone are a diagnostic, not drift.
        Assert.True(ReportVerdict.Drifted(run, storedFlag: true));
        Assert.False(ReportVerdict.Drifted(run, storedFlag: false));
    }

    [Fact]
    public void Images_OnlyBrowserRasters_AreEmbedded()
    {
        var image = new AnnotatedImage("data/set/images/a.svg", new string('a', 64), 10, null, []);
        Assert.Null(ReportImage.From(image, "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"u8.ToArray()));
        Assert.Null(ReportImage.From(image, new byte[ReportImage.MaxBytes + 1]));
        Assert.Equal("image/png", ReportImage.From(image, ReportSamples.Png)!.ContentType);
        Assert.Equal("image/jpeg", ReportImage.Sniff([0xFF, 0xD8, 0xFF, 0xE0]));
    }

    [Fact]
    public void Render_IsDeterministic()
    {
        Assert.Equal(DatasetHtml, DatasetHtml);
        Assert.Equal(WindowHtml, WindowHtml);
    }
}
