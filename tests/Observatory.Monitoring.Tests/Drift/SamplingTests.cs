using Observatory.Monitoring.Core.Drift;

namespace Observatory.Monitoring.Tests.Drift;

public sealed class SamplingTests
{
    [Fact]
    public void Reservoir_KeepsCapacityItems_AndIsUniformOverTheStream()
    {
        // Each of 100 items should be kept with probability 10/100; over 2,000 seeded runs the counts sit near 200.
        var counts = new int[100];
        for (var run = 0; run < 2000; run++)
        {
            var r = new ReservoirSampler<int>(10, run);
            for (var i = 0; i < 100; i++) r.Offer(i);
            Assert.Equal(10, r.Items.Count);
            foreach (var v in r.Items) counts[v]++;
        }
        Assert.All(counts, c => Assert.InRange(c, 140, 260));
    }

    [Fact]
    public void Reservoir_WithSameSeed_KeepsSameItems()
    {
        ReservoirSampler<int> Make()
        {
            var r = new ReservoirSampler<int>(5, 9);
            for (var i = 0; i < 1000; i++) r.Offer(i);
            return r;
        }
        Assert.Equal(Make().Items, Make().Items);
        Assert.Equal(1000, Make().Seen);
    }

    [Fact]
    public void SubsampleRows_ReturnsDistinctRowsInOrder_AndAllRowsWhenUnderCap()
    {
        var m = new DataMatrix(50, 1, Enumerable.Range(0, 50).Select(i => (double)i).ToArray());
        var s = Sampling.SubsampleRows(m, 20, 3);
        Assert.Equal(20, s.Rows);
        Assert.Equal(s.Data.Order().ToArray(), s.Data);
        Assert.Equal(20, s.Data.Distinct().Count());
        Assert.Same(m, Sampling.SubsampleRows(m, 100, 3));
    }
}
