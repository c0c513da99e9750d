using System.Text.Json;
using Observatory.DataService.Core.Annotations;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Queries;
using Observatory.Monitoring.Contracts;

namespace Observatory.Reports.Tests;

/// <summary>Typed report inputs with user text in every place it can appear (file names, class names, messages, model names).</summary>
internal static class ReportSamples
{
    public const string Hostile = "<script>alert(1)</script>";
    public const string HostileImg = "<img src=\"https://evil.example/x.png\" onerror=\"alert(2)\">";
    public static readonly DateTimeOffset Generated = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A 2×2 RGB PNG (made with zlib by hand), so thumbnails embed real raster bytes a browser decodes.</summary>
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4zwAE/yH4////ACTrBfsxGjXnAAAAAElFTkSuQmCC");

    public static DatasetVersionsReport Datasets()
    {
        const string ds = "data/set";
        var evilImage = $"{ds}/images/{Hostile}.png";
        var files = new List<ChangedFile>
        {
            new(evilImage, "added", null, new string('a', 64), null, 2048),
            new($"{ds}/images/gone.png", "deleted", new string('b', 64), null, 1000, null),
            new($"{ds}/labels/a.txt", "modified", new string('c', 64), new string('d', 64), 40, 60),
        };
        var boxes = new AnnotationChanges(
            new Dictionary<string, ClassBoxChanges> { ["cat"] = new(0, 1, 1, 1, 2, 2), [Hostile] = new(3, 0, 0, 0, 0, 3) },
            [new ImageBoxChanges($"{ds}/images/a.png", 1, 1, 1, 1)]);
        var diff = new DiffView(ds, "v1", "v2", new string('1', 40), new string('2', 40), 1, 1, 1, 2048, 1000, new AnnotationSummary(0, 0, 1), files)
        {
            Boxes = boxes,
        };
        var before = new ClassBalanceView(ds, diff.FromCommit, 2, 4, 0, 0, [new ClassTally(0, "cat", 2), new ClassTally(1, "dog", 2)]);
        var after = new ClassBalanceView(ds, diff.ToCommit, 3, 9, 0, 0, [new ClassTally(0, "cat", 2), new ClassTally(1, "dog", 4), new ClassTally(2, Hostile, 3)]);
        var finding = new FindingRow("yolo.coordinate_range", "error", $"{ds}/labels/a.txt", 2, null, "box reaches outside " + HostileImg);
        var validationAfter = new ReportView(ds, 5, new ReportSummary(1, 1, new Dictionary<string, int> { ["yolo.coordinate_range"] = 1 }),
            [finding, new FindingRow("image.duplicate", "warning", evilImage, null, null, "duplicate of gone.png")]);
        var validationBefore = new ReportView(ds, 4, new ReportSummary(0, 0, new Dictionary<string, int>()), []);
        var image = new ReportImage($"{ds}/images/a.png", Png)
        {
            Boxes = [new YoloBox(0, "cat", 0.3, 0.2, 0.2, 0.2, 1), new YoloBox(2, Hostile, 0.9, 0.9, 0.4, 0.4, 2)],
        };
        return new DatasetVersionsReport("v1", "v2", Generated,
        [
            new DatasetComparison(diff, before, after, validationBefore, validationAfter)
            {
                FindingImages = new Dictionary<string, ReportImage> { [finding.Path] = image },
                Relabelled = [new ImagePair($"{ds}/images/a.png", image with { Boxes = image.Boxes.Take(1).ToList() }, image)],
            },
        ]);
    }

    public static DriftReportInput Window(bool drifted = true)
    {
        var embedding = new DriftRunReport(new SampleInfo(null, 500, 152), new SampleInfo(null, 300, 152),
        [
            new MethodVerdict("mmd", 0.042, drifted ? 0.001 : 0.4, 0.05, drifted, new Dictionary<string, JsonElement>()),
            new MethodVerdict("ks", 0.31, drifted ? 0.0001 : 0.6, 0.05, drifted, null),
        ]) { Drifted = drifted };
        var image = new DriftRunReport(new SampleInfo(null, 500, 3), new SampleInfo(null, 300, 3),
            [new MethodVerdict("ks", 0.4, 0.001, 0.05, true, null)]) { VerdictMethod = "ks", Drifted = true };
        var window = new WindowResult { Model = Hostile, WindowStart = Generated.AddMinutes(-30), WindowEnd = Generated, EventCount = 300, EmbeddingDrift = drifted, ImageStatisticsDrift = true };
        var run = new DriftRun(window, embedding, null, null, null)
        {
            EmbeddingShareDrifted = 0.375,
            ImageStatistics = image,
            ImageFeatureNames = ["brightness", "contrast", "sharpness"],
            ImageFeatures =
            [
                new ImageFeatureVerdict("brightness", 0.4, 0.001, 0.3, true) { ReferenceMean = 0.52, CurrentMean = 0.31 },
                new ImageFeatureVerdict("contrast", 0.05, 0.7, 0.02, false) { ReferenceMean = 0.2, CurrentMean = 0.21 },
                new ImageFeatureVerdict("sharpness", 0.06, 0.6, 0.03, false) { ReferenceMean = 0.1, CurrentMean = 0.1 },
            ],
            ConfidenceHistogram = new HistogramBins([0, 0.5, 1], [10, 90], [40, 60]),
            ClassShares = [new ClassShare(0, 0.5, 0.2), new ClassShare(1, 0.5, 0.8)],
            Reference = new DriftReference(null, null, Generated.AddHours(-3)),
        };
        return new DriftReportInput($"Drift report: {Hostile}", "window", run, Generated)
        {
            StoredFlag = drifted,
            ClassNames = ["circle", Hostile],
            Outliers = [new ReportOutlier($"cam/{Hostile}", 4.2, "circle (0.51)", new ReportImage("cam-1", Png)), new ReportOutlier("cam/2", 3.9, "square (0.7)", null)],
            Typical = [new ReportOutlier("ref-1", 0.4, "circle", new ReportImage("ref-1", Png))],
            Notes = ["the service said " + HostileImg],
        };
    }
}
