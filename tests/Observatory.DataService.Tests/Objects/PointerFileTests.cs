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

    [Fact]
    public void ExportBlock_RoundTrips_AsUtcText_AndAPointerWithoutItStillReads()
    {
        var export = new PointerExport("http://monitor:5080", "shapes", "v3", new DateTimeOffset(2026, 1, 5, 13, 0, 0, TimeSpan.FromHours(1)),
            new DateTimeOffset(2026, 1, 5, 12, 30, 0, TimeSpan.Zero), "low-confidence", 20, "exp-7");
        var pointer = new PointerFile("food", Tree, 12, 3456, Version: 2, Export: export);
        var text = pointer.Serialize();
        Assert.Contains("export:\n  service: http://monitor:5080\n  model: shapes\n  model_version: v3\n  window_start: 2026-01-05T12:00:00Z\n" +
            "  window_end: 2026-01-05T12:30:00Z\n  select: low-confidence\n  count: 20\n  id: exp-7\n", text);
        var parsed = PointerFile.Parse(text, "x.obs");
        Assert.Equal(pointer, parsed);
        Assert.Equal(TimeSpan.Zero, parsed.Export!.WindowStart.Offset);
        Assert.Equal(text, parsed.Serialize()); // re-writing a pointer changes no byte

        // A pointer written before the block existed, and one from an older obs that kept an unknown block, both read.
        var old = PointerFile.Parse($"path: food\nhash: sha256\ntree: {Tree.Hex}\nfiles: 1\nbytes: 2\n", "old.obs");
        Assert.Null(old.Export);
        Assert.Null(PointerFile.Parse($"path: food\ntree: {Tree.Hex}\nexport:\n  note: partial\n", "partial.obs").Export);
        var bad = Assert.Throws<DataCheckException>(() => PointerFile.Parse(text.Replace("2026-01-05T12:30:00Z", "yesterday", StringComparison.Ordinal), "data/food.obs"));
        Assert.Contains("export.window_end", bad.Message);
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
