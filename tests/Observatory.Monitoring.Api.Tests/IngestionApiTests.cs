using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Observatory.Monitoring.Api.Tests.Storage;
using Observatory.Monitoring.Contracts;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>The ingestion API over real HTTP; runs on SQLite (<see cref="IngestionApiTests"/>) and PostgreSQL (<see cref="PostgresIngestionApiTests"/>).</summary>
public abstract class IngestionApiContract : IAsyncLifetime
{
    private MonitoringServer _server = null!;

    protected virtual Task<Dictionary<string, string?>> StoreSettingsAsync() => Task.FromResult(new Dictionary<string, string?>());

    public async Task InitializeAsync()
    {
        var settings = await StoreSettingsAsync();
        settings["Monitoring:MaxBatchSize"] = "50";
        settings["Monitoring:MaxBodyBytes"] = "200000";
        _server = await MonitoringServer.StartAsync(settings);
        await _server.RegisterAsync("shapes", new { classes = new[] { "circle", "square", "triangle" }, embeddingDimension = 4, baselineAccuracy = 0.9 });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static object Event(string id, string cls = "circle", double confidence = 0.9, float[]? embedding = null) =>
        new { id, timestamp = "2026-01-05T11:59:00Z", predictedClass = cls, confidence, embedding = embedding ?? new float[] { 0.1f, 0.2f, 0.3f, 0.4f } };

    private async Task<HttpResponseMessage> PostRawAsync(string json, string model = "shapes", HttpClient? client = null) =>
        await (client ?? _server.Client).PostAsync($"/api/models/{model}/events", new StringContent(json, Encoding.UTF8, "application/json"));

    private Task<HttpResponseMessage> PostAsync(object body, string model = "shapes") => PostRawAsync(JsonSerializer.Serialize(body), model);

    private async Task<long> CountAsync()
    {
        var doc = await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/shapes/events/count");
        return doc.GetProperty("count").GetInt64();
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage r)
    {
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        return await r.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static void AssertNamesField(JsonElement problem, string field)
    {
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"expected an error for '{field}', got {errors}");
    }

    [Fact]
    public async Task Events_WhenBatchValid_AreStoredAndCounted()
    {
        using var r = await PostAsync(new { events = new[] { Event("a"), Event("b", "square", 0.7) } });
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, body.GetProperty("inserted").GetInt32());
        Assert.Equal(2, await CountAsync());
    }

    [Fact]
    public async Task Events_WhenResent_AreNotDuplicated()
    {
        (await PostAsync(new { events = new[] { Event("a"), Event("b") } })).Dispose();
        using var r = await PostAsync(new { events = new[] { Event("b"), Event("c") } });
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, body.GetProperty("inserted").GetInt32());
        Assert.Equal(1, body.GetProperty("duplicates").GetInt32());
        Assert.Equal(3, await CountAsync());
    }

    [Fact]
    public async Task Events_WhenModelUnknown_Return400NamingModel()
    {
        using var r = await PostAsync(new { events = new[] { Event("a") } }, "nope");
        AssertNamesField(await ProblemAsync(r), "model");
    }

    [Fact]
    public async Task Events_WhenOneEmbeddingHasWrongDimension_Return400NamingIndexAndStoreNothing()
    {
        using var r = await PostAsync(new { events = new[] { Event("a"), Event("b"), Event("c", embedding: [1, 2, 3]) } });
        var p = await ProblemAsync(r);
        AssertNamesField(p, "events[2].embedding");
        Assert.Contains("expects 4", p.GetProperty("detail").GetString());
        Assert.Equal(0, await CountAsync());
    }

    [Theory]
    [InlineData("\"NaN\"", "events[1].confidence")]
    [InlineData("\"Infinity\"", "events[1].confidence")]
    public async Task Events_WhenConfidenceNotFinite_Return400NamingIt(string value, string field)
    {
        var json = "{\"events\":[{\"id\":\"a\",\"timestamp\":\"2026-01-05T11:59:00Z\",\"predictedClass\":\"circle\",\"confidence\":0.5,\"embedding\":[0,0,0,0]}," +
            "{\"id\":\"b\",\"timestamp\":\"2026-01-05T11:59:00Z\",\"predictedClass\":\"circle\",\"confidence\":" + value + ",\"embedding\":[0,0,0,0]}]}";
        using var r = await PostRawAsync(json);
        AssertNamesField(await ProblemAsync(r), field);
        Assert.Equal(0, await CountAsync());
    }

    [Fact]
    public async Task Events_WithBase64Embeddings_AreStoredBitExact_BesideNumberArrays()
    {
        // Values whose decimal text a careless client would round: the base64 form carries the float32 bits as they are.
        float[] exact = [0.1f, -1.0e-38f, 3.4028235e38f, 1f / 3];
        var json = $$"""{"events":[{"id":"b64","timestamp":"2026-01-05T11:59:00Z","predictedClass":"circle","confidence":0.5,"embedding":"{{EmbeddingJsonConverter.ToBase64(exact)}}"},{"id":"num","timestamp":"2026-01-05T11:59:01Z","predictedClass":"circle","confidence":0.5,"embedding":[0.5,0.25,0,1]}]}""";
        using var r = await PostRawAsync(json);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var rows = await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/shapes/events?from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z&embeddings=true");
        var byId = rows.EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray());
        Assert.Equal(exact.Select(BitConverter.SingleToInt32Bits), byId["b64"].Select(BitConverter.SingleToInt32Bits));
        Assert.Equal([0.5f, 0.25f, 0f, 1f], byId["num"]);
    }

    [Theory]
    [InlineData("\"not base64!\"", "events[0].embedding")]
    [InlineData("\"AAAAAAAAAAAAAA==\"", "events[0].embedding")]       // 10 bytes: not whole float32 values
    [InlineData("\"AAAAAAAAAAAAAAAA\"", "events[0].embedding")]       // 3 values where the model has 4 dimensions
    [InlineData("{\"x\":1}", "events[0].embedding")]
    [InlineData("[0,\"zero\",0,0]", "events[0].embedding")]
    public async Task Events_WhenAnEmbeddingIsNeitherNumbersNorWholeBase64Float32_Return400NamingItAndStoreNothing(string embedding, string field)
    {
        var json = $$"""{"events":[{"id":"bad","timestamp":"2026-01-05T11:59:00Z","predictedClass":"circle","confidence":0.5,"embedding":{{embedding}}}]}""";
        using var r = await PostRawAsync(json);
        var p = await ProblemAsync(r);
        var errors = p.GetProperty("errors");
        Assert.True(errors.EnumerateObject().Any(e => e.Name.StartsWith(field, StringComparison.Ordinal)), $"expected an error naming {field}, got {errors}");
        Assert.Equal(0, await CountAsync());
    }

    [Fact]
    public async Task Events_WhenEmbeddingHasNaN_Return400NamingTheComponent()
    {
        var json = """{"events":[{"id":"a","timestamp":"2026-01-05T11:59:00Z","predictedClass":"circle","confidence":0.5,"embedding":[0,"NaN",0,0]}]}""";
        using var r = await PostRawAsync(json);
        AssertNamesField(await ProblemAsync(r), "events[0].embedding[1]");
        Assert.Equal(0, await CountAsync());
    }

    [Fact]
    public async Task Events_WhenClassUnknown_Return400ListingValidClasses()
    {
        using var r = await PostAsync(new { events = new[] { Event("a"), Event("b", "hexagon") } });
        var p = await ProblemAsync(r);
        AssertNamesField(p, "events[1].predictedClass");
        Assert.Contains("circle, square, triangle", p.GetProperty("detail").GetString());
        Assert.Equal(0, await CountAsync());
    }

    [Fact]
    public async Task Events_WhenBatchTooLarge_Return400AndStoreNothing()
    {
        var events = Enumerable.Range(0, 51).Select(i => Event($"e{i}")).ToArray();
        using var r = await PostAsync(new { events });
        var p = await ProblemAsync(r);
        AssertNamesField(p, "events");
        Assert.Contains("limit is 50", p.GetProperty("detail").GetString());
        Assert.Equal(0, await CountAsync());
    }

    /// <summary>40 events padded to about 250 KB: past the 200,000-byte body limit these tests set.</summary>
    private static readonly string OversizedBatch = "{\"events\":[" + string.Join(",", Enumerable.Range(0, 40).Select(i =>
        $"{{\"id\":\"{new string('x', 100)}{i}\",\"timestamp\":\"2026-01-05T11:59:00Z\",\"predictedClass\":\"circle\",\"confidence\":0.5,\"embedding\":[0,0,0,0],\"pad\":\"{new string('p', 6000)}\"}}")) + "]}";

    [Fact]
    public async Task Events_WhenBodyTooLarge_Return400NamingBody()
    {
        using var r = await PostRawAsync(OversizedBatch);
        AssertNamesField(await ProblemAsync(r), "body");
        Assert.Equal(0, await CountAsync());
    }

    /// <summary>A body sent without Content-Length (chunked), so the service learns its size only by reading it.</summary>
    private async Task<HttpResponseMessage> PostChunkedAsync(string json)
    {
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/models/shapes/events") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        return await _server.Client.SendAsync(request);
    }

    [Fact]
    public async Task Events_WhenAChunkedBodyOutgrowsTheLimit_Return400NamingBodyAndStoreNothing()
    {
        // No length is declared, so the limit is met while reading: the service must stop there, not buffer what follows.
        using var r = await PostChunkedAsync(OversizedBatch);
        var p = await ProblemAsync(r);
        AssertNamesField(p, "body");
        Assert.Contains("200000", p.GetProperty("detail").GetString());
        Assert.Equal(0, await CountAsync());
    }

    [Fact]
    public async Task Events_AChunkedBodyLargerThanTheFirstReadBuffer_IsReadWholeAndStored()
    {
        // 30 events padded to ~150 KB: past the 64 KB the body buffer starts with, under the 200,000-byte limit.
        var body = "{\"events\":[" + string.Join(",", Enumerable.Range(0, 30).Select(i =>
            $"{{\"id\":\"c{i}\",\"timestamp\":\"2026-01-05T11:59:00Z\",\"predictedClass\":\"square\",\"confidence\":0.5,\"embedding\":[0.{i},0,0,1],\"error\":\"{new string('q', 480)}\",\"pad\":\"{new string('p', 4500)}\"}}")) + "]}";
        Assert.InRange(Encoding.UTF8.GetByteCount(body), 100_000, 199_000);
        using var r = await PostChunkedAsync(body);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(30, (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("inserted").GetInt32());
        Assert.Equal(30, await CountAsync());
    }

    [Fact]
    public async Task Events_WhenJsonMalformed_Return400WithPosition()
    {
        using var r = await PostRawAsync("""{"events":[{"id":"a","confidence":0.5,}""");
        var p = await ProblemAsync(r);
        Assert.Contains("malformed JSON", p.GetProperty("detail").GetString());
        Assert.Equal(0, await CountAsync());
    }

    [Fact]
    public async Task Events_WhenTimestampMissing_Return400NamingIndex()
    {
        using var r = await PostRawAsync("""{"events":[{"id":"a","predictedClass":"circle","confidence":0.5,"embedding":[0,0,0,0]}]}""");
        AssertNamesField(await ProblemAsync(r), "events[0].timestamp");
    }

    [Fact]
    public async Task Events_WhenIdRepeatedInBatch_Return400()
    {
        using var r = await PostAsync(new { events = new[] { Event("a"), Event("a") } });
        AssertNamesField(await ProblemAsync(r), "events[1].id");
        Assert.Equal(0, await CountAsync());
    }

    [Fact]
    public async Task Events_WhenApiKeyMissingOrWrong_Return401AndStoreNothing()
    {
        using var r = await PostRawAsync(JsonSerializer.Serialize(new { events = new[] { Event("a") } }), client: _server.Anonymous);
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/models/shapes/events")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { events = new[] { Event("a") } }), Encoding.UTF8, "application/json"),
        };
        wrong.Headers.Add("X-Api-Key", "not-the-key");
        using var r2 = await _server.Anonymous.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, r2.StatusCode);
        Assert.Equal(0, await CountAsync());
    }

    [Fact]
    public async Task Feedback_ReportsUnknownIdsAndLabelsKnownOnes()
    {
        (await PostAsync(new { events = new[] { Event("a"), Event("b") } })).Dispose();
        using var r = await _server.Client.PostAsJsonAsync("/api/models/shapes/feedback",
            new { feedback = new[] { new { id = "a", trueClass = "circle" }, new { id = "zzz", trueClass = "square" } } });
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, body.GetProperty("updated").GetInt32());
        Assert.Equal(new[] { "zzz" }, body.GetProperty("unknownIds").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    [Fact]
    public async Task Feedback_WhenTrueClassUnknown_Return400AndChangeNothing()
    {
        (await PostAsync(new { events = new[] { Event("a") } })).Dispose();
        using var r = await _server.Client.PostAsJsonAsync("/api/models/shapes/feedback",
            new { feedback = new[] { new { id = "a", trueClass = "circle" }, new { id = "a", trueClass = "blob" } } });
        AssertNamesField(await ProblemAsync(r), "feedback[1].trueClass");
    }

    [Fact]
    public async Task Models_WhenDefinitionInvalid_Return400NamingFields()
    {
        using var r = await _server.Client.PutAsJsonAsync("/api/models/bad", new { classes = Array.Empty<string>(), schedule = "every minute", driftMethods = new[] { "magic" } });
        var p = await ProblemAsync(r);
        AssertNamesField(p, "classes");
        AssertNamesField(p, "schedule");
        AssertNamesField(p, "driftMethods[0]");
    }

    [Fact]
    public async Task Models_AreListedAndReadBack()
    {
        var list = await _server.Client.GetFromJsonAsync<JsonElement>("/api/models");
        var model = Assert.Single(list.EnumerateArray());
        Assert.Equal("shapes", model.GetProperty("name").GetString());
        Assert.Equal(4, model.GetProperty("embeddingDimension").GetInt32());
    }

    [Fact]
    public async Task Service_ServesHealthMetricsAndOpenApi()
    {
        (await PostAsync(new { events = new[] { Event("a") } })).Dispose();
        Assert.Equal(HttpStatusCode.OK, (await _server.Anonymous.GetAsync("/healthz")).StatusCode);
        var metrics = await _server.Anonymous.GetStringAsync("/metrics");
        // Was observatory_events_ingested_total: Meter counters are exported as gauges (MeterAdapter), so no _total suffix.
        Assert.Contains("observatory_events_ingested{model=\"shapes\"} 1", metrics);
        var openapi = await _server.Anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(openapi.GetProperty("paths").TryGetProperty("/api/models/{model}/events", out _));
    }
}

public sealed class IngestionApiTests : IngestionApiContract;

[Collection(PostgresCollection.Name)]
public sealed class PostgresIngestionApiTests(PostgresServerFixture pg) : IngestionApiContract
{
    protected override async Task<Dictionary<string, string?>> StoreSettingsAsync() => new()
    {
        ["Monitoring:Store"] = "postgres",
        ["ConnectionStrings:Monitoring"] = await PostgresDatabases.CreateAsync(pg),
    };
}
