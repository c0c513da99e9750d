using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Storage;

namespace Observatory.DataService.Tests.Store;

public sealed class SqliteStatCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("obs-statcache-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static StatEntry Entry(string path, long size = 1) => new(path, new FileStamp(size, 42, 0), ContentHash.Compute(System.Text.Encoding.UTF8.GetBytes(path)));

    [Fact]
    public void ReadPrefix_StreamsExactlyTheFolder_InCodePointOrder()
    {
        using var cache = new SqliteStatCache(Path.Combine(_dir, "state.db"));
        string[] inside = ["data/a", "data/a/b", "data/a-b", "data/a.b", "data/\U0001F600", "data/\uE000", "data/\uFFFD", "data/é", "data/z/\U0001F600/x"];
        string[] outside = ["data", "data0/x", "data-x/y", "dat/z", "datb/a", "Data/a", "data\U0001F600/a", "other/data/a"];
        cache.Upsert(inside.Concat(outside).Reverse().Select(p => Entry(p)));

        var read = cache.ReadPrefix("data/").ToList();

        Assert.Equal(inside.Order(Comparer<string>.Create(PathOrder.CompareCodePoints)), read.Select(e => e.Path));
        Assert.All(read, e => Assert.Equal(Entry(e.Path), e));
    }

    [Fact]
    public void Upsert_ReplacesAnEntry_AndTakesALazySequenceOnce()
    {
        using var cache = new SqliteStatCache(Path.Combine(_dir, "state.db"));
        cache.Upsert([Entry("d/a", 1), Entry("d/b", 1)]);
        var enumerated = 0;
        cache.Upsert(Enumerable.Range(0, 1).Select(_ => { enumerated++; return Entry("d/a", 7); }));

        Assert.Equal(1, enumerated);
        Assert.Equal([7L, 1L], cache.ReadPrefix("d/").Select(e => e.Stamp.Size));
    }

    [Fact]
    public void ReadPrefix_WhileAnotherReadIsOpen_AndThenAWrite_DoesNotBlock()
    {
        // The merge reads at its own pace on its own connection: a write (the status' own upsert) must not wait for it.
        using var cache = new SqliteStatCache(Path.Combine(_dir, "state.db"));
        cache.Upsert(Enumerable.Range(0, 100).Select(i => Entry($"d/{i:D3}")));
        using var reading = cache.ReadPrefix("d/").GetEnumerator();
        Assert.True(reading.MoveNext());
        cache.Upsert([Entry("e/1")]);
        Assert.Single(cache.ReadPrefix("e/"));
        var n = 1;
        while (reading.MoveNext()) n++;
        Assert.Equal(100, n);
    }

    [Fact]
    public void RememberedTree_IsOnlyFoundForTheSameDatasetAndStamps_AndTheLatestWins()
    {
        using var cache = new SqliteStatCache(Path.Combine(_dir, "state.db"));
        var (s1, s2, t1, t2) = (ContentHash.Compute("s1"u8), ContentHash.Compute("s2"u8), ContentHash.Compute("t1"u8), ContentHash.Compute("t2"u8));
        Assert.Null(cache.RememberedTree("data/a", s1));
        cache.RememberTree("data/a", s1, t1);
        Assert.Equal(t1, cache.RememberedTree("data/a", s1));
        Assert.Null(cache.RememberedTree("data/a", s2));
        Assert.Null(cache.RememberedTree("data/b", s1));
        cache.RememberTree("data/a", s2, t2);
        Assert.Equal(t2, cache.RememberedTree("data/a", s2));
        Assert.Null(cache.RememberedTree("data/a", s1));
    }
}
