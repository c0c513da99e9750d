using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Ports;

/// <summary>File identity as cheap stat data: when it is unchanged, so is the file's hash.</summary>
public readonly record struct FileStamp(long Size, long MtimeTicks, long Inode);

/// <summary>A remembered hash of a workspace file, valid while its <see cref="FileStamp"/> is unchanged.</summary>
/// <remarks>A struct: status reads one per tracked file, and they are only ever passed through, never kept.</remarks>
public readonly record struct StatEntry(string Path, FileStamp Stamp, ContentHash Hash);

/// <summary>
/// Maps (repo-relative path, size, mtime, inode) to the file's SHA-256 so `status` and `add` on an unchanged tree cost a stat per
/// file instead of a hash. Implemented in SQLite (<c>.obs/state.db</c>); losing it only costs re-hashing.
/// </summary>
public interface IStatCache : IDisposable
{
    /// <summary>
    /// The entries whose path starts with <paramref name="prefix"/> (a folder, '/'-terminated), streamed in
    /// <see cref="PathOrder.CompareCodePoints(string?, string?)"/> order so a sorted listing can be merged with them: a million
    /// entries are never held at once. Dispose the enumerator to release the read.
    /// </summary>
    IEnumerable<StatEntry> ReadPrefix(string prefix);

    /// <summary>Inserts or replaces <paramref name="entries"/>, enumerated once (they may be produced lazily), in one transaction.</summary>
    void Upsert(IEnumerable<StatEntry> entries);

    /// <summary>
    /// The tree hash last computed for the dataset folder <paramref name="datasetPath"/> when its files had exactly the stamps
    /// summed up by <paramref name="stamps"/> (a digest of every path, size and mtime); null when those stamps were never seen.
    /// </summary>
    ContentHash? RememberedTree(string datasetPath, ContentHash stamps);

    /// <summary>Remembers <paramref name="tree"/> as the folder's tree while its stamps digest to <paramref name="stamps"/>.</summary>
    void RememberTree(string datasetPath, ContentHash stamps, ContentHash tree);
}
