using Observatory.Monitoring.Core.Drift;

namespace Observatory.Monitoring.Tests.Drift;

public sealed class RadixSortTests
{
    [Theory]
    [InlineData(1000, 1)]
    [InlineData(10_000, 2)]
    public void Sort_OrdersLikeArraySort_AcrossSignsAndMagnitudes(int n, int seed)
    {
        var rng = new Random(seed);
        var values = Enumerable.Range(0, n).Select(i => (i % 5) switch
        {
            0 => rng.NextDouble() * 1e300 * (rng.Next(2) * 2 - 1),
            1 => rng.NextDouble() * 1e-300 * (rng.Next(2) * 2 - 1),
            2 => Math.Round(rng.NextDouble() * 10 - 5), // ties
            3 => double.Epsilon * rng.Next(-3, 4),
            _ => rng.NextDouble() - 0.5,
        }).ToArray();
        var expected = (double[])values.Clone();
        Array.Sort(expected);
        RadixSort.Sort(values);
        // -0.0 and 0.0 compare equal, so compare numerically.
        for (var i = 0; i < n; i++) Assert.True(expected[i] == values[i], $"index {i}: {expected[i]} vs {values[i]}");
    }
}
