using System.Text;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Store;
using Observatory.Testing;

namespace Observatory.DataService.Tests.Store;

public sealed class ObjectCacheTests : IDisposable
{
    private readonly TempDirectory _dir = new("cache");
    private readonly ObjectCache _cache;

    public ObjectCacheTests() => _cache = new ObjectCache(_dir.Combine("objects"), _dir.Combine("tmp"));

    [Fact]
    public async Task AddFile_StoresTheObjectUnderItsHash_InTwoHexCharFolders()
    {
        var src = _dir.Combine("a.bin");
        await File.WriteAllTextAsync(src, "hello");
        var (hash, size) = await _cache.AddFileAsync(src, CancellationToken.None);
        Assert.Equal(ContentHash.Compute("hello"u8), hash);
        Assert.Equal(5, size);
        Assert.Equal(_dir.Combine("objects", hash.Hex[..2], hash.Hex[2..]), _cache.PathOf(hash));
        Assert.Equal("hello", await File.ReadAllTextAsync(_cache.PathOf(hash)));
        Assert.True(await _cache.VerifyAsync(hash, CancellationToken.None));
        // Objects are immutable: created read-only, so a careless write to the cache fails rather than corrupting one.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(_cache.PathOf(hash)));
        // The temp folder was missing and is made on the way; nothing is left in it.
        Assert.Empty(Directory.EnumerateFiles(_dir.Combine("tmp")));
    }

    [Fact]
    public async Task AddVerified_WithWrongContent_FailsAndStoresNothing()
    {
        var expected = ContentHash.Compute("good"u8);
        using var bad = new MemoryStream(Encoding.UTF8.GetBytes("evil"));
        var ex = await Assert.ThrowsAsync<DataCheckException>(() => _cache.AddVerifiedAsync(bad, expected, "s3://bucket/x", CancellationToken.None));
        Assert.Contains(expected.Hex, ex.Message);
        Assert.Contains("s3://bucket/x", ex.Message);
        Assert.False(_cache.Contains(expected));
        Assert.Empty(Directory.EnumerateFiles(_dir.Combine("tmp")));
    }

    [Fact]
    public async Task Verify_DetectsAnObjectCorruptedOnDisk()
    {
        var hash = await _cache.AddBytesAsync("data"u8.ToArray(), CancellationToken.None);
        var path = _cache.PathOf(hash);
        File.SetAttributes(path, FileAttributes.Normal);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllTextAsync(path, "DATA");
        Assert.False(await _cache.VerifyAsync(hash, CancellationToken.None));
    }

    [Fact]
    public void CleanTemp_RemovesLeftoversOfInterruptedWrites()
    {
        Directory.CreateDirectory(_dir.Combine("tmp"));
        File.WriteAllText(_dir.Combine("tmp", "tmp-0123456789abcdef"), "half");
        _cache.CleanTemp();
        Assert.Empty(Directory.EnumerateFiles(_dir.Combine("tmp")));
    }

    public void Dispose() => _dir.Dispose();
}
