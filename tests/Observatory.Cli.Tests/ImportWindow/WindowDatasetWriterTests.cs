using System.Security.Cryptography;
using System.Text.Json;
using Observatory.Cli.ImportWindow;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Imaging;
using Observatory.Monitoring.Contracts;
using Observatory.Samples;
using Observatory.Testing;

namespace Observatory.Cli.Tests.ImportWindow;

/// <summary>The writer of `obs import-window` as a pure part: a constructed manifest and image bytes in, the dataset folder out.</summary>
public sealed class WindowDatasetWriterTests : IDisposable
{
    private static readonly DateTimeOffset End = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new("window-writer");
    private readonly Dictionary<string, byte[]> _images = new(StringComparer.Ordinal);

    public void Dispose() => _dir.Dispose();

    private static byte[] Image(int seed, bool png = false) =>
        SampleDataset.RenderImage(seed, new SampleDatasetOptions { Width = 160, Height = 120 }, out _, png);

    private ExportItem Item(string fileName, byte[] bytes, string label, LabelSource source = LabelSource.Prediction, IReadOnlyList<EventBox>? boxes = null)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        _images[sha] = bytes;
        return new ExportItem($"ev-{fileName}", End.AddMinutes(-5), sha, fileName, $"/api/models/shapes/images/{sha}", bytes.Length, label, source, label,
            source == LabelSource.Feedback ? label : null, "v1", boxes, new ExportReason(3.5, 0.4));
    }

    private static ExportManifest Manifest(IReadOnlyList<string> classes, params ExportItem[] items) =>
        new("exp-1", "shapes", "v1", End.AddMinutes(-30), End, ExportSelection.Outliers, items.Length, ExportFormat.Yolo, classes, End, null, items);

    /// <summary>Plans, stages and moves into place, as the operation does; the downloads are the bytes given to <see cref="Item"/>.</summary>
    private WindowPlan Write(ExportManifest manifest, string dataset, ExportFormat format, string? split = null)
    {
        var downloads = _dir.Combine("downloads");
        Directory.CreateDirectory(downloads);
        foreach (var (sha, bytes) in _images) File.WriteAllBytes(Path.Combine(downloads, sha), bytes);
        var plan = WindowDatasetWriter.Plan(manifest, dataset, format, split, i => Path.Combine(downloads, i.Sha256), new SkiaImageInspector());
        using var staged = StagedImport.Stage(plan, dataset, _dir.Combine("stage-" + Guid.NewGuid().ToString("N")), CancellationToken.None);
        staged.Apply();
        return plan;
    }

    /// <summary>Every file of a folder with its bytes, to compare whole folders.</summary>
    private static SortedDictionary<string, string> Snapshot(string root) =>
        Directory.Exists(root)
            ? new(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal)
            : new(StringComparer.Ordinal);

    private static string Text(string dataset, string rel) => File.ReadAllText(Path.Combine(dataset, rel));

    [Fact]
    public void Yolo_IntoANewFolder_WritesImagesLabelsAndClassesTxt_InTheExportsClassOrder_AndAFullFrameBoxForAClassification()
    {
        var dataset = _dir.Combine("new");
        var a = Image(1);
        var manifest = Manifest(["cat", "dog"],
            Item("a.jpg", a, "dog", boxes: [new EventBox("dog", 0.25, 0.5, 0.2, 0.4, 0.9), new EventBox("cat", 0.95, 0.5, 0.2, 0.2)]),
            Item("b.png", Image(2, png: true), "cat", LabelSource.Feedback));

        var plan = Write(manifest, dataset, ExportFormat.Yolo);

        Assert.Equal(["classes.txt", "images/a.jpg", "images/b.png", "labels/a.txt", "labels/b.txt"], Snapshot(dataset).Keys);
        Assert.Equal(a, File.ReadAllBytes(Path.Combine(dataset, "images/a.jpg")));
        Assert.Equal("cat\ndog\n", Text(dataset, "classes.txt"));
        // The second box reaches past the right edge: it is clipped to the frame (0.85…1.0).
        Assert.Equal("1 0.250000 0.500000 0.200000 0.400000\n0 0.925000 0.500000 0.150000 0.200000\n", Text(dataset, "labels/a.txt"));
        Assert.Equal("0 0.500000 0.500000 1.000000 1.000000\n", Text(dataset, "labels/b.txt"));
        Assert.Equal((2, 2, 0, 1, 1, true), (plan.Items, plan.NewImages, plan.SkippedIdentical, plan.Feedback, plan.Prediction, plan.NewFolder));
    }

    [Fact]
    public void Yolo_IntoAnExistingDataset_UsesItsOwnClassIds_AndItsTrainSplit_AndLeavesItsFilesAlone()
    {
        var dataset = _dir.Combine("shapes");
        SampleDataset.Generate(dataset, new SampleDatasetOptions { TrainCount = 4, ValCount = 2 });
        var before = Snapshot(dataset);
        // The export lists its classes in another order than the dataset (circle, square, triangle).
        var manifest = Manifest(["triangle", "circle"], Item("w1.jpg", Image(7), "triangle", boxes: [new EventBox("triangle", 0.5, 0.5, 0.5, 0.5)]),
            Item("w2.jpg", Image(8), "circle"));

        Assert.Equal("train", WindowDatasetWriter.DefaultSplit(dataset));
        Assert.Equal(ExportFormat.Yolo, WindowDatasetWriter.DetectFormat(dataset));
        Write(manifest, dataset, ExportFormat.Yolo, "train");

        var after = Snapshot(dataset);
        Assert.All(before, kv => Assert.Equal(kv.Value, after[kv.Key]));
        Assert.Equal(["images/train/w1.jpg", "images/train/w2.jpg", "labels/train/w1.txt", "labels/train/w2.txt"], after.Keys.Except(before.Keys));
        Assert.Equal("2 0.500000 0.500000 0.500000 0.500000\n", Text(dataset, "labels/train/w1.txt"));
        Assert.Equal("0 0.500000 0.500000 1.000000 1.000000\n", Text(dataset, "labels/train/w2.txt"));
    }

    [Fact]
    public void Yolo_AnExportClassTheDatasetLacks_IsRefusedNamingIt_AndNothingIsWritten()
    {
        var dataset = _dir.Combine("shapes");
        SampleDataset.Generate(dataset, new SampleDatasetOptions { TrainCount = 2, ValCount = 1 });
        var before = Snapshot(dataset);
        var manifest = Manifest(["circle", "hexagon"], Item("w1.jpg", Image(7), "circle"), Item("w2.jpg", Image(8), "hexagon"));

        var ex = Assert.Throws<DataCheckException>(() => Write(manifest, dataset, ExportFormat.Yolo, "train"));
        Assert.Contains("'hexagon'", ex.Message);
        Assert.Contains("data.yaml", ex.Message); // data.yaml names win over classes.txt, as validation reads them
        Assert.Equal(before, Snapshot(dataset));
    }

    [Fact]
    public void Coco_BoxesInPixelsOfTheDecodedImage_MergedIntoAnExistingFile_WithIdsAfterTheMax()
    {
        var dataset = _dir.Combine("coco");
        Directory.CreateDirectory(Path.Combine(dataset, "images"));
        File.WriteAllBytes(Path.Combine(dataset, "images/old.jpg"), Image(3));
        File.WriteAllText(Path.Combine(dataset, "annotations.json"), """
            {"images":[{"id":7,"file_name":"images/old.jpg","width":160,"height":120}],
             "annotations":[{"id":12,"image_id":7,"category_id":2,"bbox":[1,2,3,4],"area":12,"iscrowd":0}],
             "categories":[{"id":1,"name":"cat"},{"id":2,"name":"dog"}]}
            """);
        var manifest = Manifest(["dog", "cat"], Item("n1.jpg", Image(4), "dog", boxes: [new EventBox("dog", 0.5, 0.5, 0.25, 0.5), new EventBox("cat", 0.1, 0.1, 0.1, 0.1)]),
            Item("n2.png", Image(5, png: true), "cat"));

        Assert.Equal(ExportFormat.Coco, WindowDatasetWriter.DetectFormat(dataset));
        Write(manifest, dataset, ExportFormat.Coco);

        var root = JsonDocument.Parse(Text(dataset, "annotations.json")).RootElement;
        var images = root.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal([7, 8, 9], images.Select(i => i.GetProperty("id").GetInt32()));
        Assert.Equal("images/n1.jpg", images[1].GetProperty("file_name").GetString());
        Assert.Equal((160, 120), (images[1].GetProperty("width").GetInt32(), images[1].GetProperty("height").GetInt32()));
        var anns = root.GetProperty("annotations").EnumerateArray().ToList();
        Assert.Equal([12, 13, 14, 15], anns.Select(a => a.GetProperty("id").GetInt32()));
        Assert.Equal([60.0, 30.0, 40.0, 60.0], anns[1].GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(2, anns[1].GetProperty("category_id").GetInt32()); // the file's own id of "dog", not the export's order
        Assert.Equal(1, anns[2].GetProperty("category_id").GetInt32());
        Assert.Equal([0.0, 0.0, 160.0, 120.0], anns[3].GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble())); // classification: full frame
        Assert.Equal(9, anns[3].GetProperty("image_id").GetInt32());
        Assert.Equal(2, root.GetProperty("categories").GetArrayLength());
    }

    [Fact]
    public void Csv_AppendsOneRowPerNewImage_AndKeepsTheRowsThatAreThere()
    {
        var dataset = _dir.Combine("csv");
        Directory.CreateDirectory(dataset);
        File.WriteAllText(Path.Combine(dataset, "labels.csv"), "file,label\nimages/x.jpg,cat"); // no final newline
        var manifest = Manifest(["cat", "dog, large"], Item("c1.jpg", Image(6), "dog, large"), Item("c2.jpg", Image(9), "cat", LabelSource.Feedback));

        Write(manifest, dataset, ExportFormat.Csv);

        Assert.Equal("file,label\nimages/x.jpg,cat\nimages/c1.jpg,\"dog, large\"\nimages/c2.jpg,cat\n", Text(dataset, "labels.csv"));
        Assert.True(File.Exists(Path.Combine(dataset, "images/c2.jpg")));
    }

    [Theory]
    [InlineData(ExportFormat.Yolo)]
    [InlineData(ExportFormat.Coco)]
    [InlineData(ExportFormat.Csv)]
    public void TheSameExportTwice_LeavesTheFolderByteIdentical_AndDoesNotDuplicateLabels(ExportFormat format)
    {
        var dataset = _dir.Combine("twice");
        var manifest = Manifest(["cat", "dog"], Item("a.jpg", Image(1), "dog", boxes: [new EventBox("dog", 0.5, 0.5, 0.5, 0.5)]), Item("b.jpg", Image(2), "cat"));
        Write(manifest, dataset, format);
        // A person corrects one pre-label between the runs: the second run keeps the correction.
        if (format == ExportFormat.Yolo) File.WriteAllText(Path.Combine(dataset, "labels/a.txt"), "0 0.5 0.5 0.4 0.4\n");
        var first = Snapshot(dataset);

        var again = Write(manifest, dataset, format);

        Assert.Empty(again.Files);
        Assert.Equal((0, 2), (again.NewImages, again.SkippedIdentical));
        Assert.Equal(first, Snapshot(dataset));
    }

    [Theory]
    [InlineData("../escape.jpg")]
    [InlineData("sub/dir.jpg")]
    [InlineData("back\\slash.jpg")]
    [InlineData("/etc/passwd.jpg")]
    [InlineData("..jpg")]
    [InlineData(".hidden.jpg")]
    [InlineData("sp ace.jpg")]
    [InlineData("caf\u00e9.jpg")]
    [InlineData("label.txt")]
    [InlineData("")]
    public void UnsafeFileNames_AreRefused_AndNothingIsWritten(string name)
    {
        var dataset = _dir.Combine("unsafe");
        var manifest = Manifest(["cat"], Item("ok.jpg", Image(1), "cat"), Item(name, Image(2), "cat"));

        var ex = Assert.Throws<StoreException>(() => Write(manifest, dataset, ExportFormat.Yolo));
        Assert.Contains("unsafe file name", ex.Message);
        Assert.Equal(3, ex.ExitCode);
        Assert.False(Directory.Exists(dataset));
        Assert.Equal([_dir.Combine("downloads")], Directory.EnumerateFileSystemEntries(_dir.Path)); // no stage was made
    }

    [Fact]
    public void AnImageWhoseBytesAreNotTheManifestsHash_WritesNothing_NamingTheItem()
    {
        var dataset = _dir.Combine("shapes");
        SampleDataset.Generate(dataset, new SampleDatasetOptions { TrainCount = 2, ValCount = 1 });
        var before = Snapshot(dataset);
        var good = Item("good.jpg", Image(1), "circle");
        var bad = Item("bad.jpg", Image(2), "circle");
        _images[bad.Sha256] = Image(3); // the download of bad.jpg brought other bytes

        var ex = Assert.Throws<StoreException>(() => Write(Manifest(["circle"], good, bad), dataset, ExportFormat.Yolo, "train"));
        Assert.Contains("ev-bad.jpg", ex.Message);
        Assert.Contains("bad.jpg", ex.Message);
        Assert.Equal(3, ex.ExitCode);
        Assert.Equal(before, Snapshot(dataset));
    }

    [Fact]
    public void AFolderInsideTheDatasetThatIsALink_IsRefused_AndNothingIsWrittenWhereItLeads()
    {
        var dataset = _dir.Combine("linked");
        var outside = _dir.Combine("outside");
        Directory.CreateDirectory(outside);
        Directory.CreateDirectory(dataset);
        Directory.CreateSymbolicLink(Path.Combine(dataset, "images"), outside);

        var ex = Assert.Throws<DataCheckException>(() => Write(Manifest(["cat"], Item("a.jpg", Image(1), "cat")), dataset, ExportFormat.Yolo));
        Assert.Contains("is a link", ex.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.Equal(["images"], Directory.EnumerateFileSystemEntries(dataset).Select(Path.GetFileName));
    }

    [Fact]
    public void AFileOfTheSameNameWithOtherBytes_IsRefused_NotOverwritten()
    {
        var dataset = _dir.Combine("clash");
        Directory.CreateDirectory(Path.Combine(dataset, "images"));
        File.WriteAllBytes(Path.Combine(dataset, "images/a.jpg"), Image(5));
        var ex = Assert.Throws<DataCheckException>(() => Write(Manifest(["cat"], Item("a.jpg", Image(1), "cat")), dataset, ExportFormat.Yolo));
        Assert.Contains("images/a.jpg", ex.Message);
        Assert.Equal(Image(5), File.ReadAllBytes(Path.Combine(dataset, "images/a.jpg")));
        Assert.False(Directory.Exists(Path.Combine(dataset, "labels")));
    }

    [Fact]
    public void Rollback_AfterTheMove_PutsAnExistingFolderBackByteForByte()
    {
        var dataset = _dir.Combine("csv");
        Directory.CreateDirectory(dataset);
        File.WriteAllText(Path.Combine(dataset, "labels.csv"), "file,label\nimages/x.jpg,cat\n");
        var before = Snapshot(dataset);
        var downloads = _dir.Combine("downloads");
        Directory.CreateDirectory(downloads);
        var manifest = Manifest(["cat"], Item("r1.jpg", Image(1), "cat"));
        foreach (var (sha, bytes) in _images) File.WriteAllBytes(Path.Combine(downloads, sha), bytes);
        var plan = WindowDatasetWriter.Plan(manifest, dataset, ExportFormat.Csv, "new", i => Path.Combine(downloads, i.Sha256), new SkiaImageInspector());

        using (var staged = StagedImport.Stage(plan, dataset, _dir.Combine("stage"), CancellationToken.None))
        {
            staged.Apply();
            Assert.Contains("images/new/r1.jpg,cat", Text(dataset, "labels.csv"));
            staged.Rollback(); // what a refused validation gate does
        }

        Assert.Equal(before, Snapshot(dataset));
        Assert.False(Directory.Exists(Path.Combine(dataset, "images")));
        Assert.False(Directory.Exists(_dir.Combine("stage")));
    }

    [Fact]
    public void Rollback_OfANewFolder_RemovesItAndTheParentsItMade()
    {
        var dataset = _dir.Combine("data", "deep", "new");
        var downloads = _dir.Combine("downloads");
        Directory.CreateDirectory(downloads);
        var manifest = Manifest(["cat"], Item("r1.jpg", Image(1), "cat"));
        foreach (var (sha, bytes) in _images) File.WriteAllBytes(Path.Combine(downloads, sha), bytes);
        var plan = WindowDatasetWriter.Plan(manifest, dataset, ExportFormat.Yolo, null, i => Path.Combine(downloads, i.Sha256), new SkiaImageInspector());

        using (var staged = StagedImport.Stage(plan, dataset, _dir.Combine("stage"), CancellationToken.None))
        {
            staged.Apply();
            Assert.Equal(["classes.txt", "images/r1.jpg", "labels/r1.txt"], Snapshot(dataset).Keys);
            staged.Rollback();
        }

        Assert.False(Directory.Exists(_dir.Combine("data")));
    }

    [Fact]
    public void ASplitThatIsNotOneFolderName_IsAUsageError()
    {
        Assert.Equal(2, Assert.Throws<UsageException>(() => WindowDatasetWriter.CheckSplit("../x")).ExitCode);
        Assert.Throws<UsageException>(() => WindowDatasetWriter.CheckSplit("a/b"));
        WindowDatasetWriter.CheckSplit("val-2");
    }

    [Fact]
    public void TheSameImageUnderTwoNames_IsWrittenTwice_FromOneDownload()
    {
        var dataset = _dir.Combine("dup");
        var bytes = Image(1);
        var plan = Write(Manifest(["cat"], Item("a.jpg", bytes, "cat"), Item("b.jpg", bytes, "cat")), dataset, ExportFormat.Yolo);
        Assert.Equal(2, plan.NewImages);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(dataset, "images/b.jpg")));
    }
}
