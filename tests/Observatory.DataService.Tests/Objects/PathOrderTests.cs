using System.Text;
using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Tests.Objects;

public sealed class PathOrderTests
{
    [Theory]
    [InlineData("a-b", "a.b")]
    [InlineData("a.b", "a/b")]
    [InlineData("a", "a/b")]
    [InlineData("A", "a")]
    [InlineData("\uE000", "\U0001F600")]
    [InlineData("\uFFFD", "\U0001F600")]
    [InlineData("z", "\uE000")]
    [InlineData("\U0001F600", "\U0001F601")]
    [InlineData("x\U0001F600", "x\U0001F600a")]
    public void CompareCodePoints_OrdersAsUtf8Bytes(string lower, string higher)
    {
        Assert.True(PathOrder.CompareCodePoints(lower, higher) < 0);
        Assert.True(PathOrder.CompareCodePoints(higher, lower) > 0);
        Assert.Equal(0, PathOrder.CompareCodePoints(lower, lower));
    }

    [Fact]
    public void CompareCodePoints_AgreesWithUtf8ByteOrder_OnRandomNames()
    {
        // Characters drawn where the orders differ (surrogate pairs against U+E000–U+FFFF) and around '/', '-', '.'.
        string[] alphabet = ["/", "-", ".", "a", "b", "é", "\uE000", "\uFFFD", "\uD7FF", "\U0001F600", "\U00010000", "日"];
        var rng = new Random(7);
        string Next() => string.Concat(Enumerable.Range(0, rng.Next(0, 5)).Select(_ => alphabet[rng.Next(alphabet.Length)]));
        for (var n = 0; n < 20_000; n++)
        {
            var (a, b) = (Next(), Next());
            var expected = Math.Sign(Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b)));
            Assert.True(expected == Math.Sign(PathOrder.CompareCodePoints(a, b)), $"'{a}' vs '{b}'");
        }
    }
}
