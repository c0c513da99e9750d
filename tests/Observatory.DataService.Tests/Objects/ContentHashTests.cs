using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Tests.Objects;

public sealed class ContentHashTests
{
    [Fact]
    public void Compute_OfAbc_MatchesTheKnownSha256()
    {
        var hash = ContentHash.Compute("abc"u8);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hash.Hex);
        Assert.Equal("ba/7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hash.RelativePath);
    }

    [Theory]
    [InlineData("")]
    [InlineData("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a")]
    [InlineData("../7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("za7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    public void TryParse_RejectsAnythingButLowercaseHexOf64(string value)
    {
        Assert.False(ContentHash.TryParse(value, out _));
        Assert.Throws<FormatException>(() => ContentHash.Parse(value));
    }

    [Fact]
    public void TryParseRelativePath_ReadsBackWhatRelativePathWrote()
    {
        var hash = ContentHash.Compute("abc"u8);
        Assert.True(ContentHash.TryParseRelativePath(hash.RelativePath, out var parsed));
        Assert.Equal(hash, parsed);
    }

    [Theory]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("ba7/816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("ba/7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a")]
    [InlineData("BA/7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")]
    [InlineData("ba/7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.tmp")]
    public void TryParseRelativePath_RejectsAnythingButTheTwoHexFolderLayout(string value) =>
        Assert.False(ContentHash.TryParseRelativePath(value, out _));
}

/// <summary>The hash is held as 32 bytes, not as its hex: what callers see must be exactly what the hex string gave them.</summary>
public sealed class ContentHashRepresentationTests
{
    [Fact]
    public void Hex_ParseAndOrder_BehaveAsTheHexString()
    {
        var rng = new Random(11);
        var hashes = Enumerable.Range(0, 2_000).Select(_ =>
        {
            var digest = new byte[32];
            rng.NextBytes(digest);
            // Shared leading bytes so the order is decided in each of the four words.
            if (rng.Next(3) == 0) digest.AsSpan(0, rng.Next(32)).Clear();
            return ContentHash.FromBytes(digest);
        }).ToList();
        foreach (var h in hashes)
        {
            Assert.Equal(64, h.Hex.Length);
            Assert.Equal(h, ContentHash.Parse(h.Hex));
            Assert.Equal(h.Hex, h.ToString());
            Assert.Equal(h.Hex[..10], h.Short);
            Assert.Equal(h.Hex[..2] + "/" + h.Hex[2..], h.RelativePath);
        }
        for (var i = 1; i < hashes.Count; i++)
            Assert.Equal(Math.Sign(string.CompareOrdinal(hashes[i - 1].Hex, hashes[i].Hex)), Math.Sign(hashes[i - 1].CompareTo(hashes[i])));
        Assert.Equal(hashes.Select(h => h.Hex).Order(StringComparer.Ordinal), hashes.Order().Select(h => h.Hex));
    }

    [Fact]
    public void Default_IsEmpty_AndADigestOfZerosIsNot()
    {
        Assert.True(default(ContentHash).IsEmpty);
        Assert.Equal("", default(ContentHash).ToString());
        Assert.Null(default(ContentHash).Hex);
        var zeros = ContentHash.FromBytes(new byte[32]);
        Assert.False(zeros.IsEmpty);
        Assert.Equal(new string('0', 64), zeros.Hex);
        Assert.NotEqual(default, zeros);
        Assert.True(default(ContentHash).CompareTo(zeros) < 0);
    }

    [Fact]
    public void Equality_IsByValue()
    {
        var a = ContentHash.Compute("x"u8);
        var b = ContentHash.Parse(a.Hex);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, ContentHash.Compute("y"u8));
        Assert.Single(new HashSet<ContentHash> { a, b });
    }
}
