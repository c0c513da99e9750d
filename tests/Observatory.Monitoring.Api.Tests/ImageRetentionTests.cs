using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Monitoring.Api.Services;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Ports;
using Observatory.Samples;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// Kept images go with their model's imageRetentionDays: the retention job deletes an image whose every event of that model is
/// older, and spares one another model's newer event (or a model that keeps images for good) still names, one an open export
/// names, and one a dataset version names (a real `obs` dataset in git: an image production sent and someone then committed). The run says what it did.
/// </summary>
public sealed class ImageRetentionTests : IAsyncLifetime
{
    private readonly GitSandbox _repo = new("retention");
    private readonly TempDirectory _store = new("imgstore");
    private MonitoringServer _server = null!;

    public async Task InitializeAsync()
    {
        await ReferenceRepository.CreateAsync(_repo, train: 6, val: 2);
        _server = await MonitoringServer.StartAsync(new Dictionary<string, string?> { ["Monitoring:ImageStore:Url"] = _store.Path });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _store.Dispose();
        _repo.Dispose();
    }

    private object Model(int? imageRetentionDays) => new
    {
        classes = new[] { "circle", "square", "triangle" },
        embeddingModel = "random",
        schedule = "0 0 0 1 1 ? 2099",
        imageRetentionDays,
        trainedOn = new { repoPath = _repo.Root, pointerPath = "data/shapes.obs", revision = "shapes@v1" },
    };

    private async Task UploadAsync(string model, string id, byte[] image, DateTimeOffset at)
    {
        var form = new MultipartFormDataContent
        {
            { JsonContent.Create(new { events = new[] { new { id, timestamp = at, predictedClass = "circle", confidence = 0.9 } } }), "events" },
            { new ByteArrayContent(image), "image", $"{id}.jpg" },
        };
        using var r = await _server.Client.PostAsync($"/api/models/{model}/images", form);
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
    }

    /// <summary>An event of <paramref name="model"/> naming an image already kept.</summary>
    private async Task NameAsync(string model, string id, string sha, DateTimeOffset at)
    {
        using var r = await _server.Client.PostAsJsonAsync($"/api/models/{model}/events", new
        {
            events = new[] { new { id, timestamp = at, predictedClass = "circle", confidence = 0.9, embedding = new float[152], imageSha256 = sha } },
        });
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
    private bool Kept(string sha) => File.Exists(Path.Combine(_store.Path, "objects", sha[..2], sha[2..]));
    private static byte[] Image(int seed) => SampleDataset.RenderImage(seed, new SampleDatasetOptions(), out _);

    [Fact]
    public async Task ImagesPastTheirModelsRetention_AreDeleted_ButThoseAnotherModelOrADatasetVersionStillNames_AreSpared()
    {
        var now = _server.Time.GetUtcNow();
        var old = now.AddDays(-30);
        await _server.RegisterAsync("short", Model(imageRetentionDays: 7));
        await _server.RegisterAsync("month", Model(imageRetentionDays: 60));
        await _server.RegisterAsync("forever", Model(imageRetentionDays: null));

        var gone = Image(1);
        var newerElsewhere = Image(2);
        var keptForGood = Image(3);
        var stillRecent = Image(4);
        var exported = Image(7);
        // A file of the dataset version shapes@v1: the same object as an upload of its bytes.
        var inDataset = File.ReadAllBytes(Directory.EnumerateFiles(_repo.PathOf("data/shapes"), "*.*", SearchOption.AllDirectories)
            .First(f => f.EndsWith(".jpg", StringComparison.Ordinal) || f.EndsWith(".png", StringComparison.Ordinal)));
        await UploadAsync("short", "gone", gone, old);
        await UploadAsync("short", "elsewhere", newerElsewhere, old);
        await NameAsync("month", "elsewhere-m", Sha(newerElsewhere), now.AddDays(-2));
        await UploadAsync("short", "forgood", keptForGood, old);
        await NameAsync("forever", "forgood-f", Sha(keptForGood), old);
        await UploadAsync("short", "recent-old", stillRecent, old);
        await UploadAsync("short", "recent-new", stillRecent, now.AddDays(-1));
        await UploadAsync("short", "dataset", inDataset, old);
        await UploadAsync("short", "exported", exported, old);
        // An open export of a window that named it (as POST …/exports stores one); closing it releases the image.
        var store = _server.Services.GetRequiredService<IMonitoringStore>();
        Assert.True(await store.AddExportAsync(new ExportManifest("x1", "short", "1", old.AddHours(-1), old.AddHours(1), ExportSelection.LowConfidence, 1, ExportFormat.Yolo,
            ["circle", "square", "triangle"], now, null,
            [new ExportItem("exported", old, Sha(exported), "exported.jpg", $"/api/models/short/images/{Sha(exported)}", exported.Length, "circle", LabelSource.Prediction,
                "circle", null, "1", null, new ExportReason(null, 0.9))])));

        var result = await _server.Services.GetRequiredService<RetentionService>().PruneAsync(CancellationToken.None);

        Assert.False(Kept(Sha(gone)));
        Assert.All(new[] { newerElsewhere, keptForGood, stillRecent, inDataset, exported }, i => Assert.True(Kept(Sha(i))));
        Assert.Equal(1, result.ImagesDeleted);
        Assert.Equal(4, result.ImagesSpared);
        Assert.Equal(2, result.SparedBy[RetentionService.OtherModels]);
        Assert.Equal(1, result.SparedBy["dataset versions"]);
        Assert.Equal(1, result.SparedBy["open exports"]);
        Assert.Null(result.Undecided);
        // The event stays (its class, confidence, embedding); only its image's name goes with the image.
        var events = await store.GetEventsAsync("short", DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, 10, false);
        Assert.Null(events.Single(e => e.Id == "gone").ImageSha256);
        Assert.Equal(Sha(inDataset), events.Single(e => e.Id == "dataset").ImageSha256);
        // A kept image's hash is refused once it is gone.
        using var r = await _server.Client.PostAsJsonAsync("/api/models/short/events", new
        {
            events = new[] { new { id = "again", timestamp = now, predictedClass = "circle", confidence = 0.9, embedding = new float[152], imageSha256 = Sha(gone) } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);

        // A second run finds nothing more to delete; once the export is closed, its image goes.
        var again = await _server.Services.GetRequiredService<RetentionService>().PruneAsync(CancellationToken.None);
        Assert.Equal((0, 4), (again.ImagesDeleted, again.ImagesSpared));
        Assert.True(await store.DeleteExportAsync("short", "x1"));
        var closed = await _server.Services.GetRequiredService<RetentionService>().PruneAsync(CancellationToken.None);
        Assert.Equal((1, 3), (closed.ImagesDeleted, closed.ImagesSpared));
        Assert.False(Kept(Sha(exported)));
    }

    [Fact]
    public async Task EventRetention_DeletesOldDays_AndTheImagesOnlyTheyNamed_ButKeepsReferencePeriodsAndEventsOfExportedImages()
    {
        // Events are kept 40 days here; no model has imageRetentionDays.
        await _server.DisposeAsync();
        _server = await MonitoringServer.StartAsync(new Dictionary<string, string?> { ["Monitoring:ImageStore:Url"] = _store.Path, ["Monitoring:EventRetentionDays"] = "40" });
        var now = _server.Time.GetUtcNow();
        await _server.RegisterAsync("forever", Model(imageRetentionDays: null));
        await _server.RegisterAsync("ref", new { classes = new[] { "circle" }, embeddingDimension = 2, schedule = "0 0 0 1 1 ? 2099", referenceUntil = now.AddDays(-45) });
        byte[] onlyOld = Image(11), shared = Image(12), exported = Image(13), recent = Image(14);
        await UploadAsync("forever", "old", onlyOld, now.AddDays(-50));
        await UploadAsync("forever", "old-shared", shared, now.AddDays(-50));
        await NameAsync("forever", "new-shared", Sha(shared), now.AddDays(-1));
        await UploadAsync("forever", "old-exported", exported, now.AddDays(-50));
        await UploadAsync("forever", "recent", recent, now.AddDays(-10));
        using (var r = await _server.Client.PostAsJsonAsync("/api/models/ref/events", new
        {
            events = new[] { ("ref-old", -50), ("ref-after", -42) }.Select(e => new { id = e.Item1, timestamp = now.AddDays(e.Item2), predictedClass = "circle", confidence = 0.9, embedding = new float[] { 1, 2 } }),
        }))
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        var store = _server.Services.GetRequiredService<IMonitoringStore>();
        Assert.True(await store.AddExportAsync(new ExportManifest("x1", "forever", "1", now.AddDays(-51), now.AddDays(-49), ExportSelection.LowConfidence, 1, ExportFormat.Yolo,
            ["circle", "square", "triangle"], now, null,
            [new ExportItem("old-exported", now.AddDays(-50), Sha(exported), "e.jpg", $"/api/models/forever/images/{Sha(exported)}", exported.Length, "circle", LabelSource.Prediction,
                "circle", null, "1", null, new ExportReason(null, 0.9))])));

        var result = await _server.Services.GetRequiredService<RetentionService>().PruneAsync(CancellationToken.None);

        Assert.Equal(3, result.EventsDeleted);
        Assert.Contains("deleted 3 event(s) past Monitoring:EventRetentionDays", result.Describe());
        async Task<string[]> IdsAsync(string model) =>
            (await store.GetEventsAsync(model, DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, 100, false)).Select(e => e.Id).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["new-shared", "old-exported", "recent"], await IdsAsync("forever"));
        Assert.Equal(["ref-old"], await IdsAsync("ref"));
        // The image only deleted events named is gone with them (nothing could find it again); the others stay.
        Assert.False(Kept(Sha(onlyOld)));
        Assert.All(new[] { shared, exported, recent }, i => Assert.True(Kept(Sha(i))));
        Assert.Equal((1, 1, 1), (result.ImagesDeleted, result.ImagesSpared, result.SparedBy["open exports"]));
        // The export's image is still served: an event of its model names it.
        using (var r = await _server.Client.GetAsync($"/api/models/forever/images/{Sha(exported)}")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(0, (await _server.Services.GetRequiredService<RetentionService>().PruneAsync(CancellationToken.None)).EventsDeleted);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("10")]
    public async Task EventRetentionDays_NegativeOrShorterThanRetentionDays_StopsStartUp(string days)
    {
        var e = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            MonitoringServer.StartAsync(new Dictionary<string, string?> { ["Monitoring:EventRetentionDays"] = days, ["Monitoring:RetentionDays"] = "30" }));
        Assert.Contains("Monitoring:EventRetentionDays", e.Message);
    }

    [Fact]
    public async Task TheRetentionJob_RecordsHowManyImagesItDeletedAndSpared()
    {
        await _server.RegisterAsync("short", Model(imageRetentionDays: 7));
        await UploadAsync("short", "gone", Image(5), _server.Time.GetUtcNow().AddDays(-30));
        using (var run = await _server.Client.PostAsync("/api/jobs/retention/run", null)) Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        JobRun? last = null;
        await Poll.UntilAsync(async () =>
        {
            var jobs = await _server.Client.GetFromJsonAsync<List<JobStatus>>("/api/jobs", MonitoringServer.Json);
            last = jobs!.Single(j => j.Job == "retention").LastRun;
            return last is not null;
        }, "a retention run");
        Assert.Equal("succeeded", last!.Status);
        Assert.Contains("deleted 1 kept image(s)", last.Detail);
        Assert.Contains("spared 0", last.Detail);
        Assert.False(Kept(Sha(Image(5))));
    }

    [Fact]
    public async Task WhenADatasetRepositoryCannotBeRead_NoImageIsDeleted_AndTheRunSaysWhy()
    {
        await _server.RegisterAsync("short", Model(imageRetentionDays: 7));
        await UploadAsync("short", "old", Image(6), _server.Time.GetUtcNow().AddDays(-30));
        // The dataset's tree is no longer in the repository's cache: which files its versions name cannot be told.
        Directory.Delete(Path.Combine(_repo.Root, ".obs", "cache"), recursive: true);
        var result = await _server.Services.GetRequiredService<RetentionService>().PruneAsync(CancellationToken.None);
        Assert.Equal((0, 1), (result.ImagesDeleted, result.ImagesSpared));
        Assert.Contains("dataset versions", result.Undecided);
        Assert.True(Kept(Sha(Image(6))));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3651)]
    public async Task ImageRetentionDays_OutsideOneToTenYears_IsRefusedAtRegistration(int days)
    {
        using var r = await _server.Client.PutAsJsonAsync("/api/models/bad", Model(days), MonitoringServer.Json);
        var body = await r.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("imageRetentionDays", body);
        _ = JsonDocument.Parse(body);
    }
}
