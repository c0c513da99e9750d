using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Core.Windows;

namespace Observatory.Monitoring.Tests.Events;

public sealed class EventValidationTests
{
    private static readonly MonitoredModel Model = new() { Name = "m", Classes = ["a", "b"], EmbeddingDimension = 3 };
    private static readonly DateTimeOffset T = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ValidateBatch_NamesEachBadFieldByIndex()
    {
        var errors = EventValidation.ValidateBatch(Model,
        [
            new InferenceEvent("1", T, "a", 0.5, [1, 2, 3]),
            new InferenceEvent("2", T, "c", 0.5, [1, 2, 3]),
            new InferenceEvent("3", T, "a", double.PositiveInfinity, [1, 2]),
            new InferenceEvent("4", T, "a", 0.5, [1, float.NaN, 3]),
        ], 100);
        Assert.Equal(["events[1].predictedClass", "events[2].confidence", "events[2].embedding", "events[3].embedding[1]"], errors.Select(e => e.Field).ToArray());
    }

    [Fact]
    public void Tile_CoversTheRangeWithHalfOpenWindows()
    {
        var w = TimeWindow.Tile(T, T.AddMinutes(25), TimeSpan.FromMinutes(10));
        Assert.Equal(3, w.Count);
        Assert.Equal(T.AddMinutes(25), w[^1].End);
        Assert.False(w[0].Contains(w[0].End));
        Assert.True(w[1].Contains(w[0].End));
    }
}
