using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Ports;
using Observatory.Samples;
using Observatory.Testing;
using Observatory.TrafficSimulator;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// A drift window exported as a dataset over real HTTP: each selection rule's items, pre-labels and reasons, idempotent re-runs,
/// the kept images served per model, and every refusal. The reference period has two clusters: circles at the origin and squares
/// at (10,0,0,0), so distances and nearest classes are known by construction.
/// </summary>
public sealed class ExportsApiTests : IAsyncLifetime
{
    private const int Dim = 4;
    private MonitoringServer _server = null!;
    private readonly Dictionary<string, byte[]> _images = [];
    private DateTimeOffset _windowEnd;
    private DateTimeOffset T0 => _server.Time.GetUtcNow();
    private IMonitoringStore Store => _server.Services.GetRequiredService<IMonitoringStore>();

    public async Task InitializeAsync()
    {
        _server = await MonitoringServer.StartAsync();
        await _server.RegisterAsync("shapes", new
        {
            classes = new[] { "circle", "square", "triangle" }, embeddingDimension = Dim, referenceUntil = T0.AddHours(-2), window = "00:30:00",
            schedule = "0 0 0 1 1 ? 2099", driftMethods = new[] { "mmd" }, version = "v2",
        });
        var rng = new Random(5);
        float[] Near(float x) => [x + (float)(rng.NextDouble() - 0.5) * 0.2f, (float)(rng.NextDouble() - 0.5) * 0.2f, 0, 0];
        var reference = Enumerable.Range(0, 40).Select(i => Event($"ref-{i}", T0.AddHours(-3).AddMinutes(i), i % 2 == 0 ? Near(0) : Near(10), i % 2 == 0 ? "circle" : "square", 0.9));
        await SendAsync(reference);

        // The window: what each rule should find, made so.
        var window = new List<object>
        {
            Event("far-2", T0.AddMinutes(-20), [0, 25, 0, 0], "circle", 0.8, await KeepAsync("far-2")),       // farthest (25 from a circle)
            Event("far-1", T0.AddMinutes(-19), [30, 0, 0, 0], "circle", 0.9, await KeepAsync("far-1", jpeg: true), // 20 from a square: disagrees
                boxes: [new EventBox("circle", 0.5, 0.4, 0.3, 0.2, 0.9)], modelVersion: "v1"),
            Event("low", T0.AddMinutes(-18), Near(0), "circle", 0.1, await KeepAsync("low")),                 // least sure
            Event("wrong", T0.AddMinutes(-17), Near(0), "circle", 0.95, await KeepAsync("wrong")),            // feedback says square
            Event("sq-ok", T0.AddMinutes(-16), Near(10), "square", 0.7, await KeepAsync("sq-ok")),
            Event("noimage", T0.AddMinutes(-15), [100, 0, 0, 0], "circle", 0.01),                              // would top two rules, but no image
        };
        for (var i = 0; i < 6; i++) window.Add(Event($"n-{i}", T0.AddMinutes(-14 + i), Near(0), "circle", 0.6 + i * 0.01, await KeepAsync($"n-{i}")));
        await SendAsync(window);
        using (var f = await _server.Client.PostAsJsonAsync("/api/models/shapes/feedback", new { feedback = new[] { new { id = "wrong", trueClass = "square" } } }))
            Assert.Equal(HttpStatusCode.OK, f.StatusCode);
        using (var r = await _server.Client.PostAsync("/api/models/shapes/jobs/drift/run?wait=true", null)) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        _windowEnd = (await Store.ListResultsAsync("shapes", StoredResults.Drift, 1)).Single().WindowEnd;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static object Event(string id, DateTimeOffset at, float[] embedding, string predictedClass, double confidence, string? imageSha256 = null,
        EventBox[]? boxes = null, string? modelVersion = null) =>
        new { id, timestamp = at, predictedClass, confidence, embedding, imageSha256, boxes, modelVersion };

    private async Task SendAsync(IEnumerable<object> events)
    {
        using var r = await _server.Client.PostAsJsonAsync("/api/models/shapes/events", new { events }, MonitoringServer.Json);
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
    }

    /// <summary>Keeps an image for the event (the bytes only need their magic number: nothing here decodes them).</summary>
    private async Task<string> KeepAsync(string id, bool jpeg = false)
    {
        byte[] bytes = [.. jpeg ? new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 } : [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], .. Encoding.UTF8.GetBytes("image of " + id)];
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        await _server.Services.GetRequiredService<IImageArchive>().KeepAsync(sha, bytes, CancellationToken.None);
        _images[id] = bytes;
        return sha;
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private async Task<(HttpStatusCode Status, ExportManifest? Manifest, string Body, HttpResponseMessage Response)> PostAsync(object request, HttpClient? client = null)
    {
        var r = await (client ?? _server.Client).PostAsJsonAsync("/api/models/shapes/exports", request, MonitoringServer.Json);
        var body = await r.Content.ReadAsStringAsync();
        return (r.StatusCode, r.IsSuccessStatusCode ? JsonSerializer.Deserialize<ExportManifest>(body, MonitoringServer.Json) : null, body, r);
    }

    private async Task<ExportManifest> ExportAsync(string select, int count)
    {
        var (status, manifest, body, _) = await PostAsync(new { windowEnd = _windowEnd, select, count });
        Assert.True(status == HttpStatusCode.Created, body);
        return manifest!;
    }

    [Fact]
    public async Task Outliers_AreTheFarthestEventsWithKeptImages_WithTheirReasonFileNameAndServicePath()
    {
        var m = await ExportAsync("outliers", 2);
        Assert.Equal(["far-2", "far-1"], m.Items.Select(i => i.EventId).ToArray());
        var top = m.Items[0];
        Assert.Equal(25, top.Reason.Distance!.Value, 0.5);
        Assert.Equal("circle", top.Reason.NearestReferenceClass);
        Assert.Equal(0.8, top.Reason.Confidence);
        Assert.Equal(("circle", LabelSource.Prediction, "circle", (string?)null), (top.Label, top.LabelSource, top.PredictedClass, top.TrueClass));
        Assert.Equal(Sha(_images["far-2"]), top.Sha256);
        Assert.Equal($"far-2-{top.Sha256[..12]}.png", top.FileName);
        Assert.Equal($"far-1-{m.Items[1].Sha256[..12]}.jpg", m.Items[1].FileName);
        Assert.Equal($"/api/models/shapes/images/{top.Sha256}", top.ImageUrl);
        Assert.Equal(_images["far-2"].Length, top.Bytes);
        Assert.Equal(["circle", "square", "triangle"], m.Classes);
        Assert.Equal(("shapes", ExportSelection.Outliers, 2, ExportFormat.Yolo, _windowEnd), (m.Model, m.Select, m.Count, m.Format, m.WindowEnd));
        Assert.Equal(_windowEnd.AddMinutes(-30), m.WindowStart);
        // One item each from v2 (stamped) and v1: the tie goes to the first by name; the note counts the event without an image.
        Assert.Equal("v1", m.ModelVersion);
        Assert.Contains("1 of the window's 12 events have no kept image", m.Note);

        // The service path serves the bytes, typed by their magic number, to a caller with the key.
        using var image = await _server.Client.GetAsync(top.ImageUrl);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal(_images["far-2"], await image.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", image.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", image.Headers.GetValues("X-Content-Type-Options").Single());
        using var jpeg = await _server.Client.GetAsync(m.Items[1].ImageUrl);
        Assert.Equal("image/jpeg", jpeg.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task LowConfidence_IsTheLeastSureEventWithAnImage()
    {
        var m = await ExportAsync("lowConfidence", 2);
        Assert.Equal(["low", "n-0"], m.Items.Select(i => i.EventId).ToArray());
        // Distances still explain the items of rules that do not use them.
        Assert.NotNull(m.Items[0].Reason.Distance);
        Assert.Equal("circle", m.Items[0].Reason.NearestReferenceClass);
    }

    [Fact]
    public async Task Misclassified_IsTheLabelledMistake_PreLabelledWithItsFeedback()
    {
        var m = await ExportAsync("misclassified", 10);
        var item = Assert.Single(m.Items);
        Assert.Equal(("wrong", "square", LabelSource.Feedback, "circle", "square"), (item.EventId, item.Label, item.LabelSource, item.PredictedClass, item.TrueClass));
        Assert.Contains("1 of the 10 asked for", m.Note);
    }

    [Fact]
    public async Task Disagreement_IsThePredictionOtherThanItsNearestReferenceClass_WithTheClientsBoxes()
    {
        var m = await ExportAsync("disagreement", 10);
        var item = Assert.Single(m.Items);
        Assert.Equal(("far-1", "circle", "square"), (item.EventId, item.PredictedClass, item.Reason.NearestReferenceClass));
        Assert.Equal([new EventBox("circle", 0.5, 0.4, 0.3, 0.2, 0.9)], item.Boxes);
        Assert.Equal("v1", item.ModelVersion);
    }

    [Fact]
    public async Task Random_IsASeededSampleOfEligibleEvents_TheSameForTheSameWindow()
    {
        var m = await ExportAsync("random", 4);
        var ids = m.Items.Select(i => i.EventId).ToArray();
        Assert.Equal(4, ids.Distinct().Count());
        Assert.DoesNotContain("noimage", ids);
        // Another export of the same window and rule (another count) draws from the same seed: deterministic, so asking again
        // after closing it gives the same items.
        Assert.Equal(HttpStatusCode.NoContent, (await _server.Client.DeleteAsync($"/api/models/shapes/exports/{m.Id}")).StatusCode);
        Assert.Equal(ids, (await ExportAsync("random", 4)).Items.Select(i => i.EventId).ToArray());
    }

    [Fact]
    public async Task TheSameRequestAgain_ReturnsTheExistingExport_ListGetAndDeleteCloseIt()
    {
        var (status, first, body, response) = await PostAsync(new { windowEnd = _windowEnd, select = "outliers", count = 3, format = "coco" });
        Assert.True(status == HttpStatusCode.Created, body);
        Assert.Equal($"/api/models/shapes/exports/{first!.Id}", response.Headers.Location!.OriginalString);
        _server.Time.Advance(TimeSpan.FromMinutes(5));
        var (again, second, _, _) = await PostAsync(new { windowEnd = _windowEnd, select = "outliers", count = 3, format = "coco" });
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.Equal((first.Id, first.CreatedAt), (second!.Id, second.CreatedAt));
        // Another count is another export.
        var (other, _, _, _) = await PostAsync(new { windowEnd = _windowEnd, select = "outliers", count = 2, format = "coco" });
        Assert.Equal(HttpStatusCode.Created, other);

        var list = await _server.Client.GetFromJsonAsync<List<ExportSummary>>("/api/models/shapes/exports", MonitoringServer.Json);
        Assert.Equal(2, list!.Count);
        Assert.Equal(3, list.Single(e => e.Id == first.Id).ItemCount);
        var got = await _server.Client.GetFromJsonAsync<ExportManifest>($"/api/models/shapes/exports/{first.Id}", MonitoringServer.Json);
        Assert.Equal(first.Items.Select(i => i.FileName), got!.Items.Select(i => i.FileName));
        Assert.Equal(ExportFormat.Coco, got.Format);
        Assert.Contains(first.Items[0].Sha256, await Store.ListExportedImagesAsync());

        using (var d = await _server.Client.DeleteAsync($"/api/models/shapes/exports/{first.Id}")) Assert.Equal(HttpStatusCode.NoContent, d.StatusCode);
        using (var g = await _server.Client.GetAsync($"/api/models/shapes/exports/{first.Id}")) Assert.Equal(HttpStatusCode.NotFound, g.StatusCode);
        using (var d = await _server.Client.DeleteAsync($"/api/models/shapes/exports/{first.Id}")) Assert.Equal(HttpStatusCode.NotFound, d.StatusCode);
        Assert.Single((await _server.Client.GetFromJsonAsync<List<ExportSummary>>("/api/models/shapes/exports", MonitoringServer.Json))!);

        // Deleting the model deletes its exports.
        using (var d = await _server.Client.DeleteAsync("/api/models/shapes")) Assert.Equal(HttpStatusCode.OK, d.StatusCode);
        Assert.Empty(await Store.ListExportsAsync("shapes"));
        Assert.Empty(await Store.ListExportedImagesAsync());
    }

    [Fact]
    public async Task WithoutTheKey_ExportsAndImagesAre401()
    {
        var sha = Sha(_images["low"]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(new { windowEnd = _windowEnd, select = "outliers", count = 1 }, _server.Anonymous)).Status);
        foreach (var path in new[] { "/api/models/shapes/exports", "/api/models/shapes/exports/x", $"/api/models/shapes/images/{sha}" })
        {
            using var r = await _server.Anonymous.GetAsync(path);
            Assert.True(r.StatusCode == HttpStatusCode.Unauthorized, path);
        }
        using var delete = await _server.Anonymous.DeleteAsync("/api/models/shapes/exports/x");
        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
    }

    [Fact]
    public async Task Images_AreServedOnlyForTheModelWhoseEventsNameThem_AndOnlyByWellFormedHash()
    {
        await _server.RegisterAsync("other", new { classes = new[] { "circle" }, schedule = "0 0 0 1 1 ? 2099" });
        var sha = Sha(_images["low"]);
        using (var r = await _server.Client.GetAsync($"/api/models/other/images/{sha}")) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        using (var r = await _server.Client.GetAsync($"/api/models/shapes/images/{new string('0', 64)}")) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        foreach (var bad in new[] { sha.ToUpperInvariant(), sha[..63], "..%2F..%2Fetc%2Fpasswd" })
        {
            using var r = await _server.Client.GetAsync($"/api/models/shapes/images/{bad}");
            var body = await r.Content.ReadAsStringAsync();
            Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"{bad}: {(int)r.StatusCode} {body}");
            Assert.Contains("sha256", body);
        }
    }

    [Fact]
    public async Task AKeptImageDamagedInTheStore_IsNotServed()
    {
        var sha = Sha(_images["sq-ok"]);
        var folder = _server.Services.GetRequiredService<IOptions<Infrastructure.MonitoringOptions>>().Value.ImageStore.Url!;
        await File.WriteAllBytesAsync(Path.Combine(folder, "objects", sha[..2], sha[2..]), "<html><script>alert(1)</script>"u8.ToArray());
        using var r = await _server.Client.GetAsync($"/api/models/shapes/images/{sha}");
        Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
        Assert.Contains("damaged", await r.Content.ReadAsStringAsync());
    }

    public static TheoryData<string, string> BadRequests => new()
    {
        { """{"select":"outliers","count":1}""", "windowEnd" },
        { """{"windowEnd":"WE","count":1}""", "select" },
        { """{"windowEnd":"WE","select":"bogus","count":1}""", "select" },
        { """{"windowEnd":"WE","select":9,"count":1}""", "select" },
        { """{"windowEnd":"WE","select":"outliers","count":1,"format":"voc"}""", "format" },
        { """{"windowEnd":"WE","select":"outliers"}""", "count" },
        { """{"windowEnd":"WE","select":"outliers","count":0}""", "count" },
        { """{"windowEnd":"WE","select":"outliers","count":5001}""", "count" },
        { """{"windowEnd":"yesterday","select":"outliers","count":1}""", "windowEnd" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task ABadField_IsA400NamingIt(string json, string field)
    {
        using var content = new StringContent(json.Replace("WE", _windowEnd.ToString("O")), Encoding.UTF8, "application/json");
        using var r = await _server.Client.PostAsync("/api/models/shapes/exports", content);
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.BadRequest, body);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), body);
    }

    [Fact]
    public async Task AWindowThatDoesNotExist_OrAModelThatDoesNot_Is404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(new { windowEnd = _windowEnd.AddMinutes(-1), select = "outliers", count = 1 })).Status);
        using var r = await _server.Client.PostAsJsonAsync("/api/models/nope/exports", new { windowEnd = _windowEnd, select = "outliers", count = 1 });
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
    }

    [Fact]
    public async Task RulesThatNeedEmbeddings_AreRefused_ForAModelWithout()
    {
        await _server.RegisterAsync("plain", new { classes = new[] { "circle", "square" }, window = "00:30:00", schedule = "0 0 0 1 1 ? 2099" });
        using (var r = await _server.Client.PostAsync("/api/models/plain/jobs/drift/run?wait=true", null)) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var end = (await Store.ListResultsAsync("plain", StoredResults.Drift, 1)).Single().WindowEnd;
        using var refused = await _server.Client.PostAsJsonAsync("/api/models/plain/exports", new { windowEnd = end, select = "disagreement", count = 1 }, MonitoringServer.Json);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, body);
        Assert.Contains("select", body);
        // Rules that do not need them work (an empty window: an empty export that says why).
        using var ok = await _server.Client.PostAsJsonAsync("/api/models/plain/exports", new { windowEnd = end, select = "lowConfidence", count = 1 }, MonitoringServer.Json);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
    }

    [Fact]
    public async Task MaxExportItems_IsTheCountLimit_AndABadValueStopsStartUp()
    {
        await Assert.ThrowsAsync<OptionsValidationException>(() => MonitoringServer.StartAsync(new Dictionary<string, string?> { ["Monitoring:MaxExportItems"] = "0" }));
        await using var small = await MonitoringServer.StartAsync(new Dictionary<string, string?> { ["Monitoring:MaxExportItems"] = "3" });
        await small.RegisterAsync("m", new { classes = new[] { "a" }, schedule = "0 0 0 1 1 ? 2099" });
        using var r = await small.Client.PostAsJsonAsync("/api/models/m/exports", new { windowEnd = _windowEnd, select = "random", count = 4 }, MonitoringServer.Json);
        var body = await r.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("between 1 and 3", body);
    }

    [Fact]
    public async Task Boxes_AreValidatedOnEvents_NamingTheBoxAndField()
    {
        using var r = await _server.Client.PostAsJsonAsync("/api/models/shapes/events", new
        {
            events = new[] { Event("boxed", T0.AddMinutes(-1), [0, 0, 0, 0], "circle", 0.9, boxes: [new EventBox("circle", 0.5, 0.5, 0.1, 0.1), new EventBox("hexagon", 0.5, 0.5, 0.1, 0.1)]) },
        }, MonitoringServer.Json);
        var body = await r.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("events[0].boxes[1].class", body);
        using var nan = await _server.Client.PostAsync("/api/models/shapes/events", new StringContent(
            $$"""{"events":[{"id":"nan","timestamp":"{{T0.AddMinutes(-1):O}}","predictedClass":"circle","confidence":0.9,"embedding":[0,0,0,0],"boxes":[{"class":"circle","x":"NaN","y":0.5,"width":0.1,"height":0.1}]}]}""",
            Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, nan.StatusCode);
        Assert.Contains("events[0].boxes[0].x", await nan.Content.ReadAsStringAsync());
        Assert.Empty(await Store.GetEventsAsync("shapes", T0.AddMinutes(-2), T0, 10, false));
    }
}

/// <summary>Boxes sent with uploaded images (the multipart route takes the same batch) are kept with their events.</summary>
public sealed class ImageUploadBoxesTests
{
    [Fact]
    public async Task BoxesSentWithImages_AreStored_AndBadOnesRefused()
    {
        await using var server = await MonitoringServer.StartAsync();
        await server.RegisterAsync("shapes", new { classes = new[] { "circle", "square" }, embeddingModel = "random", schedule = "0 0 0 1 1 ? 2099" });
        MultipartFormDataContent Form(string id, double width)
        {
            var box = new { @class = "square", x = 0.5, y = 0.5, width, height = 0.25 };
            return new MultipartFormDataContent
            {
                { JsonContent.Create(new { events = new[] { new { id, timestamp = server.Time.GetUtcNow(), predictedClass = "circle", confidence = 0.9, boxes = new[] { box } } } }), "events" },
                { new ByteArrayContent(SampleDataset.RenderImage(3, new SampleDatasetOptions(), out _)), "image", "a.jpg" },
            };
        }
        using (var bad = await server.Client.PostAsync("/api/models/shapes/images", Form("bad", 0)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("events[0].boxes[0].width", await bad.Content.ReadAsStringAsync());
        }
        using (var ok = await server.Client.PostAsync("/api/models/shapes/images", Form("ok", 0.5)))
            Assert.True(ok.StatusCode == HttpStatusCode.OK, await ok.Content.ReadAsStringAsync());
        var stored = await server.Services.GetRequiredService<IMonitoringStore>().GetEventsAsync("shapes", DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, 10, false);
        Assert.Equal([new EventBox("square", 0.5, 0.5, 0.5, 0.25)], Assert.Single(stored).Boxes);
    }
}

/// <summary>On an S3 image store, manifests hand out presigned URLs that download the right bytes without the service.</summary>
public sealed class ExportsS3Tests(S3ServerFixture s3) : IClassFixture<S3ServerFixture>
{
    [Fact]
    public async Task ExportItems_HavePresignedUrls_ThatDownloadTheKeptImage()
    {
        var prefix = "exp-" + Guid.NewGuid().ToString("N")[..8];
        await using var server = await MonitoringServer.StartAsync(s3.ImageStoreSettings(prefix));
        await server.RegisterAsync("shapes", new { classes = new[] { "circle", "square" }, embeddingModel = "random", window = "00:30:00", schedule = "0 0 0 1 1 ? 2099" });
        var images = new[] { 11, 12 }.Select(seed => SampleDataset.RenderImage(seed, new SampleDatasetOptions(), out _)).ToArray();
        var form = new MultipartFormDataContent
        {
            { JsonContent.Create(new { events = new[] { "a", "b" }.Select((id, i) => new { id, timestamp = server.Time.GetUtcNow().AddMinutes(-5 + i), predictedClass = "circle", confidence = 0.5 + i * 0.1 }) }), "events" },
        };
        foreach (var image in images) form.Add(new ByteArrayContent(image), "image", "x.jpg");
        using (var r = await server.Client.PostAsync("/api/models/shapes/images", form)) Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        using (var r = await server.Client.PostAsync("/api/models/shapes/jobs/drift/run?wait=true", null)) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var end = (await server.Services.GetRequiredService<IMonitoringStore>().ListResultsAsync("shapes", StoredResults.Drift, 1)).Single().WindowEnd;

        using var created = await server.Client.PostAsJsonAsync("/api/models/shapes/exports", new { windowEnd = end, select = "lowConfidence", count = 2 }, MonitoringServer.Json);
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        var manifest = JsonSerializer.Deserialize<ExportManifest>(body, MonitoringServer.Json)!;
        Assert.Equal(["a", "b"], manifest.Items.Select(i => i.EventId).ToArray());
        using var plain = new HttpClient();
        for (var i = 0; i < 2; i++)
        {
            var item = manifest.Items[i];
            Assert.StartsWith(s3.Endpoint.TrimEnd('/'), item.ImageUrl);
            Assert.Contains("X-Amz-Signature", item.ImageUrl);
            Assert.EndsWith(".jpg", item.FileName);
            Assert.Equal(images[i], await plain.GetByteArrayAsync(item.ImageUrl));
            // The service serves the same bytes from the bucket too.
            Assert.Equal(images[i], await server.Client.GetByteArrayAsync($"/api/models/shapes/images/{item.Sha256}"));
        }
        // The stored manifest keeps service paths; every read signs fresh URLs.
        var stored = await server.Services.GetRequiredService<IMonitoringStore>().GetExportAsync("shapes", manifest.Id);
        Assert.StartsWith("/api/models/shapes/images/", stored!.Items[0].ImageUrl);
    }
}

/// <summary>A model whose reference is a dataset version: its files have no classes the service reads, so disagreement is refused; outliers work.</summary>
public sealed class ExportsDatasetReferenceTests
{
    [Fact]
    public async Task Disagreement_IsRefusedForADatasetReference_WhileOutliersAreMeasuredAgainstIt()
    {
        using var repo = new GitSandbox("exportref");
        using var cache = new TempDirectory("embcache");
        await ReferenceRepository.CreateAsync(repo, train: 24, val: 6);
        await using var server = await MonitoringServer.StartAsync(new Dictionary<string, string?> { ["Monitoring:EmbeddingCacheDirectory"] = cache.Path });
        await server.RegisterAsync("cam", ReferenceRepository.Model(repo));
        var rng = new Random(9);
        var images = Enumerable.Range(0, 3).Select(_ => SampleDataset.RenderImage(rng.Next(), new SampleDatasetOptions { OnlyClasses = TrafficScenario.KnownClasses }, out IReadOnlyList<SampleObject> _)).ToList();
        var form = new MultipartFormDataContent
        {
            { new StringContent(JsonSerializer.Serialize(new { events = images.Select((_, i) => new { id = $"cam-{i}", timestamp = server.Time.GetUtcNow().AddMinutes(-20 + i), predictedClass = "circle", confidence = 0.9 }) })), "events" },
        };
        foreach (var image in images) form.Add(new ByteArrayContent(image), "images", "x.jpg");
        using (var r = await server.Client.PostAsync("/api/models/cam/images", form)) Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        using (var r = await server.Client.PostAsync("/api/models/cam/jobs/drift/run?wait=true", null)) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var end = (await server.Services.GetRequiredService<IMonitoringStore>().ListResultsAsync("cam", StoredResults.Drift, 1)).Single().WindowEnd;

        using var refused = await server.Client.PostAsJsonAsync("/api/models/cam/exports", new { windowEnd = end, select = "disagreement", count = 3 }, MonitoringServer.Json);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, body);
        Assert.Contains("disagreement needs a reference with classes", body);
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty("select", out _), body);

        using var outliers = await server.Client.PostAsJsonAsync("/api/models/cam/exports", new { windowEnd = end, select = "outliers", count = 3 }, MonitoringServer.Json);
        body = await outliers.Content.ReadAsStringAsync();
        Assert.True(outliers.StatusCode == HttpStatusCode.Created, body);
        var manifest = JsonSerializer.Deserialize<ExportManifest>(body, MonitoringServer.Json)!;
        Assert.Equal(3, manifest.Items.Count);
        Assert.All(manifest.Items, i => Assert.True(i.Reason.Distance > 0 && i.Reason.NearestReferenceClass is null));
        var distances = manifest.Items.Select(i => i.Reason.Distance!.Value).ToList();
        Assert.Equal(distances.OrderDescending(), distances);
    }
}
