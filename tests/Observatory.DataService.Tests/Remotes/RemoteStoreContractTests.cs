using System.Text;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Remotes;
using Observatory.Testing;

namespace Observatory.DataService.Tests.Remotes;

/// <summary>
/// The <see cref="IRemoteStore"/> contract every adapter passes, below the CLI: the <c>objects/ab/cdef…</c> layout, listing,
/// streamed round trips, packs committed by their index, ranged reads, and missing objects reported as store errors naming the
/// hash. Each test works under a fresh prefix, so adapters can share one server. The process-level suite is
/// <c>Observatory.Cli.Tests.RemoteContractTests</c>.
/// </summary>
public abstract class RemoteStoreContractTests : IDisposable
{
    private readonly TempDirectory _local = new("store-contract");

    /// <summary>A store rooted at <paramref name="prefix"/>, empty the first time it is opened.</summary>
    protected abstract IRemoteStore Open(string prefix);

    /// <summary>The file on disk that holds <paramref name="key"/> under a prefix (the folder itself, or s3rver's data file).</summary>
    protected abstract string FileOf(string prefix, string key);

    private static CancellationToken Ct => CancellationToken.None;

    private static string NewPrefix() => "c" + Guid.NewGuid().ToString("N")[..10];

    private (ContentHash Hash, string Path, byte[] Bytes) LocalObject(string text) => LocalObject(Encoding.UTF8.GetBytes(text));

    private (ContentHash Hash, string Path, byte[] Bytes) LocalObject(byte[] bytes)
    {
        var hash = ContentHash.Compute(bytes);
        var path = _local.Combine(hash.Hex);
        File.WriteAllBytes(path, bytes);
        return (hash, path, bytes);
    }

    private static async Task<byte[]> DownloadAsync(IRemoteStore store, ContentHash hash)
    {
        byte[] bytes = [];
        await store.DownloadAsync(hash, async (stream, c) =>
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, c);
            bytes = buffer.ToArray();
        }, Ct);
        return bytes;
    }

    private static async Task<byte[]> ReadRangeAsync(IRemoteStore store, string pack, long offset, long length)
    {
        byte[] bytes = [];
        await store.DownloadPackRangeAsync(pack, offset, length, async (stream, c) =>
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, c);
            bytes = buffer.ToArray();
        }, Ct);
        return bytes;
    }

    [Fact]
    public async Task NewRemote_ListsNoObjectsAndNoPacks()
    {
        using var store = Open(NewPrefix());
        Assert.Empty(await store.ListAsync(Ct));
        var packs = await store.ListPacksAsync(Ct);
        Assert.Empty(packs.Indexed);
        Assert.Empty(packs.DataFiles);
    }

    [Fact]
    public async Task UploadedObject_IsListed_AndDownloadsByteIdentical()
    {
        using var store = Open(NewPrefix());
        var a = LocalObject("first object");
        var b = LocalObject(Enumerable.Range(0, 300_000).Select(i => (byte)(i * 31)).ToArray());
        await store.UploadAsync(a.Hash, a.Path, a.Bytes.Length, Ct);
        await store.UploadAsync(b.Hash, b.Path, b.Bytes.Length, Ct);

        Assert.Equal(new HashSet<ContentHash> { a.Hash, b.Hash }, (await store.ListAsync(Ct)).ToHashSet());
        Assert.Equal(a.Bytes, await DownloadAsync(store, a.Hash));
        Assert.Equal(b.Bytes, await DownloadAsync(store, b.Hash));
    }

    [Fact]
    public async Task EmptyObject_RoundTrips()
    {
        using var store = Open(NewPrefix());
        var empty = LocalObject([]);
        await store.UploadAsync(empty.Hash, empty.Path, 0, Ct);
        Assert.Contains(empty.Hash, await store.ListAsync(Ct));
        Assert.Empty(await DownloadAsync(store, empty.Hash));
    }

    [Fact]
    public async Task Object_IsStoredUnderObjectsSlashTwoHexSlashRest()
    {
        var prefix = NewPrefix();
        using var store = Open(prefix);
        var a = LocalObject("layout");
        await store.UploadAsync(a.Hash, a.Path, a.Bytes.Length, Ct);
        Assert.True(File.Exists(FileOf(prefix, $"objects/{a.Hash.Hex[..2]}/{a.Hash.Hex[2..]}")), "the layout is shared with the cache and other tools: objects/ab/cdef…");
    }

    [Fact]
    public async Task UploadingTheSameObjectTwice_KeepsOneCopy()
    {
        using var store = Open(NewPrefix());
        var a = LocalObject("twice");
        await store.UploadAsync(a.Hash, a.Path, a.Bytes.Length, Ct);
        await store.UploadAsync(a.Hash, a.Path, a.Bytes.Length, Ct);
        Assert.Single(await store.ListAsync(Ct));
        Assert.Equal(a.Bytes, await DownloadAsync(store, a.Hash));
    }

    [Fact]
    public async Task MissingObject_FailsAsStoreError_NamingTheHash()
    {
        using var store = Open(NewPrefix());
        var absent = ContentHash.Compute("never uploaded"u8);
        var ex = await Assert.ThrowsAsync<StoreException>(() => DownloadAsync(store, absent));
        Assert.Contains(absent.Hex, ex.Message);
    }

    [Fact]
    public async Task DeletedObject_IsNoLongerListed()
    {
        using var store = Open(NewPrefix());
        var a = LocalObject("keep");
        var b = LocalObject("delete");
        await store.UploadAsync(a.Hash, a.Path, a.Bytes.Length, Ct);
        await store.UploadAsync(b.Hash, b.Path, b.Bytes.Length, Ct);
        await store.DeleteAsync(b.Hash, Ct);
        Assert.Equal(new HashSet<ContentHash> { a.Hash }, (await store.ListAsync(Ct)).ToHashSet());
    }

    [Fact]
    public async Task Pack_IsListedWithItsIndex_AndRangesReturnEachObject()
    {
        using var store = Open(NewPrefix());
        var objects = new[] { LocalObject("one"), LocalObject([]), LocalObject("three, a little longer") };
        var (index, indexBytes) = PackIndex.Build(objects.Select(o => (o.Hash, (long)o.Bytes.Length)));
        await store.UploadPackAsync(index.Id, objects.Select(o => new PackPart(o.Path, o.Bytes.Length)).ToList(), indexBytes, Ct);

        var listing = await store.ListPacksAsync(Ct);
        Assert.Equal(index.Id, Assert.Single(listing.Indexed));
        Assert.Equal(index.Id, Assert.Single(listing.DataFiles));
        Assert.Empty(await store.ListAsync(Ct)); // packed objects are found through indexes, not listed as loose
        Assert.Equal(indexBytes, await store.ReadPackIndexAsync(index.Id, Ct));
        foreach (var (o, e) in objects.Zip(index.Entries).Where(x => x.Second.Length > 0))
            Assert.Equal(o.Bytes, await ReadRangeAsync(store, index.Id, e.Offset, e.Length));
        var whole = await ReadRangeAsync(store, index.Id, 0, index.DataLength);
        Assert.Equal(objects.SelectMany(o => o.Bytes).ToArray(), whole);
    }

    [Fact]
    public async Task DeletedPack_LeavesNeitherIndexNorData()
    {
        using var store = Open(NewPrefix());
        var a = LocalObject("packed");
        var (index, indexBytes) = PackIndex.Build([(a.Hash, (long)a.Bytes.Length)]);
        await store.UploadPackAsync(index.Id, [new PackPart(a.Path, a.Bytes.Length)], indexBytes, Ct);
        await store.DeletePackAsync(index.Id, Ct);
        var listing = await store.ListPacksAsync(Ct);
        Assert.Empty(listing.Indexed);
        Assert.Empty(listing.DataFiles);
    }

    [Fact]
    public async Task MissingPackIndex_FailsAsStoreError()
    {
        using var store = Open(NewPrefix());
        var (index, _) = PackIndex.Build([(ContentHash.Compute("x"u8), 1L)]);
        await Assert.ThrowsAsync<StoreException>(() => store.ReadPackIndexAsync(index.Id, Ct));
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing) _local.Dispose();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}
