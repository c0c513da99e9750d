using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>Image URIs on events, the confidence histogram of a drift run, and the "least like the reference" query, over real HTTP.</summary>
public sealed class OutliersApiTests : IAsyncLifetime
{
    private const int Dim = 4;
    private MonitoringServer _server = null!;
    private DateTimeOffset T0 => _server.Time.GetUtcNow();
    private IMonitoringStore Store => _server.Services.GetRequiredService<IMonitoringStore>();

    public async Task InitializeAsync()
    {
        _server = await MonitoringServer.StartAsync();
        await _server.RegisterAsync("shapes", new
        {
            classes = new[] { "circle", "square" }, embeddingDimension = Dim, referenceUntil = T0.AddHours(-2), window = "00:30:00",
            schedule = "0 0 0 1 1 ? 2099", driftMethods = new[] { "mmd" },
        });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<HttpResponseMessage> SendAsync(IEnumerable<object> events) =>
        await _server.Client.PostAsJsonAsync("/api/models/shapes/events", new { events }, MonitoringServer.Json);

    private static object Event(string id, DateTimeOffset at, float[] embedding, double confidence, string? imageUri) =>
        new { id, timestamp = at, predictedClass = "circle", confidence, embedding, imageUri };

    [Fact]
    public async Task Outliers_OfTheLatestWindow_AreTheEventsFarthestFromTheReference_WithTheirImages()
    {
        var rng = new Random(3);
        float[] Near() => Enumerable.Range(0, Dim).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        // Reference: 60 events near the origin, one exactly at it (the typical one); window: 40 near ones and 3 far away.
        var reference = Enumerable.Range(0, 60).Select(i => Event($"ref-{i}", T0.AddHours(-3).AddMinutes(i), i == 7 ? new float[Dim] : Near(), 0.95, $"/img/ref-{i}.jpg"));
        var window = Enumerable.Range(0, 40).Select(i => Event($"cur-{i}", T0.AddMinutes(-20).AddSeconds(i), Near(), 0.75, i % 2 == 0 ? $"https://images.example/cur-{i}.jpg" : null))
            .Concat(new[] { 9f, 20f, 14f }.Select((far, i) => Event($"far-{i}", T0.AddMinutes(-10).AddSeconds(i), [far, 0, 0, 0], 0.55, $"https://images.example/far-{i}.jpg")));
        using (var r = await SendAsync(reference.Concat(window))) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await _server.Client.PostAsync("/api/models/shapes/jobs/drift/run", null)) Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        await Poll.UntilAsync(async () => (await Store.ListResultsAsync("shapes", "drift", 1)).Count == 1, "drift result");

        var outliers = await _server.Anonymous.GetFromJsonAsync<JsonElement>("/api/models/shapes/drift/outliers?count=3");
        Assert.Equal(43, outliers.GetProperty("windowEvents").GetInt32());
        Assert.Equal("period", outliers.GetProperty("referenceSource").GetString());
        var top = outliers.GetProperty("outliers").EnumerateArray().ToList();
        Assert.Equal(["far-1", "far-2", "far-0"], top.Select(o => o.GetProperty("id").GetString()!).ToArray());
        Assert.Equal("https://images.example/far-1.jpg", top[0].GetProperty("imageUri").GetString());
        Assert.True(top[0].GetProperty("distance").GetDouble() > 19);
        var typical = outliers.GetProperty("typical").EnumerateArray().First();
        Assert.Equal("ref-7", typical.GetProperty("id").GetString());
        Assert.Equal("/img/ref-7.jpg", typical.GetProperty("imageUri").GetString());

        var details = (await _server.Anonymous.GetFromJsonAsync<JsonElement>("/api/models/shapes/drift"))[0].GetProperty("details");
        var histogram = details.GetProperty("confidenceHistogram");
        Assert.Equal(60, histogram.GetProperty("reference").EnumerateArray().Sum(x => x.GetInt32()));
        Assert.Equal(60, histogram.GetProperty("reference")[9].GetInt32());
        Assert.Equal(40, histogram.GetProperty("current")[7].GetInt32());
        Assert.Equal(3, histogram.GetProperty("current")[5].GetInt32());

        using var unknown = await _server.Anonymous.GetAsync($"/api/models/shapes/drift/outliers?windowEnd={Uri.EscapeDataString(T0.AddDays(-9).ToString("O"))}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("data:image/png;base64,AAAA")]
    [InlineData("//evil.example/x.jpg")]
    [InlineData("/\\evil.example/x.jpg")] // hardening (low): browsers read /\host as //host
    [InlineData("/\t/evil.example/x.jpg")] // …and drop the tab
    [InlineData("https://ok.example/a\\b.jpg")]
    public async Task Events_WithAnImageUriThatIsNotHttpOrASitePath_AreRejected(string uri)
    {
        using var r = await SendAsync([Event("x", T0.AddMinutes(-1), new float[Dim], 0.9, uri)]);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("events[0].imageUri", await r.Content.ReadAsStringAsync());
    }
}
