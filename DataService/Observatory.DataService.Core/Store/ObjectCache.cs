using System.Buffers;
using System.Security.Cryptography;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Store;

/// <summary>
/// The local content-addressed cache (<c>.obs/cache/objects/ab/cdef…</c>). An object only ever appears under its name after
/// its bytes were hashed on the way in and matched the name, and it appears by an atomic rename, so a crash leaves either
/// the whole verified object or nothing (plus a temp file that <see cref="CleanTemp"/> removes).
/// </summary>
public sealed class ObjectCache
{
    private const int BufferSize = 1 << 17;

    public string ObjectsDirectory { get; }
    public string TempDirectory { get; }

    public ObjectCache(string objectsDirectory, string tempDirectory)
    {
        ObjectsDirectory = objectsDirectory;
        TempDirectory = tempDirectory;
    }

    public string PathOf(ContentHash hash) => Path.Combine(ObjectsDirectory, hash.RelativePath);

    public bool Contains(ContentHash hash) => File.Exists(PathOf(hash));

    /// <summary>Copies a file into the cache while hashing it; returns its hash and size. The object is verified by construction.</summary>
    public async Task<(ContentHash Hash, long Size)> AddFileAsync(string sourcePath, CancellationToken ct)
    {
        // As the download path does: the temp file is created read-only (no chmod) and its folder made only when missing (no
        // mkdir): `strace -c` of an add counted both once per file, beside the open, write and rename that must be.
        var temp = AtomicFile.TempPath(TempDirectory);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            ContentHash hash;
            long size = 0;
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                await using var src = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                await using var dst = AtomicFile.CreateTemp(temp, ReadOnly);
                int n;
                while ((n = await src.ReadAsync(buffer.AsMemory(0, BufferSize), ct)) > 0)
                {
                    sha.AppendData(buffer, 0, n);
                    await dst.WriteAsync(buffer.AsMemory(0, n), ct);
                    size += n;
                }
                hash = ContentHash.FromBytes(sha.GetHashAndReset());
            }
            Commit(temp, hash, alreadyReadOnly: true);
            return (hash, size);
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Hashes a file and makes it an object by hard-linking it into the cache (no copy), for <c>cache.type: hardlink</c>.
    /// The shared inode is made read-only, as DVC does, so an in-place edit cannot silently corrupt the object. Falls back to
    /// <see cref="AddFileAsync"/> when linking is impossible or the file changed while it was hashed.
    /// </summary>
    public async Task<(ContentHash Hash, long Size)> AddFileByLinkAsync(string sourcePath, CancellationToken ct)
    {
        var before = new FileInfo(sourcePath);
        var (size, mtime) = (before.Length, before.LastWriteTimeUtc);
        ContentHash hash;
        await using (var s = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
            hash = ContentHash.FromBytes(await SHA256.HashDataAsync(s, ct));
        if (Contains(hash)) return (hash, size);
        Directory.CreateDirectory(TempDirectory);
        var temp = AtomicFile.TempPath(TempDirectory);
        var after = new FileInfo(sourcePath);
        if (after.Length != size || after.LastWriteTimeUtc != mtime || !HardLink.TryCreate(sourcePath, temp))
            return await AddFileAsync(sourcePath, ct);
        Commit(temp, hash);
        return (hash, size);
    }

    /// <summary>Stores bytes whose hash the caller does not need to trust; returns the hash.</summary>
    public async Task<ContentHash> AddBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        var hash = ContentHash.Compute(bytes.Span);
        if (Contains(hash)) return hash;
        Directory.CreateDirectory(TempDirectory);
        var temp = AtomicFile.TempPath(TempDirectory);
        try
        {
            await File.WriteAllBytesAsync(temp, bytes.ToArray(), ct);
            Commit(temp, hash);
            return hash;
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Stores what <paramref name="write"/> writes, hashed on its way to a temp file; returns the hash. For objects too big to
    /// build in memory first: a million-file tree is ~110 MB of JSON, which as bytes (and their copies) was most of what `add` held.
    /// </summary>
    public ContentHash AddWritten(Action<Stream> write, CancellationToken ct)
    {
        Directory.CreateDirectory(TempDirectory);
        var temp = AtomicFile.TempPath(TempDirectory);
        try
        {
            ContentHash hash;
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize))
            using (var hashing = new HashingStream(file, ct))
            {
                write(hashing);
                hashing.Flush();
                hash = hashing.Result();
            }
            Commit(temp, hash);
            return hash;
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Streams <paramref name="source"/> into the cache and fails, leaving nothing, unless its SHA-256 equals <paramref name="expected"/>.
    /// Used for downloads, where the bytes come from somewhere that is not trusted.
    /// </summary>
    public async Task AddVerifiedAsync(Stream source, ContentHash expected, string origin, CancellationToken ct, string? alsoWriteTo = null)
    {
        var temp = AtomicFile.TempPath(TempDirectory);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            ContentHash actual;
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            await using (var dst = AtomicFile.CreateTemp(temp, ReadOnly))
            await using (var copy = alsoWriteTo is null ? null : AtomicFile.CreateTemp(alsoWriteTo))
            {
                int n;
                while ((n = await source.ReadAsync(buffer.AsMemory(0, BufferSize), ct)) > 0)
                {
                    sha.AppendData(buffer, 0, n);
                    await dst.WriteAsync(buffer.AsMemory(0, n), ct);
                    if (copy is not null) await copy.WriteAsync(buffer.AsMemory(0, n), ct);
                }
                actual = ContentHash.FromBytes(sha.GetHashAndReset());
            }
            if (actual != expected)
                throw new DataCheckException($"object {expected.Hex} from {origin} has the wrong content (its SHA-256 is {actual.Hex}); not stored");
            Commit(temp, expected, alreadyReadOnly: true);
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            if (alsoWriteTo is not null) AtomicFile.TryDelete(alsoWriteTo);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public Stream OpenRead(ContentHash hash)
    {
        try
        {
            return new FileStream(PathOf(hash), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new StoreException($"object {hash.Hex} is missing from the cache; run 'obs pull' or 'obs fetch' to get it", ex);
        }
    }

    public async Task<byte[]> ReadAllBytesAsync(ContentHash hash, CancellationToken ct)
    {
        await using var s = OpenRead(hash);
        var bytes = new byte[s.Length];
        await s.ReadExactlyAsync(bytes, ct);
        return bytes;
    }

    /// <summary>Re-hashes an object; false when its content no longer matches its name.</summary>
    public async Task<bool> VerifyAsync(ContentHash hash, CancellationToken ct)
    {
        await using var s = OpenRead(hash);
        var digest = await SHA256.HashDataAsync(s, ct);
        return ContentHash.FromBytes(digest) == hash;
    }

    public IEnumerable<ContentHash> EnumerateAll()
    {
        if (!Directory.Exists(ObjectsDirectory)) yield break;
        foreach (var dir in Directory.EnumerateDirectories(ObjectsDirectory))
        {
            var prefix = Path.GetFileName(dir);
            foreach (var file in Directory.EnumerateFiles(dir))
                if (ContentHash.TryParseRelativePath(prefix + "/" + Path.GetFileName(file), out var h)) yield return h;
        }
    }

    public long SizeOf(ContentHash hash) => new FileInfo(PathOf(hash)).Length;

    public void Delete(ContentHash hash) => File.Delete(PathOf(hash));

    /// <summary>Removes temp files left by an interrupted command (caller holds the workspace lock).</summary>
    public void CleanTemp()
    {
        if (!Directory.Exists(TempDirectory)) return;
        foreach (var f in Directory.EnumerateFiles(TempDirectory, "tmp-*")) AtomicFile.TryDelete(f);
    }

    private const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private void Commit(string temp, ContentHash hash, bool alreadyReadOnly = false)
    {
        var final = PathOf(hash);
        if (File.Exists(final))
        {
            AtomicFile.TryDelete(temp);
            return;
        }
        // Objects are immutable: read-only so a hardlinked or careless workspace write cannot corrupt them.
        if (!alreadyReadOnly && !OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, ReadOnly);
        AtomicFile.MoveInto(temp, final);
    }
}
