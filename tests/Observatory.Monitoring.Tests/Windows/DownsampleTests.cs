using Observatory.Monitoring.Core.Windows;

namespace Observatory.Monitoring.Tests.Windows;

public sealed class DownsampleTests
{
    [Fact]
    public void KeepExtremes_AYearOfHourlyWindows_KeepsAtMost500PointsWithTheEndsAndEverySpike()
    {
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var spikes = new HashSet<int> { 17, 4000, 8001 };
        var points = Enumerable.Range(0, 8760).Select(i => (At: start.AddHours(i), Score: spikes.Contains(i) ? 1.0 : 0.01 * (i % 7))).ToList();
        var kept = Downsample.KeepExtremes(points, 500, p => p.Score);
        Assert.Equal(500, kept.Count);
        Assert.Equal(points[0], kept[0]);
        Assert.Equal(points[^1], kept[^1]);
        Assert.Equal(3, kept.Count(p => p.Score == 1.0));
        Assert.True(kept.Zip(kept.Skip(1)).All(p => p.First.At < p.Second.At), "order kept");
    }

    [Fact]
    public void KeepExtremes_ShortSeries_IsReturnedUnchanged()
    {
        int[] points = [1, 2, 3];
        Assert.Same(points, Downsample.KeepExtremes(points, 500, p => p));
    }

    [Fact]
    public void KeepExtremes_KeepsTheWorstPointOfEachBucket()
    {
        double[] points = [0, 5, 1, 1, 9, 1, 2, 0];
        Assert.Equal([0, 5, 9, 0], Downsample.KeepExtremes(points, 4, p => p));
    }
}
