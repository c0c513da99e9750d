using Observatory.DataService.Core.Annotations;
using Observatory.DataService.Core.Config;
using Observatory.DataService.Core.Errors;

namespace Observatory.DataService.Tests.Annotations;

/// <summary>The one annotation vocabulary shared by validation, the catalog, embedding and the dashboard.</summary>
public sealed class AnnotationsTests
{
    [Theory]
    [InlineData("images/train/a.jpg", "labels/train/a.txt")]
    [InlineData("set/images/val/b.PNG", "set/labels/val/b.txt")]
    [InlineData("images/x/images/c.jpeg", "images/x/labels/c.txt")] // the last images/ folder, as Ultralytics does
    [InlineData("flat/d.webp", "flat/d.txt")]
    public void LabelCandidates_FollowUltralytics_AndImageFor_IsTheInverse(string image, string label)
    {
        Assert.Equal(label, YoloLabels.LabelCandidates(image).First());
        Assert.Equal(image, YoloLabels.ImageFor(label, p => p == image));
    }

    [Fact]
    public void LabelCandidates_AlwaysOfferTheTxtBesideTheImage()
    {
        Assert.Equal(["labels/a.txt", "images/a.txt"], YoloLabels.LabelCandidates("images/a.jpg"));
        Assert.Null(YoloLabels.ImageFor("labels/a.txt", _ => false));
        Assert.Null(YoloLabels.ImageFor("labels/a.json", _ => true));
    }

    [Theory]
    [InlineData("0 0.5 0.5 0.2 0.1", true, 0, 0.5, 0.1)]
    [InlineData("  3\t0.1 0.2 0.3 0.4 0.9 0.9", true, 3, 0.1, 0.4)] // extra columns (polygons, confidence) are ignored
    [InlineData("1 0.5 0.5 0.2", false, 0, 0, 0)]
    [InlineData("-1 0.5 0.5 0.2 0.2", false, 0, 0, 0)]
    [InlineData("a 0.5 0.5 0.2 0.2", false, 0, 0, 0)]
    [InlineData("", false, 0, 0, 0)]
    public void TryParseRow_ReadsClassAndBox(string line, bool ok, int cls, double x, double h)
    {
        Assert.Equal(ok, YoloLabels.TryParseRow(line, out var row));
        if (!ok) return;
        Assert.Equal(cls, row.Class);
        Assert.Equal(x, row.X);
        Assert.Equal(h, row.Height);
    }

    [Fact]
    public void ImageFiles_OneListForEveryPart_AndTheEmbeddableSubset()
    {
        Assert.True(ImageFiles.IsImage("a/b.TIF"));
        Assert.False(ImageFiles.IsEmbeddable("a/b.tif")); // SkiaSharp reads no TIFF
        Assert.True(ImageFiles.IsEmbeddable("a/b.WebP"));
        Assert.False(ImageFiles.IsImage("a.jpg/readme"));
        Assert.All(ImageFiles.Embeddable, e => Assert.Contains(e, ImageFiles.Extensions));
        Assert.Equal(ImageFiles.Extensions, Observatory.DataService.Core.Validation.ValidationRules.Default.ImageExtensions);
    }

    [Fact]
    public void ClassNames_ReadListsAndIdMaps_AndReportProblemsWithLines()
    {
        var problems = new List<ClassListProblem>();
        Assert.Equal(["cat", "dog"], ClassNames.FromDataYaml("names: [cat, dog]\n", "data.yaml", problems));
        Assert.Equal(["cat", "dog"], ClassNames.FromDataYaml("names:\n  1: dog\n  0: cat\nnc: 2\n", "data.yaml", problems));
        Assert.Empty(problems);
        Assert.Equal(["a", "b"], ClassNames.FromDataYaml("nc: 3\nnames: [a, b]\n", "data.yaml", problems));
        Assert.Equal(new ClassListProblem("data.yaml nc is 3 but names lists 2 classes", 1), Assert.Single(problems));
        problems.Clear();
        Assert.Null(ClassNames.FromDataYaml("names:\n  0: a\n  2: c\n", "data.yaml", problems));
        Assert.Contains("not contiguous", Assert.Single(problems).Message);
        Assert.Equal(["a", "b"], ClassNames.FromClassesTxt("a\r\n\n b \n"));
    }

    /// <summary>
    /// Hardening finding 4: data.yaml and .obs/config were parsed without the depth guard; 100,000 nested brackets overflow the
    /// stack of the recursive parsers, which no catch can handle. Both are refused by name now, whatever the depth.
    /// </summary>
    [Fact]
    public void Finding4_DeeplyNestedYaml_IsRefusedByName_InDataYamlAndInTheConfig()
    {
        var bomb = new string('[', 100_000) + new string(']', 100_000);
        var problems = new List<ClassListProblem>();
        Assert.Null(ClassNames.FromDataYaml("names: " + bomb + "\n", "data.yaml", problems));
        Assert.Contains("data.yaml nests deeper than 64 levels", Assert.Single(problems).Message);

        var e = Assert.Throws<UsageException>(() => ObsConfig.Parse("core:\n  remote: x\nextra: " + bomb + "\n", ".obs/config"));
        Assert.Contains(".obs/config nests deeper than 64 levels", e.Message);
        var big = Assert.Throws<UsageException>(() => ObsConfig.Parse("core: {}\n# " + new string('x', 5 * 1024 * 1024) + "\n", ".obs/config.local"));
        Assert.Contains(".obs/config.local is larger than 4 MiB", big.Message);
        Assert.Equal("x", ObsConfig.Parse("core:\n  remote: x\n", ".obs/config").Core.Remote);
        var pointer = Assert.Throws<DataCheckException>(() => Observatory.DataService.Core.Pointers.PointerFile.Parse("path: " + new string('[', 30_000) + new string(']', 30_000), "data/x.obs"));
        Assert.StartsWith("pointer data/x.obs ", pointer.Message); // refused by name (YamlDotNet's parser may stop it first), never a stack overflow
    }
}
