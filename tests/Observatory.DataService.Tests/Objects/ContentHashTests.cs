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
