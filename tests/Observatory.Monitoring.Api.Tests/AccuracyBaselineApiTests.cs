using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>The service decides "accuracy below baseline − tolerance" (by the upper end of its 95 % interval) for each accuracy window; clients read the flag and the interval, over real HTTP.</summary>
public sealed class AccuracyBaselineApiTests : IAsyncLifetime
{
    private MonitoringServer _server = null!;
    private DateTimeOffset T0 => _server.Time.GetUtcNow();
    private IMonitoringStore Store => _server.Services.GetRequiredService<IMonitoringStore>();

    public async Task InitializeAsync() => _server = await MonitoringServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<JsonElement> AccuracyWindowAsync(int right, double? baseline, double? ruleTolerance = null)
    {
        await _server.RegisterAsync("shapes", new
        {
            classes = new[] { "circle", "square" }, embeddingDimension = 2, baselineAccuracy = baseline, window = "00:30:00",
            schedule = "0 0 0 1 1 ? 2099", driftMethods = new[] { "mmd" },
            alertRules = ruleTolerance is { } t ? new object[] { new { id = "accuracy", kind = "accuracyBelowBaseline", severity = "critical", tolerance = t } } : null,
        });
        // 100 window events, `right` of them labelled with the predicted class: accuracy right/100.
        var events = Enumerable.Range(0, 100).Select(i => new
        {
            id = $"e-{i}", timestamp = T0.AddMinutes(-20).AddSeconds(i), predictedClass = "circle", confidence = 0.9, embedding = new[] { 0f, 1f },
        });
        using (var r = await _server.Client.PostAsJsonAsync("/api/models/shapes/events", new { events }, MonitoringServer.Json)) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var feedback = Enumerable.Range(0, 100).Select(i => new { id = $"e-{i}", trueClass = i < right ? "circle" : "square" });
        using (var r = await _server.Client.PostAsJsonAsync("/api/models/shapes/feedback", new { feedback }, MonitoringServer.Json)) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await _server.Client.PostAsync("/api/models/shapes/jobs/accuracy/run", null)) Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        await Poll.UntilAsync(async () => (await Store.ListResultsAsync("shapes", "accuracy", 1)).Count == 1, "accuracy result");
        return (await _server.Anonymous.GetFromJsonAsync<JsonElement>("/api/models/shapes/accuracy"))[0];
    }

    // 100 labels: the flag needs the exact 95 % interval's upper end (scipy beta.ppf(0.975, k+1, 100-k)) under 0.9 − 0.05, not the point.
    [Theory]
    [InlineData(77, true)]  // 0.77, interval up to 0.8483
    [InlineData(78, false)] // 0.78, interval up to 0.8567: below the point rule's line, but the interval still reaches it
    [InlineData(84, false)] // the point rule flagged this one
    [InlineData(95, false)]
    public async Task AccuracyWindow_CarriesTheServicesBelowBaselineFlag(int right, bool below)
    {
        var window = await AccuracyWindowAsync(right, 0.9);

        Assert.Equal(right / 100.0, window.GetProperty("value").GetDouble(), 9);
        Assert.Equal(below, window.GetProperty("details").GetProperty("window").GetProperty("accuracyBelowBaseline").GetBoolean());
        Assert.Equal(below, window.GetProperty("flagged").GetBoolean());
    }

    // 0.77 (interval up to 0.8483) is flagged at the default tolerance (line 0.85) but not by a model whose rule allows 0.1 (line 0.8);
    // 0.70 (up to 0.7868) is below both.
    [Theory]
    [InlineData(77, false)]
    [InlineData(70, true)]
    public async Task AccuracyWindow_IsFlaggedWithTheToleranceOfTheModelsOwnRule(int right, bool below)
    {
        var window = await AccuracyWindowAsync(right, 0.9, ruleTolerance: 0.1);

        Assert.Equal(below, window.GetProperty("flagged").GetBoolean());
    }

    [Fact]
    public async Task AccuracyWindow_CarriesTheExactIntervalOfItsMeasuredAccuracy()
    {
        var window = (await AccuracyWindowAsync(77, 0.9)).GetProperty("details").GetProperty("window");

        // scipy.stats.beta.ppf(0.025, 77, 24) and beta.ppf(0.975, 78, 23).
        Assert.Equal(0.6751412672248971, window.GetProperty("accuracyLower").GetDouble(), 9);
        Assert.Equal(0.8482683886989525, window.GetProperty("accuracyUpper").GetDouble(), 9);
        // No reference period: no estimate, so no band either.
        Assert.False(window.TryGetProperty("estimatedAccuracyUpper", out _));
    }

    [Fact]
    public async Task AccuracyWindow_OfAModelWithoutABaseline_HasNoFlag()
    {
        var window = await AccuracyWindowAsync(10, null);

        Assert.False(window.GetProperty("details").GetProperty("window").TryGetProperty("accuracyBelowBaseline", out _));
        Assert.False(window.GetProperty("flagged").GetBoolean());
    }
}
