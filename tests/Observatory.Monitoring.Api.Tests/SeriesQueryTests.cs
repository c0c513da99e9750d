using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>Time-range and downsampled result series, and the ingest rate, over real HTTP (SQLite).</summary>
public sealed class SeriesQueryTests : IAsyncLifetime
{
    private const int Windows = 2000;
    private static readonly int[] Spikes = [17, 900, 1999 - 5];
    private MonitoringServer _server = null!;
    private DateTimeOffset Start => _server.Time.GetUtcNow().AddHours(-Windows);
    private IMonitoringStore Store => _server.Services.GetRequiredService<IMonitoringStore>();

    public async Task InitializeAsync()
    {
        _server = await MonitoringServer.StartAsync();
        await _server.RegisterAsync("shapes", new { classes = new[] { "circle", "square" }, embeddingDimension = 4, schedule = "0 0 0 1 1 ? 2099" });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>Hourly windows; the spikes are drifted with a high statistic, the rest quiet.</summary>
    private async Task SeedHourlyAsync()
    {
        for (var i = 0; i < Windows; i++)
        {
            var spike = Spikes.Contains(i);
            await Store.AddResultAsync(new StoredResult("shapes", "drift", Start.AddHours(i), Start.AddHours(i + 1), 100, spike, spike ? 0.9 : 0.01 * (i % 5),
                $"{{\"window\":{{\"eventCount\":{i}}}}}", Start.AddHours(i + 1)));
        }
    }

    [Fact]
    public async Task Drift_WithMaxPoints_ReturnsAtMostThatManyWindowsWithBothEndsAndEverySpike()
    {
        await SeedHourlyAsync();
        using var r = await _server.Anonymous.GetAsync("/api/models/shapes/drift?maxPoints=100");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(Windows.ToString(), r.Headers.GetValues("X-Total-Count").Single());
        var list = (await r.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        Assert.Equal(100, list.Count);
        var ends = list.Select(x => x.GetProperty("windowEnd").GetDateTimeOffset()).ToList();
        Assert.Equal(Start.AddHours(1), ends[0]);
        Assert.Equal(Start.AddHours(Windows), ends[^1]);
        Assert.Equal(ends.Order(), ends);
        Assert.Equal(Spikes.Length, list.Count(x => x.GetProperty("flagged").GetBoolean()));
        Assert.Equal(Spikes.Select(s => Start.AddHours(s + 1)), list.Where(x => x.GetProperty("flagged").GetBoolean()).Select(x => x.GetProperty("windowEnd").GetDateTimeOffset()));
        Assert.Equal(17, list.First(x => x.GetProperty("flagged").GetBoolean()).GetProperty("details").GetProperty("window").GetProperty("eventCount").GetInt32());
    }

    [Fact]
    public async Task Drift_WithARange_ReturnsOnlyWindowsEndingInIt_BeyondTheLimitCap()
    {
        await SeedHourlyAsync();
        var from = Start.AddHours(101);
        var to = Start.AddHours(1300);
        using var r = await _server.Anonymous.GetAsync($"/api/models/shapes/drift?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}&maxPoints=5000");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var list = (await r.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        Assert.Equal(1200, list.Count);
        Assert.Equal(from, list[0].GetProperty("windowEnd").GetDateTimeOffset());
        Assert.Equal(to, list[^1].GetProperty("windowEnd").GetDateTimeOffset());

        var newest = await _server.Anonymous.GetFromJsonAsync<JsonElement>($"/api/models/shapes/drift?from={Uri.EscapeDataString(from.ToString("O"))}&limit=10");
        Assert.Equal(10, newest.GetArrayLength());
        Assert.Equal(Start.AddHours(Windows), newest[9].GetProperty("windowEnd").GetDateTimeOffset());
    }

    [Fact]
    public async Task Drift_WithCompactDetails_LeavesOutLongArraysAndKeepsScalarsAndShortArrays()
    {
        var p = string.Join(",", Enumerable.Range(0, 512).Select(i => "0.5"));
        await Store.AddResultAsync(new StoredResult("shapes", "drift", Start, Start.AddHours(1), 100, true, 0.3,
            $"{{\"embedding\":{{\"methods\":[{{\"method\":\"ks\",\"statistic\":0.3,\"details\":{{\"p_values\":[{p}],\"share_drifted_bonferroni\":0.25,\"drifted_dimensions_bonferroni\":[1,2]}}}}]}}}}", Start));
        var full = (await _server.Anonymous.GetFromJsonAsync<JsonElement>("/api/models/shapes/drift?maxPoints=10"))[0];
        var compact = (await _server.Anonymous.GetFromJsonAsync<JsonElement>("/api/models/shapes/drift?maxPoints=10&details=compact"))[0];
        JsonElement Details(JsonElement r) => r.GetProperty("details").GetProperty("embedding").GetProperty("methods")[0].GetProperty("details");
        Assert.Equal(512, Details(full).GetProperty("p_values").GetArrayLength());
        Assert.False(Details(compact).TryGetProperty("p_values", out _));
        Assert.Equal(0.25, Details(compact).GetProperty("share_drifted_bonferroni").GetDouble());
        Assert.Equal(2, Details(compact).GetProperty("drifted_dimensions_bonferroni").GetArrayLength());
        using var bad = await _server.Anonymous.GetAsync("/api/models/shapes/drift?details=tiny");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Theory]
    [InlineData("maxPoints=1")]
    [InlineData("maxPoints=5001")]
    [InlineData("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z")]
    public async Task Drift_WithAnInvalidSeriesQuery_IsABadRequest(string query)
    {
        using var r = await _server.Anonymous.GetAsync($"/api/models/shapes/drift?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
    }

    [Fact]
    public async Task Accuracy_WithMaxPoints_KeepsTheLowestAccuracyOfEachBucket()
    {
        for (var i = 0; i < 300; i++)
            await Store.AddResultAsync(new StoredResult("shapes", "accuracy", Start.AddHours(i), Start.AddHours(i + 1), 50, false, i == 150 ? 0.42 : 0.9, "{}", Start.AddHours(i + 1)));
        var list = await _server.Anonymous.GetFromJsonAsync<JsonElement>("/api/models/shapes/accuracy?maxPoints=10");
        Assert.Equal(10, list.GetArrayLength());
        Assert.Contains(list.EnumerateArray(), x => x.GetProperty("value").GetDouble() == 0.42);
    }

    [Fact]
    public async Task EventRate_CountsTheLastHourPerMinute()
    {
        var now = _server.Time.GetUtcNow();
        // 90 events in the last hour (3 a minute over the last 30 minutes) and 40 older ones that do not count.
        var events = Enumerable.Range(0, 90).Select(i => Event($"new-{i}", now.AddMinutes(-30).AddSeconds(20 * i)))
            .Concat(Enumerable.Range(0, 40).Select(i => Event($"old-{i}", now.AddHours(-3).AddSeconds(i)))).ToArray();
        using (var post = await _server.Client.PostAsJsonAsync("/api/models/shapes/events", new { events }, MonitoringServer.Json))
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        var rate = await _server.Anonymous.GetFromJsonAsync<JsonElement>("/api/models/shapes/events/rate?minutes=60");
        Assert.Equal(90, rate.GetProperty("total").GetInt64());
        Assert.Equal(1.5, rate.GetProperty("perMinute").GetDouble());
        Assert.Equal(60, rate.GetProperty("bucketSeconds").GetInt32());
        var buckets = rate.GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal(30, buckets.Count);
        Assert.All(buckets, b => Assert.Equal(3, b.GetProperty("count").GetInt64()));
    }

    private static object Event(string id, DateTimeOffset at) => new { id, timestamp = at, predictedClass = "circle", confidence = 0.9, embedding = new float[] { 0.1f, 0.2f, 0.3f, 0.4f } };
}
