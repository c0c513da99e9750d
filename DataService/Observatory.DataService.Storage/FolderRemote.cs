using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Store;

namespace Observatory.DataService.Storage;

/// <summary>A remote in a plain folder (a mounted share, a USB disk): <c>&lt;folder&gt;/objects/ab/cdef…</c>, written by temp + rename.</summary>
public sealed class FolderRemote : IRemoteStore
{
    private readonly string _root;
    private readonly string _objects;
    private readonly string _tmp;
    private readonly string _packs;

    public FolderRemote(string root)
    {
        _root = Path.GetFullPath(root);
        _objects = Path.Combine(_root, "objects");
        _tmp = Path.Combine(_root, "tmp");
        _packs = Path.Combine(_root, "packs");
    }

    public string DisplayUrl => _root;

    public Task<IReadOnlySet<ContentHash>> ListAsync(CancellationToken ct)
    {
        EnsureReachable();
        var set = new HashSet<ContentHash>();
        if (Directory.Exists(_objects))
        {
            foreach (var dir in Directory.EnumerateDirectories(_objects))
            {
                ct.ThrowIfCancellationRequested();
                var prefix = Path.GetFileName(dir);
                foreach (var file in Directory.EnumerateFiles(dir))
                    if (ContentHash.TryParseRelativePath(prefix + "/" + Path.GetFileName(file), out var h)) set.Add(h);
            }
        }
        return Task.FromResult<IReadOnlySet<ContentHash>>(set);
    }

    public Task<IReadOnlyDictionary<ContentHash, DateTimeOffset>> ListWrittenAsync(CancellationToken ct)
    {
        EnsureReachable();
        var result = new Dictionary<ContentHash, DateTimeOffset>();
        if (Directory.Exists(_objects))
        {
            foreach (var dir in Directory.EnumerateDirectories(_objects))
            {
                ct.ThrowIfCancellationRequested();
                var prefix = Path.GetFileName(dir);
                foreach (var file in new DirectoryInfo(dir).EnumerateFiles())
                    if (ContentHash.TryParseRelativePath(prefix + "/" + file.Name, out var h)) result[h] = file.LastWriteTimeUtc;
            }
        }
        return Task.FromResult<IReadOnlyDictionary<ContentHash, DateTimeOffset>>(result);
    }

    public Task UploadAsync(ContentHash hash, string localPath, long size, CancellationToken ct) =>
        WriteAsync(PathOf(hash), [new PackPart(localPath, size, hash)], ct);

    public async Task DownloadAsync(ContentHash hash, Func<Stream, CancellationToken, Task> consume, CancellationToken ct)
    {
        EnsureReachable();
        FileStream stream;
        try
        {
            stream = new FileStream(PathOf(hash), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new StoreException($"object {hash.Hex} is missing on remote {DisplayUrl}; push it from a machine that has it", ex);
        }
        await using (stream) await consume(stream, ct);
    }

    public Task DeleteAsync(ContentHash hash, CancellationToken ct)
    {
        File.Delete(PathOf(hash));
        return Task.CompletedTask;
    }

    public Task<PackListing> ListPacksAsync(CancellationToken ct)
    {
        EnsureReachable();
        var indexed = new HashSet<string>(StringComparer.Ordinal);
        var data = new HashSet<string>(StringComparer.Ordinal);
        var written = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        if (Directory.Exists(_packs))
        {
            foreach (var file in new DirectoryInfo(_packs).EnumerateFiles())
            {
                var name = file.Name;
                var id = Path.GetFileNameWithoutExtension(name);
                if (!Core.Remotes.PackIndex.IsValidId(id)) continue;
                if (name.EndsWith(".idx", StringComparison.Ordinal)) indexed.Add(id);
                else if (name.EndsWith(".pack", StringComparison.Ordinal)) data.Add(id);
                else continue;
                DateTimeOffset at = file.LastWriteTimeUtc;
                written[id] = written.TryGetValue(id, out var other) && other > at ? other : at;
            }
        }
        return Task.FromResult(new PackListing(indexed, data, written));
    }

    public async Task UploadPackAsync(string id, IReadOnlyList<PackPart> parts, ReadOnlyMemory<byte> index, CancellationToken ct)
    {
        await WriteAsync(PackPath(id, ".pack"), parts, ct);
        await AtomicFile.WriteAllBytesAsync(PackPath(id, ".idx"), index, _tmp, ct);
    }

    /// <summary>Writes the concatenation of local files to <paramref name="final"/>: a temp file in the remote's tmp/, then a rename.</summary>
    private async Task WriteAsync(string final, IReadOnlyList<PackPart> parts, CancellationToken ct)
    {
        EnsureReachable();
        Directory.CreateDirectory(_tmp);
        var temp = AtomicFile.TempPath(_tmp);
        try
        {
            await using (var dst = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                foreach (var part in parts)
                {
                    await using var src = UploadSource.Open(part);
                    await src.CopyToAsync(dst, 1 << 17, ct);
                }
                await dst.FlushAsync(ct);
                // On disk before the rename makes it visible: a shared remote's object (or a pack, before its index commits it)
                // must not turn out empty after a power loss on the machine that serves it.
                dst.Flush(flushToDisk: true);
            }
            AtomicFile.MoveInto(temp, final);
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
    }

    public async Task<byte[]> ReadPackIndexAsync(string id, CancellationToken ct)
    {
        EnsureReachable();
        try
        {
            return await File.ReadAllBytesAsync(PackPath(id, ".idx"), ct);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new StoreException($"pack index {id} is missing on remote {DisplayUrl}", ex);
        }
    }

    public async Task DownloadPackRangeAsync(string id, long offset, long length, Func<Stream, CancellationToken, Task> consume, CancellationToken ct)
    {
        EnsureReachable();
        FileStream stream;
        try
        {
            stream = new FileStream(PackPath(id, ".pack"), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new StoreException($"pack {id} is missing on remote {DisplayUrl}; its index is there, so the remote was changed behind obs' back", ex);
        }
        await using (stream)
        {
            stream.Seek(offset, SeekOrigin.Begin);
            await consume(new Core.Remotes.SliceStream(stream, length), ct);
        }
    }

    public Task DeletePackAsync(string id, CancellationToken ct)
    {
        File.Delete(PackPath(id, ".idx"));
        File.Delete(PackPath(id, ".pack"));
        return Task.CompletedTask;
    }

    private string PackPath(string id, string extension) =>
        Core.Remotes.PackIndex.IsValidId(id) ? Path.Combine(_packs, id + extension) : throw new StoreException($"'{id}' is not a pack id");

    private string PathOf(ContentHash hash) => Path.Combine(_objects, hash.RelativePath);

    /// <summary>The remote folder is created when its parent exists (as DVC's local remote); a missing parent is a missing mount.</summary>
    private void EnsureReachable()
    {
        if (Directory.Exists(_root)) return;
        var parent = Path.GetDirectoryName(_root);
        if (parent is null || !Directory.Exists(parent))
            throw new StoreException($"remote folder {_root} does not exist and neither does its parent; create it (mkdir -p) or fix the remote url");
        Directory.CreateDirectory(_root);
    }

    public void Dispose() { }
}
