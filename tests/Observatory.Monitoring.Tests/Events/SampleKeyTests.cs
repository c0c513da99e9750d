using Observatory.Monitoring.Core.Events;

namespace Observatory.Monitoring.Tests.Events;

public sealed class SampleKeyTests
{
    /// <summary>
    /// Reference values from Debian's Python, independent of this code:
    /// <c>/usr/bin/python3 -c "import hashlib; print(int.from_bytes(hashlib.sha256('e1'.encode()).digest()[:8], 'big') &amp; (2**63-1))"</c>.
    /// PostgreSQL's migration computes the same expression; the store contract tests compare both.
    /// </summary>
    [Theory]
    [InlineData("e1", 818745696460766514L)]
    [InlineData("grüße-ø", 9012083915482606309L)]
    [InlineData("", 7183457195969485844L)]
    public void Key_IsTheFirst8BytesOfTheIdsSha256_BigEndian_WithoutTheSignBit(string id, long expected) =>
        Assert.Equal(expected, SampleKey.Of(id));

    [Fact]
    public void Keys_AreSpreadEvenly_SoTheSmallestOnesAreAUniformSample()
    {
        // 100,000 sequential ids in 10 equal key ranges: each within 4 % of its 10,000 expected (binomial sd ≈ 95, i.e. ±4 sd).
        var bins = new int[10];
        for (var i = 0; i < 100_000; i++) bins[(int)(SampleKey.Of($"event-{i}") / (long.MaxValue / 10 + 1))]++;
        Assert.All(bins, b => Assert.InRange(b, 9_600, 10_400));
    }
}
