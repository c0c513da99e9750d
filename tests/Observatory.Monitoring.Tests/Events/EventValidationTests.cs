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
    public void ValidateBatch_NamesEachBadBoxField()
    {
        var ok = new EventBox("a", 0, 1, 1, 0.5, 0.9);
        EventBox?[] boxes =
        [
            ok,
            new("c", 0.5, 0.5, 0.1, 0.1),             // [1] class unknown
            new("a", 1.5, 0.5, 0.1, 0.1),             // [2] x outside [0,1]
            new("a", 0.5, -0.1, 0.1, 0.1),            // [3] y outside
            new("a", 0.5, 0.5, 0, 0.1),               // [4] empty width
            new("a", 0.5, 0.5, 0.1, 1.01),            // [5] height beyond the image
            new("a", double.NaN, 0.5, 0.1, 0.1),      // [6] NaN
            new("a", 0.5, 0.5, double.PositiveInfinity, 0.1), // [7] Infinity
            new("a", 0.5, 0.5, 0.1, 0.1, 2),          // [8] confidence
            null,                                     // [9]
        ];
        var errors = EventValidation.ValidateBatch(Model, [new InferenceEvent("1", T, "a", 0.5, [1, 2, 3]) { Boxes = boxes! }], 100);
        Assert.Equal(["events[0].boxes[1].class", "events[0].boxes[2].x", "events[0].boxes[3].y", "events[0].boxes[4].width", "events[0].boxes[5].height",
            "events[0].boxes[6].x", "events[0].boxes[7].width", "events[0].boxes[8].confidence", "events[0].boxes[9]"], errors.Select(e => e.Field).ToArray());
        Assert.Contains("NaN", errors[5].Message);
    }

    [Fact]
    public void ValidateBatch_NamesABadLatencyOrError()
    {
        var errors = EventValidation.ValidateBatch(Model,
        [
            new InferenceEvent("1", T, "a", 0.5, [1, 2, 3]) { LatencyMs = 12.5, Error = "upstream 503" },
            new InferenceEvent("2", T, "a", 0.5, [1, 2, 3]) { LatencyMs = -1 },
            new InferenceEvent("3", T, "a", 0.5, [1, 2, 3]) { LatencyMs = double.NaN },
            new InferenceEvent("4", T, "a", 0.5, [1, 2, 3]) { Error = "" },
            new InferenceEvent("5", T, "a", 0.5, [1, 2, 3]) { Error = new string('x', 501) },
            new InferenceEvent("6", T, "a", 0.5, [1, 2, 3]) { Error = "line\nbreak" },
        ], 100);
        Assert.Equal(["events[1].latencyMs", "events[2].latencyMs", "events[3].error", "events[4].error", "events[5].error"], errors.Select(e => e.Field));
    }

    [Fact]
    public void ValidateBatch_AllowsAHundredBoxes_NotMore()
    {
        var box = new EventBox("b", 0.5, 0.5, 0.5, 0.5);
        Assert.Empty(EventValidation.ValidateBatch(Model, [new InferenceEvent("1", T, "a", 0.5, [1, 2, 3]) { Boxes = Enumerable.Repeat(box, 100).ToList() }], 100));
        var errors = EventValidation.ValidateBatch(Model, [new InferenceEvent("1", T, "a", 0.5, [1, 2, 3]) { Boxes = Enumerable.Repeat(box, 101).ToList() }], 100);
        Assert.Equal("events[0].boxes", Assert.Single(errors).Field);
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
