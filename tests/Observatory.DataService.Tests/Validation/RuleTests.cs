using Observatory.DataService.Core.Validation;
using Observatory.DataService.Imaging;

namespace Observatory.DataService.Tests.Validation;

public sealed class RuleTests
{
    private readonly DatasetValidator _validator = new(new SkiaImageInspector());

    private async Task<ValidationReport> ValidateAsync(TempDir dir, ValidationRules? rules = null) =>
        await _validator.ValidateAsync(dir.Path, "d", TestImages.TreeOf(dir.Path), rules ?? ValidationRules.Default, null, null, CancellationToken.None);

    private static List<(string Rule, string Path, int? Line)> Problems(ValidationReport r) =>
        r.Findings.Where(f => f.Rule != RuleIds.ClassBalance).Select(f => (f.Rule, f.Path, f.Line)).ToList();

    [Fact]
    public async Task Yolo_WhenRowsArePolygonsOrOverhangWithinTolerance_AcceptsThem()
    {
        using var dir = new TempDir();
        dir.Write("classes.txt", "a\nb\n");
        dir.Write("images/train/x.jpg", TestImages.Render(1));                     // 160 × 120
        dir.Write("labels/train/x.txt", "1 0.1 0.1 0.5 0.1 0.3 0.6\n0 0.9985 0.5 0.003 0.2\n\n   \n");  // polygon; box 0.24 px over the edge
        var report = await ValidateAsync(dir);
        Assert.Empty(Problems(report));
        Assert.Equal([1, 1], report.ClassBalance!.Classes.Select(c => c.Count));
    }

    [Fact]
    public async Task Yolo_WhenNoClassList_ReportsOnceAndChecksOnlyThatClassesAreNonNegativeIntegers()
    {
        using var dir = new TempDir();
        dir.Write("images/x.jpg", TestImages.Render(1));
        dir.Write("labels/x.txt", "41 0.5 0.5 0.2 0.2\n1.5 0.5 0.5 0.2 0.2\n");
        var report = await ValidateAsync(dir);
        Assert.Equal([(RuleIds.YoloNoClassList, "d", null), (RuleIds.YoloClassId, "d/labels/x.txt", (int?)2)], Problems(report));
    }

    [Fact]
    public async Task ClassList_WhenClassesTxtDisagreesWithDataYaml_ReportsTheMismatch()
    {
        using var dir = new TempDir();
        dir.Write("data.yaml", "names:\n  0: cat\n  1: dog\nnc: 2\n");
        dir.Write("classes.txt", "cat\nbird\n");
        var report = await ValidateAsync(dir);
        var f = Assert.Single(Problems(report));
        Assert.Equal((RuleIds.YoloClassList, "d/classes.txt"), (f.Rule, f.Path));
    }

    [Fact]
    public async Task ClassList_WhenNcDiffersFromNames_ReportsTheLineOfNc()
    {
        using var dir = new TempDir();
        dir.Write("data.yaml", "path: .\nnames: [cat, dog]\nnc: 3\n");
        var report = await ValidateAsync(dir);
        Assert.Equal([(RuleIds.YoloClassList, "d/data.yaml", (int?)3)], Problems(report));
    }

    [Fact]
    public async Task Severity_WhenRuleTurnedOffOrRaised_AppliesTheOverride()
    {
        using var dir = new TempDir();
        dir.Write("images/a.jpg", TestImages.Render(1));
        dir.Write("images/b.jpg", TestImages.Render(2));
        dir.Write("labels/a.txt", "0 0.5 0.5 0.2 0.2\n");
        dir.Write("labels/orphan.txt", "0 0.5 0.5 0.2 0.2\n");
        var defaults = await ValidateAsync(dir);
        Assert.Contains(defaults.Findings, f => f.Rule == RuleIds.PairMissingLabel && f.Severity == Severity.Warning);
        var rules = ValidationRules.FromYaml("severity:\n  pair.missing_label: error\n  pair.orphan_label: off\n  yolo.no_class_list: off\n");
        var custom = await ValidateAsync(dir, rules);
        Assert.Equal([(RuleIds.PairMissingLabel, "d/images/b.jpg", (int?)null)], Problems(custom));
        Assert.True(custom.HasErrors);
    }

    [Fact]
    public async Task Pairing_WhenDatasetIsVocOnly_UsesVocFilesAsLabels()
    {
        using var dir = new TempDir();
        var a = new Observatory.Samples.SampleImage("JPEGImages/a.jpg", "", 160, 120, []);
        dir.Write("JPEGImages/a.jpg", TestImages.Render(1));
        dir.Write("JPEGImages/b.jpg", TestImages.Render(2));
        dir.Write("Annotations/a.xml", DefectDataset.Voc(a, 160, 120, [("cat", 1, 1, 50, 50)]));
        var report = await ValidateAsync(dir);
        Assert.Equal([(RuleIds.PairMissingLabel, "d/JPEGImages/b.jpg", (int?)null)], Problems(report));
        Assert.Equal("voc", report.ClassBalance!.Source);
    }

    [Fact]
    public async Task Coco_WhenFileNamesCarryFolders_ResolvesThemAndFlagsSizeMismatch()
    {
        using var dir = new TempDir();
        dir.Write("images/train/a.jpg", TestImages.Render(1));
        dir.Write("images/train/b.jpg", TestImages.Render(2));
        dir.Write("coco.json", """
            {"images":[{"id":1,"file_name":"images/train/a.jpg","width":160,"height":120},{"id":2,"file_name":"train/b.jpg","width":100,"height":120}],
             "annotations":[{"id":1,"image_id":1,"category_id":3,"bbox":[0,0,160,120],"area":19200}],
             "categories":[{"id":3,"name":"cat"}]}
            """);
        var report = await ValidateAsync(dir);
        var f = Assert.Single(report.Findings, x => x.Rule != RuleIds.ClassBalance);
        Assert.Equal((RuleIds.CocoSizeMismatch, "image:2"), (f.Rule, f.AnnotationId));
        Assert.Equal("coco", report.ClassBalance!.Source);
    }

    [Fact]
    public async Task Image_WhenTiffOrHeif_ReportsUnsupportedFormatInsteadOfCorrupt()
    {
        using var dir = new TempDir();
        dir.Write("images/a.tif", [.. "II*\0"u8, 8, 0, 0, 0, 0, 0]);
        dir.Write("images/b.jpg", [0, 0, 0, 0x18, .. "ftypheic"u8, 0, 0, 0, 0]);
        var report = await ValidateAsync(dir);
        Assert.Equal(
            [(RuleIds.ImageUnsupported, "d/images/a.tif", (int?)null), (RuleIds.ImageUnsupported, "d/images/b.jpg", null)],
            Problems(report));
    }

    [Fact]
    public async Task Voc_WhenFieldsMissingOrNotNumbers_ReportsSchemaWithLineAndObject()
    {
        using var dir = new TempDir();
        dir.Write("images/a.jpg", TestImages.Render(1));
        dir.Write("voc/a.xml", "<annotation>\n<filename>a.jpg</filename>\n<object>\n<name>cat</name>\n<bndbox><xmin>1</xmin><ymin>x</ymin><xmax>5</xmax><ymax>9</ymax></bndbox>\n</object>\n</annotation>\n");
        dir.Write("voc/b.xml", "<root/>");
        var report = await ValidateAsync(dir);
        Assert.Equal(
        [
            (RuleIds.VocSchema, "d/voc/a.xml", (int?)1, (string?)null),     // no <size>
            (RuleIds.VocSchema, "d/voc/a.xml", 5, "object:1"),            // ymin not a number
            (RuleIds.VocSchema, "d/voc/b.xml", 1, null),                  // root is not <annotation>
        ], report.Findings.Where(f => f.Rule != RuleIds.ClassBalance).Select(f => (f.Rule, f.Path, f.Line, f.AnnotationId)));
    }

    [Fact]
    public async Task NearDuplicate_WhenSameLayoutButOtherColours_IsNotReported()
    {
        using var dir = new TempDir();
        dir.Write("images/a.png", TestImages.Png(64, 64, 0, 8, seed: 3));
        var inverted = TestImages.Png(64, 64, 0, 8, seed: 3);
        // Same structure, brightness shifted far beyond near_duplicate_max_colour_shift: not a duplicate.
        using (var bitmap = SkiaSharp.SKBitmap.Decode(inverted))
        {
            for (var y = 0; y < 64; y++) for (var x = 0; x < 64; x++) { var c = bitmap.GetPixel(x, y); var v = (byte)(c.Red / 2 + 120); bitmap.SetPixel(x, y, new SkiaSharp.SKColor(v, v, v)); }
            using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            dir.Write("images/b.png", data.ToArray());
        }
        var report = await ValidateAsync(dir, new ValidationRules { ColourModes = new() });
        Assert.DoesNotContain(report.Findings, f => f.Rule == RuleIds.ImageNearDuplicate);
        var loose = await ValidateAsync(dir, new ValidationRules { ColourModes = new(), NearDuplicateMaxColourShift = 255, NearDuplicateMaxThumbnailDifference = 255 });
        Assert.Contains(loose.Findings, f => f.Rule == RuleIds.ImageNearDuplicate);
    }
}

public sealed class ValidatorBehaviourTests
{
    private sealed class Recorder : IProgress<int>
    {
        public List<int> Values { get; } = [];
        public void Report(int value) { lock (Values) Values.Add(value); }
    }

    [Fact]
    public async Task Validate_ReportsProgressUpToTheNumberOfImages()
    {
        using var dir = new TempDir();
        for (var i = 0; i < 6; i++) dir.Write($"images/{i}.jpg", TestImages.Render(i));
        dir.Write("images/copy.jpg", TestImages.Render(0)); // same content: inspected once, counted for both files
        var progress = new Recorder();
        await new DatasetValidator(new SkiaImageInspector()).ValidateAsync(dir.Path, "d", TestImages.TreeOf(dir.Path), ValidationRules.Default, null, progress, CancellationToken.None);
        Assert.Equal(7, progress.Values.Max());
        Assert.Equal(6, progress.Values.Count);
    }

    [Fact]
    public async Task Validate_WhenCancelled_Throws()
    {
        using var dir = new TempDir();
        dir.Write("images/a.jpg", TestImages.Render(1));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new DatasetValidator(new SkiaImageInspector()).ValidateAsync(dir.Path, "d", TestImages.TreeOf(dir.Path), ValidationRules.Default, null, null, cts.Token));
    }
}
