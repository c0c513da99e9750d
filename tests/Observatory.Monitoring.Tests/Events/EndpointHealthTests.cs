using System.Text.Json;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Alerts;
using Observatory.Monitoring.Core.Events;

namespace Observatory.Monitoring.Tests.Events;

/// <summary>Endpoint health per window against NumPy (Fixtures/health/make_endpoint_health.py), and the rules that read it.</summary>
public sealed class EndpointHealthTests
{
    private sealed record Case(double[] Latencies, bool[] Errors, double P95, double Error_rate);

    private static IEnumerable<Case> Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "health", "endpoint_health.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new Case(
            c.GetProperty("latencies").EnumerateArray().Select(x => x.GetDouble()).ToArray(),
            c.GetProperty("errors").EnumerateArray().Select(x => x.GetBoolean()).ToArray(),
            c.GetProperty("p95").GetDouble(), c.GetProperty("error_rate").GetDouble())).ToList();
    }

    [Fact]
    public void P95AndErrorRate_MatchNumPy_NearestRank()
    {
        var cases = Cases().ToList();
        Assert.Equal(7, cases.Count);
        foreach (var c in cases)
        {
            var events = c.Latencies.Select((ms, i) => new InferenceEvent($"e{i}", DateTimeOffset.UnixEpoch, "a", 0.9, null) { LatencyMs = ms, Error = c.Errors[i] ? "failed" : null }).ToList();
            var (rate, p95) = EndpointHealth.Of(events);
            Assert.Equal(c.P95, p95!.Value, 9);
            Assert.Equal(c.Error_rate, rate!.Value, 12);
        }
    }

    [Fact]
    public void NothingReported_IsNull_NotZero()
    {
        Assert.Equal(((double?)null, (double?)null), EndpointHealth.Of([]));
        var (rate, p95) = EndpointHealth.Of([new InferenceEvent("a", DateTimeOffset.UnixEpoch, "a", 0.9, null)]);
        Assert.Equal(0.0, rate);
        Assert.Null(p95);
    }

    [Fact]
    public void ErrorRateAndLatencyRules_FireAfterTheirConsecutiveWindowsOverTheThreshold()
    {
        WindowResult W(double? rate, double? p95) => new() { Model = "m", ErrorRate = rate, LatencyP95Ms = p95 };
        var errors = new AlertRule { Id = "errors", Kind = AlertRuleKind.ErrorRateAbove, Threshold = 0.05, ConsecutiveWindows = 2 };
        Assert.True(AlertRuleEvaluator.Evaluate(errors, [W(0.1, null), W(0.2, null)], null, null, DateTimeOffset.UnixEpoch).Active);
        Assert.False(AlertRuleEvaluator.Evaluate(errors, [W(0.1, null), W(0.05, null)], null, null, DateTimeOffset.UnixEpoch).Active);   // at the limit is not above
        var latency = new AlertRule { Id = "slow", Kind = AlertRuleKind.LatencyP95Above, Threshold = 250, ConsecutiveWindows = 1 };
        Assert.True(AlertRuleEvaluator.Evaluate(latency, [W(0, 300)], null, null, DateTimeOffset.UnixEpoch).Active);
        Assert.True(AlertRuleEvaluator.Evaluate(latency, [W(0, 300), W(0, null)], null, null, DateTimeOffset.UnixEpoch).Active);    // no latency reported: skipped
        Assert.False(AlertRuleEvaluator.Evaluate(latency, [W(0, 300), W(0, 100)], null, null, DateTimeOffset.UnixEpoch).Active);
    }
}
