using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Core.Exports;

namespace Observatory.Monitoring.Tests.Exports;

public sealed class ExportSelectorTests
{
    private static readonly DateTimeOffset T = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    private static ExportCandidate C(string id, double confidence, double? distance = null, string predicted = "cat", string? trueClass = null, string? nearest = null) =>
        new(new InferenceEvent(id, T, predicted, confidence, null, trueClass), distance, nearest);

    private static string[] Ids(IReadOnlyList<ExportCandidate> chosen) => chosen.Select(c => c.Event.Id).ToArray();

    [Fact]
    public void Outliers_AreTheFarthestFromTheReference_TiesByIdAndThoseWithoutADistanceLeftOut()
    {
        var chosen = ExportSelector.Select([C("a", 0.9, 1.0), C("b", 0.9, 5.0), C("d", 0.9, 3.0), C("c", 0.9, 3.0), C("e", 0.9)], ExportSelection.Outliers, 3, 1);
        Assert.Equal(["b", "c", "d"], Ids(chosen));
    }

    [Fact]
    public void LowConfidence_IsTheLeastSureFirst_TiesById()
    {
        var chosen = ExportSelector.Select([C("a", 0.9), C("z", 0.2), C("m", 0.2), C("q", 0.5)], ExportSelection.LowConfidence, 3, 1);
        Assert.Equal(["m", "z", "q"], Ids(chosen));
    }

    [Fact]
    public void Misclassified_AreLabelledEventsWhoseTrueClassDiffers_MostConfidentFirst()
    {
        var chosen = ExportSelector.Select(
        [
            C("right", 0.99, trueClass: "cat"),       // labelled and right: not a mistake
            C("unlabelled", 0.99),                  // no feedback: unknown
            C("wrong-low", 0.3, trueClass: "dog"),
            C("wrong-high", 0.95, trueClass: "dog"),
            C("wrong-tie-b", 0.6, trueClass: "fox"),
            C("wrong-tie-a", 0.6, trueClass: "dog"),
        ], ExportSelection.Misclassified, 10, 1);
        Assert.Equal(["wrong-high", "wrong-tie-a", "wrong-tie-b", "wrong-low"], Ids(chosen));
    }

    [Fact]
    public void Disagreement_IsAPredictionOtherThanTheNearestReferenceClass_MostConfidentFirst()
    {
        var chosen = ExportSelector.Select(
        [
            C("agrees", 0.99, 1, nearest: "cat"),
            C("unknown", 0.99, 1),                  // no nearest class known: cannot disagree
            C("d-low", 0.4, 1, nearest: "dog"),
            C("d-high", 0.8, 1, nearest: "dog"),
        ], ExportSelection.Disagreement, 10, 1);
        Assert.Equal(["d-high", "d-low"], Ids(chosen));
    }

    [Fact]
    public void Random_IsASeededSample_TheSameForTheSameSeed_WhateverTheInputOrder()
    {
        var candidates = Enumerable.Range(0, 50).Select(i => C($"e{i:D2}", 0.5)).ToList();
        var seed = ExportSelector.SeedOf(T);
        var first = Ids(ExportSelector.Select(candidates, ExportSelection.Random, 10, seed));
        var shuffled = candidates.OrderBy(c => c.Event.Id.GetHashCode()).Reverse().ToList();
        Assert.Equal(first, Ids(ExportSelector.Select(shuffled, ExportSelection.Random, 10, seed)));
        Assert.Equal(10, first.Distinct().Count());
        Assert.NotEqual(first, Ids(ExportSelector.Select(candidates, ExportSelection.Random, 10, ExportSelector.SeedOf(T.AddHours(1)))));
        // Not simply the first ten.
        Assert.NotEqual(Enumerable.Range(0, 10).Select(i => $"e{i:D2}").ToArray(), first);
        Assert.Equal(5, ExportSelector.Select(candidates.Take(5).ToList(), ExportSelection.Random, 10, seed).Count);
    }

    [Fact]
    public void Count_CapsEveryRule()
    {
        var candidates = Enumerable.Range(0, 20).Select(i => C($"e{i}", i / 20.0, i, trueClass: "dog", nearest: "dog")).ToList();
        foreach (var rule in Enum.GetValues<ExportSelection>())
            Assert.Equal(4, ExportSelector.Select(candidates, rule, 4, 7).Count);
    }
}
