using System.Text.Json;
using Observatory.DataService.Core.Validation;
using Observatory.DataService.Imaging;

namespace Observatory.DataService.Tests.Validation;

public sealed class ReportTests
{
    private static ValidationReport Sample()
    {
        ValidationFinding[] findings =
        [
            new(RuleIds.ImageCorrupt, Severity.Error, "data/ds/images/a.jpg", "corrupt Jpeg: x"),
            new(RuleIds.YoloRange, Severity.Error, "data/ds/labels/a.txt", "coordinate 1.5 outside [0, 1]", Line: 3),
            new(RuleIds.CocoArea, Severity.Error, "data/ds/annotations/i.json", "area 0", AnnotationId: "42"),
            new(RuleIds.ImageDuplicate, Severity.Warning, "data/ds/images/b.jpg", "identical to data/ds/images/c.jpg"),
            new(RuleIds.ClassBalance, Severity.Info, "data/ds", "objects per class"),
        ];
        return new ValidationReport("data/ds", 12, ValidationSummary.Of(findings), findings,
            new ClassBalance("yolo", [new("cat", 0, 30), new("dog", 1, 10)], 3));
    }

    [Fact]
    public void Json_FollowsTheDocumentedContract()
    {
        using var doc = JsonDocument.Parse(ValidationJson.Serialize(Sample(), indented: false));
        var root = doc.RootElement;
        Assert.Equal(["dataset", "files", "summary", "findings", "class_balance"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("data/ds", root.GetProperty("dataset").GetString());
        Assert.Equal(12, root.GetProperty("files").GetInt32());
        var summary = root.GetProperty("summary");
        Assert.Equal(3, summary.GetProperty("errors").GetInt32());
        Assert.Equal(1, summary.GetProperty("warnings").GetInt32());
        Assert.Equal(1, summary.GetProperty("by_rule").GetProperty("image.duplicate").GetInt32());
        var findings = root.GetProperty("findings").EnumerateArray().ToList();
        Assert.Equal(["rule", "severity", "path", "message"], findings[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["rule", "severity", "path", "line", "message"], findings[1].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["rule", "severity", "path", "annotation_id", "message"], findings[2].EnumerateObject().Select(p => p.Name));
        Assert.Equal("error", findings[0].GetProperty("severity").GetString());
        Assert.Equal("info", findings[4].GetProperty("severity").GetString());
    }

    [Fact]
    public void Json_RoundTripsThroughTheStoredObject()
    {
        var report = Sample();
        var back = ValidationJson.Deserialize(ValidationJson.SerializeToUtf8Bytes(report));
        Assert.Equal(ValidationJson.Serialize(report), ValidationJson.Serialize(back));
        Assert.True(back.HasErrors);
    }

    [Fact]
    public void Formatter_GroupsFindingsByRuleWithCountsErrorsFirst()
    {
        var text = ValidationReportFormatter.Format(Sample());
        Assert.StartsWith("Validated data/ds: 12 files — 3 errors, 1 warning, 1 info", text);
        Assert.Contains("data/ds/labels/a.txt:3: coordinate 1.5", text);
        Assert.Contains("data/ds/annotations/i.json [42]: area 0", text);
        Assert.True(text.IndexOf("error coco.area (1)", StringComparison.Ordinal) < text.IndexOf("warning image.duplicate (1)", StringComparison.Ordinal));
        Assert.Contains("Class balance (yolo), imbalance ratio 3", text);
    }

    [Fact]
    public async Task Formatter_WhenARuleHasManyFindings_ListsTheFirstAndCountsTheRest()
    {
        using var dir = new TempDir();
        for (var i = 0; i < 30; i++) dir.Write($"images/x{i:D2}.jpg", []);
        var report = await new DatasetValidator(new SkiaImageInspector()).ValidateAsync(dir.Path, "d", TestImages.TreeOf(dir.Path), ValidationRules.Default, null, null, CancellationToken.None);
        var text = ValidationReportFormatter.Format(report, maxPerRule: 5);
        Assert.Contains("… 25 more (see --json)", text);
        Assert.Equal(30, report.Summary.ByRule[RuleIds.ImageEmpty]);
    }
}
