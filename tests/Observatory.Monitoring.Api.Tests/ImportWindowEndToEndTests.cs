using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Observatory.DataService.Core.Pointers;
using Observatory.Monitoring.Contracts;
using Observatory.Samples;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// `obs import-window` end to end: the real service on Kestrel (images uploaded, the drift job run), the real `obs` as a process in
/// a real git workspace, asking for the export, writing the YOLO folder, tracking it with the export in its pointer, and `obs log`.
/// </summary>
public sealed class ImportWindowEndToEndTests : IAsyncLifetime
{
    private static readonly string[] Classes = ["circle", "square", "triangle"];
    private MonitoringServer _server = null!;
    private DateTimeOffset T0 => _server.Time.GetUtcNow();
    private string Service => _server.Client.BaseAddress!.ToString().TrimEnd('/');
    private static Dictionary<string, string> Key => new() { ["OBS_MONITORING_API_KEY"] = MonitoringServer.ApiKey };

    public async Task InitializeAsync()
    {
        _server = await MonitoringServer.StartAsync();
        await _server.RegisterAsync("shapes", new
        {
            classes = Classes, embeddingModel = "random", referenceUntil = T0.AddHours(-2), window = "00:30:00",
            schedule = "0 0 0 1 1 ? 2099", driftMethods = new[] { "mmd" },
        });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task UploadAsync(IReadOnlyList<(string Id, DateTimeOffset At, byte[] Image, object Event)> events)
    {
        var form = new MultipartFormDataContent { { JsonContent.Create(new { events = events.Select(e => e.Event) }, options: MonitoringJson.Options), "events" } };
        foreach (var e in events) form.Add(new ByteArrayContent(e.Image), "image", $"{e.Id}.jpg");
        using var r = await _server.Client.PostAsync("/api/models/shapes/images", form);
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
    }

    /// <summary>Reference traffic three hours ago, then a window of 10 images: boxes on the even ones, feedback on two.</summary>
    private async Task<DateTimeOffset> TrafficAndDriftAsync()
    {
        var options = new SampleDatasetOptions();
        var reference = Enumerable.Range(0, 24).Select(i =>
        {
            var at = T0.AddHours(-3).AddMinutes(i);
            return ($"ref-{i}", at, SampleDataset.RenderImage(500 + i, options, out _), (object)new { id = $"ref-{i}", timestamp = at, predictedClass = Classes[i % 3], confidence = 0.95 });
        }).ToList();
        var window = Enumerable.Range(0, 10).Select(i =>
        {
            var at = T0.AddMinutes(-20).AddSeconds(10 * i);
            object e = new
            {
                id = $"cam/{i}", timestamp = at, predictedClass = Classes[i % 3], confidence = 0.5 + i / 40.0,
                trueClass = i is 3 or 4 ? "triangle" : null,
                boxes = i % 2 == 0 ? new object[] { new { @class = Classes[i % 3], x = 0.4, y = 0.5, width = 0.2, height = 0.3, confidence = 0.8 } } : null,
            };
            return ($"cam-{i}", at, SampleDataset.RenderImage(900 + i, options with { BrightnessShift = 60 }, out _), e);
        }).ToList();
        await UploadAsync(reference);
        await UploadAsync(window);
        using (var run = await _server.Client.PostAsync("/api/models/shapes/jobs/drift/run?wait=true", null))
            Assert.True(run.StatusCode == HttpStatusCode.OK, await run.Content.ReadAsStringAsync());
        var drift = await _server.Client.GetFromJsonAsync<List<DriftWindowResult>>("/api/models/shapes/drift", MonitoringJson.Options);
        return Assert.Single(drift!).WindowEnd;
    }

    [Fact]
    public async Task ImportWindow_WritesTheOutliersAsAYoloDataset_TracksItWithTheExportInThePointer_AndARerunChangesNothing()
    {
        var windowEnd = await TrafficAndDriftAsync();
        using var repo = new GitSandbox("import-window");
        VersioningOk(await ObsProcess.RunAsync(repo.Root, "init"));
        string[] import = ["import-window", Service, "shapes", "--window", windowEnd.ToString("O"), "--select", "outliers", "--count", "6", "data/window", "--json"];

        var first = await ObsProcess.RunAsync(repo.Root, import, Key);
        VersioningOk(first);
        var summary = JsonDocument.Parse(first.Stdout).RootElement;
        var exportId = summary.GetProperty("export_id").GetString()!;
        Assert.Equal((6, 6, 0), (summary.GetProperty("items").GetInt32(), summary.GetProperty("new_images").GetInt32(), summary.GetProperty("skipped_identical").GetInt32()));
        var labels = summary.GetProperty("labels");
        Assert.Equal(6, labels.GetProperty("feedback").GetInt32() + labels.GetProperty("prediction").GetInt32());

        // The folder holds exactly the export's images (byte for byte) and one label file each, in the export's class order.
        var manifest = (await _server.Client.GetFromJsonAsync<ExportManifest>($"/api/models/shapes/exports/{exportId}", MonitoringJson.Options))!;
        Assert.Equal(6, manifest.Items.Count);
        Assert.Equal(labels.GetProperty("feedback").GetInt32(), manifest.Items.Count(i => i.LabelSource == LabelSource.Feedback));
        var dataset = repo.PathOf("data/window");
        Assert.Equal("circle\nsquare\ntriangle\n", File.ReadAllText(Path.Combine(dataset, "classes.txt")));
        Assert.Equal(manifest.Items.Select(i => i.FileName).Order(), Directory.GetFiles(Path.Combine(dataset, "images")).Select(f => Path.GetFileName(f)).Order());
        foreach (var item in manifest.Items)
        {
            Assert.Equal(item.Sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(dataset, "images", item.FileName)))));
            var label = File.ReadAllText(Path.Combine(dataset, "labels", Path.GetFileNameWithoutExtension(item.FileName) + ".txt"));
            var id = Array.IndexOf(Classes, item.Boxes is { Count: > 0 } b ? b[0].Class : item.Label);
            Assert.Equal(item.Boxes is { Count: > 0 } ? $"{id} 0.400000 0.500000 0.200000 0.300000\n" : $"{id} 0.500000 0.500000 1.000000 1.000000\n", label);
        }

        // The pointer records where the images came from; the folder is ignored by git like any added dataset.
        var pointer = PointerFile.Parse(File.ReadAllText(repo.PathOf("data/window.obs")), "data/window.obs");
        Assert.Equal(new PointerExport(Service, "shapes", manifest.ModelVersion, manifest.WindowStart, windowEnd, "outliers", 6, exportId), pointer.Export);
        Assert.Equal(13, pointer.Files); // 6 images, 6 labels, classes.txt
        Assert.Contains("/window\n", File.ReadAllText(repo.PathOf("data/.gitignore")));

        VersioningOk(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "outliers of the window", "--tag"));
        var log = await ObsProcess.RunAsync(repo.Root, "log");
        VersioningOk(log);
        Assert.Contains($"from export {exportId} of shapes", log.Stdout);
        Assert.Contains("outliers ×6", log.Stdout);
        var logged = JsonDocument.Parse((await ObsProcess.RunAsync(repo.Root, "log", "--json")).Stdout).RootElement[0].GetProperty("export");
        Assert.Equal((exportId, "shapes", "outliers"), (logged.GetProperty("id").GetString(), logged.GetProperty("model").GetString(), logged.GetProperty("select").GetString()));
        Assert.Equal(windowEnd, logged.GetProperty("window_end").GetDateTimeOffset());
        var md = await ObsProcess.RunAsync(repo.Root, "log", "--md");
        Assert.Contains("| From export |", md.Stdout);
        Assert.Contains($"{exportId} of shapes", md.Stdout);

        // The same command again: the same export, nothing new, the folder and the pointer byte-identical.
        var before = TreeSnapshot.Of(dataset);
        var pointerText = File.ReadAllText(repo.PathOf("data/window.obs"));
        var again = await ObsProcess.RunAsync(repo.Root, import[..^1], Key);
        VersioningOk(again);
        Assert.Contains("0 new image(s), 6 already there, 0 file(s) written", again.Stdout);
        Assert.Contains("unchanged data/window", again.Stdout);
        Assert.Equal(before, TreeSnapshot.Of(dataset));
        Assert.Equal(pointerText, File.ReadAllText(repo.PathOf("data/window.obs")));

        // A person corrects a pre-label and adds the folder again: a new tree, still saying which export its images came from.
        var firstLabel = Directory.GetFiles(Path.Combine(dataset, "labels")).Order().First();
        File.WriteAllText(firstLabel, "2 0.5 0.5 0.3 0.3\n");
        VersioningOk(await ObsProcess.RunAsync(repo.Root, "add", "data/window"));
        var corrected = PointerFile.Parse(File.ReadAllText(repo.PathOf("data/window.obs")), "data/window.obs");
        Assert.NotEqual(pointer.Tree, corrected.Tree);
        Assert.Equal(pointer.Export, corrected.Export);

        // The other layouts of the same window pass the same gate: COCO boxes in pixels of the decoded images, and a CSV.
        VersioningOk(await ObsProcess.RunAsync(repo.Root, [.. import[..^2], "--format", "coco", "data/coco"], Key));
        var coco = JsonDocument.Parse(File.ReadAllText(repo.PathOf("data/coco/annotations.json"))).RootElement;
        Assert.Equal(6, coco.GetProperty("images").GetArrayLength());
        Assert.All(coco.GetProperty("images").EnumerateArray(), i => Assert.Equal((160, 120), (i.GetProperty("width").GetInt32(), i.GetProperty("height").GetInt32())));
        VersioningOk(await ObsProcess.RunAsync(repo.Root, [.. import[..^2], "--format", "csv", "data/csv"], Key));
        Assert.Equal(7, File.ReadAllLines(repo.PathOf("data/csv/labels.csv")).Length);
        Assert.NotNull(PointerFile.Parse(File.ReadAllText(repo.PathOf("data/csv.obs")), "data/csv.obs").Validation);
    }

    [Fact]
    public async Task ImportWindow_WithoutTheKey_FailsWithOneLineNamingIt_AndAFailedValidationGate_LeavesTheFolderAsItWas()
    {
        var windowEnd = await TrafficAndDriftAsync();
        using var repo = new GitSandbox("import-window-refused");
        VersioningOk(await ObsProcess.RunAsync(repo.Root, "init"));
        // A dataset whose own label names class 9: the gate refuses the folder, so the import must not stay in it.
        repo.WriteFile("data/old/classes.txt", "circle\nsquare\ntriangle\n");
        repo.WriteFile("data/old/images/old.jpg", SampleDataset.RenderImage(7, new SampleDatasetOptions(), out _));
        repo.WriteFile("data/old/labels/old.txt", "9 0.5 0.5 0.1 0.1\n");
        var before = TreeSnapshot.Of(repo.PathOf("data/old"));
        string[] import = ["import-window", Service, "shapes", "--window", windowEnd.ToString("O"), "--select", "random", "--count", "3", "data/old"];

        var noKey = await ObsProcess.RunAsync(repo.Root, import, new Dictionary<string, string> { ["OBS_MONITORING_API_KEY"] = "" });
        Assert.Equal(3, noKey.ExitCode);
        Assert.Contains("--api-key", noKey.Stderr);
        Assert.Single(noKey.Stderr.Trim().Split('\n'));

        var refused = await ObsProcess.RunAsync(repo.Root, [.. import, "--api-key", MonitoringServer.ApiKey], null);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("yolo.class_id", refused.Stdout); // the validation report, as `obs add` prints it
        Assert.Contains("--allow-invalid", refused.Stderr);
        Assert.Equal(before, TreeSnapshot.Of(repo.PathOf("data/old")));
        Assert.False(File.Exists(repo.PathOf("data/old.obs")));
        Assert.False(Directory.Exists(repo.PathOf(".obs/tmp")) && Directory.EnumerateDirectories(repo.PathOf(".obs/tmp"), "import-window-*").Any()); // no stage left
    }

    private static void VersioningOk(ObsRun run) => Assert.True(run.ExitCode == 0, run.ToString());
}

/// <summary>`obs import-window` against a service whose image store is S3: the manifest's presigned URLs are what obs downloads.</summary>
public sealed class ImportWindowS3Tests(S3ServerFixture s3) : IClassFixture<S3ServerFixture>
{
    [Fact]
    public async Task ImportWindow_DownloadsThePresignedUrls_OfAnS3ImageStore()
    {
        var prefix = "iw-" + Guid.NewGuid().ToString("N")[..8];
        await using var server = await MonitoringServer.StartAsync(s3.ImageStoreSettings(prefix));
        await server.RegisterAsync("shapes", new { classes = new[] { "circle", "square" }, embeddingModel = "random", window = "00:30:00", schedule = "0 0 0 1 1 ? 2099" });
        var images = new[] { 21, 22, 23 }.Select(seed => SampleDataset.RenderImage(seed, new SampleDatasetOptions(), out _)).ToArray();
        var form = new MultipartFormDataContent
        {
            { JsonContent.Create(new { events = new[] { "a", "b", "c" }.Select((id, i) => new { id, timestamp = server.Time.GetUtcNow().AddMinutes(-5 + i), predictedClass = "square", confidence = 0.5 + i * 0.1 }) }), "events" },
        };
        foreach (var image in images) form.Add(new ByteArrayContent(image), "image", "x.jpg");
        using (var r = await server.Client.PostAsync("/api/models/shapes/images", form)) Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        using (var r = await server.Client.PostAsync("/api/models/shapes/jobs/drift/run?wait=true", null)) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var end = (await server.Client.GetFromJsonAsync<List<DriftWindowResult>>("/api/models/shapes/drift", MonitoringJson.Options))!.Single().WindowEnd;

        using var repo = new GitSandbox("import-window-s3");
        Assert.Equal(0, (await ObsProcess.RunAsync(repo.Root, "init")).ExitCode);
        var run = await ObsProcess.RunAsync(repo.Root, ["import-window", server.Client.BaseAddress!.ToString(), "shapes", "--window", end.ToString("O"),
            "--select", "low-confidence", "--count", "2", "--api-key", MonitoringServer.ApiKey, "data/s3"], null);
        Assert.True(run.ExitCode == 0, run.ToString());

        // The two least confident (a, b), their bytes as uploaded, each labelled with a full-frame box of its predicted class.
        var files = Directory.GetFiles(repo.PathOf("data/s3/images")).Select(f => File.ReadAllBytes(f)).ToList();
        Assert.Equal(2, files.Count);
        Assert.All(images[..2], i => Assert.Contains(files, f => f.AsSpan().SequenceEqual(i)));
        Assert.All(Directory.GetFiles(repo.PathOf("data/s3/labels")), l => Assert.Equal("1 0.500000 0.500000 1.000000 1.000000\n", File.ReadAllText(l)));
        var pointer = PointerFile.Parse(File.ReadAllText(repo.PathOf("data/s3.obs")), "data/s3.obs");
        Assert.Equal("low-confidence", pointer.Export!.Select);
    }
}
