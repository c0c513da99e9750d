using System.Text;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Validation;
using Observatory.DataService.Imaging;

namespace Observatory.DataService.Tests.Validation;

/// <summary>Hostile input of every kind ends as a finding: no exception, no hang, no runaway memory.</summary>
public sealed class MalformedInputTests
{
    private readonly DatasetValidator _validator = new(new SkiaImageInspector());

    private async Task<ValidationReport> ValidateAsync(TempDir dir, ValidationRules? rules = null, IReadOnlyList<TreeEntry>? files = null) =>
        await _validator.ValidateAsync(dir.Path, "d", files ?? TestImages.TreeOf(dir.Path), rules ?? ValidationRules.Default, null, null, CancellationToken.None);

    [Fact]
    public async Task Validate_WhenVocIsBillionLaughs_ReportsSyntaxWithoutExpandingEntities()
    {
        using var dir = new TempDir();
        dir.Write("voc/lol.xml", DefectDataset.BillionLaughs);
        var report = await ValidateAsync(dir);
        var f = Assert.Single(report.Findings);
        Assert.Equal(RuleIds.VocSyntax, f.Rule);
        Assert.Contains("DTD", f.Message);
    }

    [Fact]
    public async Task Validate_WhenVocUsesExternalEntity_DoesNotReadTheFile()
    {
        using var dir = new TempDir();
        dir.Write("voc/xxe.xml", """<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><annotation><filename>&x;</filename></annotation>""");
        var report = await ValidateAsync(dir);
        Assert.Equal(RuleIds.VocSyntax, Assert.Single(report.Findings).Rule);
        Assert.DoesNotContain("root:", report.Findings[0].Message);
    }

    [Fact]
    public async Task Validate_WhenVocNestsDeeply_RefusesAtTheDepthLimit()
    {
        using var dir = new TempDir();
        dir.Write("voc/deep.xml", "<annotation>" + string.Concat(Enumerable.Repeat("<object>", 300_000)) + string.Concat(Enumerable.Repeat("</object>", 300_000)) + "</annotation>");
        var report = await ValidateAsync(dir);
        var f = Assert.Single(report.Findings);
        Assert.Equal(RuleIds.VocSyntax, f.Rule);
        Assert.Contains("max_xml_depth", f.Message);
    }

    [Fact]
    public async Task Validate_WhenDataYamlNestsDeeply_ReportsClassListWithoutOverflowingTheStack()
    {
        using var dir = new TempDir();
        dir.Write("data.yaml", "names: " + new string('[', 500_000));
        var report = await ValidateAsync(dir);
        var f = Assert.Single(report.Findings);
        Assert.Equal((RuleIds.YoloClassList, "d/data.yaml"), (f.Rule, f.Path));
        Assert.Throws<Observatory.DataService.Core.Errors.UsageException>(() => ValidationRules.FromConfigYaml("validation: " + new string('[', 500_000)));
    }

    [Fact]
    public async Task Validate_WhenJsonNestsDeeply_ReportsSyntaxAtTheDepthLimit()
    {
        using var dir = new TempDir();
        dir.Write("annotations/arrays.json", new string('[', 200_000) + new string(']', 200_000));
        dir.Write("annotations/objects.json", string.Concat(Enumerable.Repeat("{\"a\":", 100_000)) + "1" + new string('}', 100_000));
        var report = await ValidateAsync(dir);
        Assert.Equal(2, report.Findings.Count);
        Assert.All(report.Findings, f => Assert.Equal(RuleIds.JsonSyntax, f.Rule));
        Assert.All(report.Findings, f => Assert.Contains("depth", f.Message));
    }

    [Fact]
    public async Task Validate_WhenJsonIsTwoGigabytes_RefusesWithoutReadingIt()
    {
        using var dir = new TempDir();
        var path = dir.Write("annotations/huge.json", []);
        using (var fs = new FileStream(path, FileMode.Open)) fs.SetLength(2L * 1024 * 1024 * 1024 + 7); // sparse: no disk used
        var entry = new TreeEntry("annotations/huge.json", ContentHash.Compute([]), new FileInfo(path).Length);
        var report = await ValidateAsync(dir, files: [entry]);
        var f = Assert.Single(report.Findings);
        Assert.Equal(RuleIds.AnnotationTooLarge, f.Rule);
        // A tree entry that lies about the size (file grew after hashing) is caught by the size on disk.
        var lying = await ValidateAsync(dir, files: [entry with { Size = 10 }]);
        Assert.Equal(RuleIds.AnnotationTooLarge, Assert.Single(lying.Findings).Rule);
    }

    [Fact]
    public async Task Validate_WhenHeadersClaimHugeDimensions_RefusesEveryFormatBeforeDecoding()
    {
        using var dir = new TempDir();
        dir.Write("images/a.png", TestImages.Png(4, 4, 2, 8, seed: 1, headerWidth: 1_000_000, headerHeight: 1_000_000));
        var bmp = new byte[54];
        "BM"u8.CopyTo(bmp);
        BitConverter.GetBytes(40).CopyTo(bmp, 14);
        BitConverter.GetBytes(100_000).CopyTo(bmp, 18);
        BitConverter.GetBytes(-100_000).CopyTo(bmp, 22);
        BitConverter.GetBytes((short)24).CopyTo(bmp, 28);
        dir.Write("images/b.bmp", bmp);
        dir.Write("images/c.gif", [.. "GIF89a"u8, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0x3B]);
        var report = await ValidateAsync(dir);
        Assert.Equal(3, report.Findings.Count);
        Assert.All(report.Findings, f => Assert.Equal(RuleIds.ImageTooLarge, f.Rule));
    }

    [Fact]
    public async Task Validate_WhenEveryFileIsGarbage_ReportsAFindingPerFile()
    {
        using var dir = new TempDir();
        var rng = new Random(5);
        byte[] Garbage(int n) { var b = new byte[n]; rng.NextBytes(b); b[0] = 0; return b; }
        dir.Write("images/train/a.jpg", Garbage(5000));
        dir.Write("images/train/b.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Garbage(300)]);
        dir.Write("images/train/c.jpg", [0xFF, 0xD8, 0xFF, .. Garbage(300)]);
        dir.Write("labels/train/a.txt", Garbage(3000));
        dir.Write("labels/train/b.txt", Garbage(10));
        dir.Write("labels/train/c.txt", Garbage(10));
        dir.Write("annotations/x.json", Garbage(2000));
        dir.Write("voc/x.xml", Garbage(2000));
        dir.Write("data.yaml", "names: [a, b\n  - : : {");
        var report = await ValidateAsync(dir);
        var byPath = report.Findings.GroupBy(f => f.Path).ToDictionary(g => g.Key, g => g.Select(f => f.Rule).ToHashSet());
        Assert.Contains(RuleIds.ImageNotImage, byPath["d/images/train/a.jpg"]);
        Assert.Contains(RuleIds.ImageCorrupt, byPath["d/images/train/b.png"]);
        Assert.Contains(RuleIds.ImageCorrupt, byPath["d/images/train/c.jpg"]);
        foreach (var l in new[] { "a", "b", "c" }) Assert.Contains(RuleIds.YoloEncoding, byPath[$"d/labels/train/{l}.txt"]);
        Assert.Contains(RuleIds.JsonSyntax, byPath["d/annotations/x.json"]);
        Assert.Contains(RuleIds.VocSyntax, byPath["d/voc/x.xml"]);
        Assert.Contains(RuleIds.YoloClassList, byPath["d/data.yaml"]);
    }

    [Fact]
    public async Task Validate_WhenLabelHasAMillionBadRows_CapsFindingsPerFile()
    {
        using var dir = new TempDir();
        dir.Write("images/train/a.jpg", TestImages.Render(1));
        var sb = new StringBuilder();
        for (var i = 0; i < 1_000_000; i++) sb.Append("x y\n");
        dir.Write("labels/train/a.txt", sb.ToString());
        var report = await ValidateAsync(dir);
        var label = report.Findings.Where(f => f.Path == "d/labels/train/a.txt").ToList();
        Assert.Equal(ValidationRules.Default.MaxFindingsPerFile, label.Count(f => f.Rule == RuleIds.YoloFieldCount));
        var note = Assert.Single(label, f => f.Rule == RuleIds.FindingsTruncated);
        Assert.Contains("999950 more", note.Message);
    }

    [Fact]
    public async Task Validate_WhenAListedFileIsMissingOnDisk_ReportsItUnreadable()
    {
        using var dir = new TempDir();
        var files = new List<TreeEntry>
        {
            new("images/gone.jpg", ContentHash.Compute([1]), 1234),
            new("labels/gone.txt", ContentHash.Compute([2]), 10),
        };
        var report = await ValidateAsync(dir, files: files);
        Assert.Equal(2, report.Findings.Count(f => f.Rule == RuleIds.FileUnreadable));
    }
}
