using System.Security.Cryptography;
using System.Text;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Remotes;

namespace Observatory.DataService.Tests;

public sealed class PackTests
{
    private static ContentHash H(int i) => ContentHash.Compute(Encoding.ASCII.GetBytes($"object {i}"));

    [Fact]
    public void Index_RoundTrips_AndItsIdIsTheSha256OfItsBytes()
    {
        var (index, bytes) = PackIndex.Build([(H(1), 10), (H(2), 0), (H(3), 7)]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), index.Id);
        Assert.Equal([0L, 10, 10], index.Entries.Select(e => e.Offset));
        Assert.Equal(17, index.DataLength);
        var parsed = PackIndex.Parse(bytes, index.Id, "test");
        Assert.Equal(index.Entries, parsed.Entries);
        Assert.StartsWith("obs-pack 1\n" + H(1).Hex + " 0 10\n", Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public void Index_WithBytesThatDoNotMatchItsId_IsRefusedNamingBoth()
    {
        var (index, bytes) = PackIndex.Build([(H(1), 10)]);
        bytes[^3] = (byte)'9';
        var ex = Assert.Throws<DataCheckException>(() => PackIndex.Parse(bytes, index.Id, "s3://b/p"));
        Assert.Contains(index.Id, ex.Message);
        Assert.Contains("s3://b/p", ex.Message);
    }

    [Fact]
    public void Index_WithOverlappingEntries_IsRefused()
    {
        var bytes = Encoding.ASCII.GetBytes($"obs-pack 1\n{H(1).Hex} 0 10\n{H(2).Hex} 5 10\n");
        var id = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var ex = Assert.Throws<DataCheckException>(() => PackIndex.Parse(bytes, id, "here"));
        Assert.Contains("line 3", ex.Message);
    }

    [Fact]
    public void PlanPush_PacksSmallObjectsInOrderUpToThePackSize_AndLeavesLargeOnesLoose()
    {
        var options = new PackingOptions { MaxObjectBytes = 100, PackBytes = 250 };
        var (loose, packs) = PackPlanner.PlanPush([(H(1), 100), (H(2), 101), (H(3), 100), (H(4), 50), (H(5), 1), (H(6), 100)], options);
        Assert.Equal([H(2)], loose);
        Assert.Equal(2, packs.Count);
        Assert.Equal([H(1), H(3), H(4)], packs[0].Select(p => p.Hash));
        Assert.Equal([H(5), H(6)], packs[1].Select(p => p.Hash));
    }

    [Fact]
    public void PlanPush_WithPackingOff_SendsEverythingLoose()
    {
        var (loose, packs) = PackPlanner.PlanPush([(H(1), 1), (H(2), 0)], new PackingOptions { MaxObjectBytes = 0 });
        Assert.Equal([H(1), H(2)], loose);
        Assert.Empty(packs);
    }

    [Fact]
    public void PlanReads_MergesNeighboursAcrossSmallGaps_AndSplitsAtTheSegmentSize()
    {
        var options = new PackingOptions { MaxGapBytes = 10, SegmentBytes = 100 };
        PackEntry E(int i, long offset, long length) => new(H(i), offset, length);
        var wanted = new[] { E(4, 200, 30), E(1, 0, 20), E(2, 25, 20), E(3, 60, 20), E(5, 235, 30) };
        var segments = PackPlanner.PlanReads(wanted, options);
        // 0–45 merge (gap 5); 60 starts a new read (gap 15 > 10); 200–265 merge (gap 5) but stay ≤ 100 bytes.
        Assert.Equal([(0L, 45L), (60L, 20L), (200L, 65L)], segments.Select(s => (s.Offset, s.Length)));
        var tight = PackPlanner.PlanReads([E(1, 0, 60), E(2, 60, 60)], options);
        Assert.Equal(2, tight.Count); // together 120 bytes > the 100-byte segment
    }

    [Theory]
    [InlineData("4096", 4096)]
    [InlineData("64K", 65536)]
    [InlineData("16MiB", 16L << 20)]
    [InlineData("1G", 1L << 30)]
    public void ByteSize_ParsesBytesAndBinarySuffixes(string text, long expected) => Assert.Equal(expected, ByteSize.Parse(text, "pack_size"));

    [Fact]
    public void ByteSize_RefusesNonSizesNamingTheKey()
    {
        var ex = Assert.Throws<UsageException>(() => ByteSize.Parse("lots", "pack_size"));
        Assert.Contains("pack_size", ex.Message);
    }

    [Fact]
    public async Task SliceStream_EndsAtItsLength_AndAnEarlyEndIsAnIoError()
    {
        var inner = new MemoryStream(Enumerable.Range(0, 100).Select(i => (byte)i).ToArray());
        var slice = new SliceStream(inner, 30);
        var copy = new MemoryStream();
        await slice.CopyToAsync(copy);
        Assert.Equal(30, copy.Length);
        Assert.Equal(30, inner.Position);
        var tooLong = new SliceStream(inner, 100);
        await Assert.ThrowsAsync<IOException>(() => tooLong.CopyToAsync(Stream.Null));
    }
}
