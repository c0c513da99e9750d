using Observatory.DataService.Core.Validation;
using Observatory.DataService.Imaging;
using Xunit.Abstractions;

namespace Observatory.DataService.Tests.Validation;

public sealed class DatasetValidatorTests(ITestOutputHelper output)
{
    private readonly DatasetValidator _validator = new(new SkiaImageInspector());

    [Fact]
    public async Task Validate_WhenCleanSampleDataset_ReportsOnlyTheClassBalance()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "voc"));
        DefectDataset.CreateClean(dir.Path);
        var report = await _validator.ValidateAsync(dir.Path, DefectDataset.RepoPath, TestImages.TreeOf(dir.Path), DefectDataset.Rules, null, null, CancellationToken.None);
        foreach (var f in report.Findings) output.WriteLine($"{f.Rule} {f.Path} {f.Line} {f.AnnotationId} {f.Message}");
        var finding = Assert.Single(report.Findings);
        Assert.Equal(RuleIds.ClassBalance, finding.Rule);
        Assert.Equal(Severity.Info, finding.Severity);
        Assert.False(report.HasErrors);
        Assert.Equal("yolo", report.ClassBalance!.Source);
        Assert.Equal(["circle", "square", "triangle"], report.ClassBalance.Classes.Select(c => c.Name));
    }

    [Fact]
    public async Task Validate_WhenEveryDefectInjected_ReportsExactlyTheInjectedFindings()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "voc"));
        var images = DefectDataset.CreateClean(dir.Path);
        var expected = DefectDataset.InjectAll(dir.Path, images);
        var report = await _validator.ValidateAsync(dir.Path, DefectDataset.RepoPath, TestImages.TreeOf(dir.Path), DefectDataset.Rules, null, null, CancellationToken.None);
        foreach (var f in report.Findings) output.WriteLine($"{f.Severity} {f.Rule} {f.Path} {f.Line} {f.AnnotationId} {f.Message}");
        var actual = report.Findings.Select(Expected.Of).ToList();
        var missed = expected.Except(actual).ToList();
        var extra = actual.Except(expected).ToList();
        Assert.True(missed.Count == 0 && extra.Count == 0,
            $"missed: {string.Join("; ", missed)}\nunexpected: {string.Join("; ", extra)}");
        Assert.Equal(actual.Count, actual.Distinct().Count() + 0); // no finding reported twice
        foreach (var f in report.Findings)
            Assert.Equal(DefectDataset.Rules.SeverityOf(f.Rule), f.Severity);
        Assert.True(report.HasErrors);
        Assert.Equal(report.Findings.Count(f => f.Severity == Severity.Error), report.Summary.Errors);
    }
}
