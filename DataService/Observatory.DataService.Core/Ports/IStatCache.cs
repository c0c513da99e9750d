using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Ports;

/// <summary>File identity as cheap stat data: when it is unchanged, so is the file's hash.</summary>
public readonly record struct FileStamp(long Size, long MtimeTicks, long Inode);

/// <summary>A remembered hash of a workspace file, valid while its <see cref="FileStamp"/> is unchanged.</summary>
public sealed record StatEntry(string Path, FileStamp Stamp, ContentHash Hash);

/// <summary>
/// Maps (repo-relative path, size, mtime, inode) to the file's SHA-256 so `status` and `add` on an unchanged tree cost a stat per
/// file instead of a hash. Implemented in SQLite (<c>.obs/state.db</c>); losing it only costs re-hashing.
/// </summary>
public interface IStatCache : IDisposable
{
    /// <summary>All entries whose path starts with <paramref name="prefix"/> (a folder, '/'-terminated), keyed by path.</summary>
    IReadOnlyDictionary<string, StatEntry> LoadPrefix(string prefix);

    void Upsert(IReadOnlyCollection<StatEntry> entries);
}
