using System.Collections.Concurrent;
using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Store;

/// <summary>
/// A pull's hand-off from fetch to checkout. Fetch writes each small file to a temp file in the same pass as the cache write
/// (saving a create and a copy per file); checkout renames those into place, and copies the other objects fetch just verified
/// without hashing them again. Nothing reaches the workspace unless the whole fetch succeeded; whatever checkout did not take
/// is deleted on dispose.
/// </summary>
internal sealed class StagedCopies(string tempDirectory) : IDisposable
{
    /// <summary>A large file is copied by the kernel afterwards, which is faster than a second user-space write.</summary>
    private const long StageUpTo = 4L << 20;

    private readonly ConcurrentDictionary<ContentHash, string> _staged = new();
    private readonly ConcurrentDictionary<ContentHash, byte> _verified = new();

    /// <summary>Where fetch writes the second copy of an object of <paramref name="size"/> bytes; null: only the cache gets it.</summary>
    public string? PathFor(ContentHash hash, long size) => size <= StageUpTo ? _staged[hash] = AtomicFile.TempPath(tempDirectory) : null;

    /// <summary>Fetch stored the object, verified by its hash on the way in.</summary>
    public void Verified(ContentHash hash) => _verified.TryAdd(hash, 0);

    public bool WasVerified(ContentHash hash) => _verified.ContainsKey(hash);

    /// <summary>The staged copy of the object, from now on the caller's to move or delete; null when there is none.</summary>
    public string? Take(ContentHash hash) => _staged.TryRemove(hash, out var path) ? path : null;

    public void Dispose()
    {
        foreach (var path in _staged.Values) AtomicFile.TryDelete(path);
    }
}
