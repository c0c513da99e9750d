using MathNet.Numerics.Statistics;

namespace Observatory.Monitoring.Core.Events;

/// <summary>
/// Endpoint health of a window, from what clients said about each prediction: the share of events that carry an error, and the
/// 95th percentile of their latencies (nearest rank, Hyndman–Fan R1: a latency some request really had, as NumPy's
/// <c>inverted_cdf</c>). Null when nothing was reported: no events, or no event with a latency.
/// </summary>
public static class EndpointHealth
{
    public static (double? ErrorRate, double? LatencyP95Ms) Of(IReadOnlyCollection<InferenceEvent> events)
    {
        if (events.Count == 0) return (null, null);
        var errorRate = events.Count(e => e.Error is not null) / (double)events.Count;
        var latencies = events.Where(e => e.LatencyMs is not null).Select(e => e.LatencyMs!.Value).ToArray();
        return (errorRate, latencies.Length == 0 ? null : Statistics.QuantileCustom(latencies, 0.95, QuantileDefinition.R1));
    }
}
