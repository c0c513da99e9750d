using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Pointers;

namespace Observatory.DataService.Tests.Objects;

public sealed class PointerFileTests
{
    private static readonly ContentHash Tree = ContentHash.Compute("tree"u8);

    [Fact]
    public void Serialize_ThenParse_RoundTripsEveryField()
    {
        var pointer = new PointerFile("food", Tree, 12, 3456, new ValidationSummary(1, 2, ContentHash.Compute("r"u8)),
            new PointerSource("../registry", "data/food", "food@v1", new string('a', 40)));
        var text = pointer.Serialize();
        Assert.Contains("path: food", text);
        Assert.Contains("hash: sha256", text);
        Assert.Contains($"tree: {Tree.Hex}", text);
        Assert.Equal(pointer, PointerFile.Parse(text, "x.obs"));
    }

    [Theory]
    [InlineData("path: ../../outside\ntree: TREE\n")]
    [InlineData("path: /etc\ntree: TREE\n")]
    [InlineData("path: food\ntree: nothex\n")]
    [InlineData("tree: TREE\n")]
    [InlineData("path: food\nhash: md5\ntree: TREE\n")]
    [InlineData("path: [unclosed\n")]
    public void Parse_RefusesBadPointers_NamingTheFile(string text)
    {
        var ex = Assert.ThrowsAny<ObsException>(() => PointerFile.Parse(text.Replace("TREE", Tree.Hex), "data/food.obs"));
        Assert.Contains("data/food.obs", ex.Message);
    }
}
