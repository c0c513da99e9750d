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

    public FolderRemote(string root)
    {
        _root = Path.GetFullPath(root);
        _objects = Path.Combine(_root, "objects");
        _tmp = Path.Combine(_root, "tmp");
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
                    if (ContentHash.TryParse(prefix + Path.GetFileName(file), out var h)) set.Add(h);
            }
        }
        return Task.FromResult<IReadOnlySet<ContentHash>>(set);
    }

    public async Task UploadAsync(ContentHash hash, string localPath, long size, CancellationToken ct)
    {
        EnsureReachable();
        Directory.CreateDirectory(_tmp);
        var temp = AtomicFile.TempPath(_tmp);
        try
        {
            await using (var src = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
            await using (var dst = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                await src.CopyToAsync(dst, 1 << 17, ct);
                await dst.FlushAsync(ct);
            }
            var final = PathOf(hash);
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            File.Move(temp, final, overwrite: true);
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
    }

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

    private string PathOf(ContentHash hash) => Path.Combine(_objects, hash.Hex[..2], hash.Hex[2..]);

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
