using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Ports;

/// <summary>
/// Object storage holding the cache's layout (<c>&lt;prefix&gt;/objects/ab/cdef…</c>) plus packs of small objects
/// (<c>&lt;prefix&gt;/packs/&lt;id&gt;.pack</c> with its index <c>&lt;id&gt;.idx</c>). Every object and pack appears whole or not at
/// all (S3 PUT completion, or temp + rename in a folder), so an interrupted transfer never leaves a partial one.
/// </summary>
public interface IRemoteStore : IDisposable
{
    /// <summary>Where the objects are, for messages: no credentials ever.</summary>
    string DisplayUrl { get; }

    /// <summary>Every loose object the remote holds, by listing (one request per 1,000 keys on S3), not one request per object.</summary>
    Task<IReadOnlySet<ContentHash>> ListAsync(CancellationToken ct);

    /// <summary>Every loose object with when it was written: gc spares young ones, which a push may still be committing.</summary>
    Task<IReadOnlyDictionary<ContentHash, DateTimeOffset>> ListWrittenAsync(CancellationToken ct);

    /// <summary>Uploads a local file as the object; streamed (bounded memory), multipart for large files.</summary>
    Task UploadAsync(ContentHash hash, string localPath, long size, CancellationToken ct);

    /// <summary>Streams the object's bytes to <paramref name="consume"/>; the caller verifies the hash.</summary>
    Task DownloadAsync(ContentHash hash, Func<Stream, CancellationToken, Task> consume, CancellationToken ct);

    Task DeleteAsync(ContentHash hash, CancellationToken ct);

    /// <summary>Pack ids under <c>packs/</c>: those with an index, and those whose data file exists (a pack without an index is an interrupted upload).</summary>
    Task<PackListing> ListPacksAsync(CancellationToken ct);

    /// <summary>Uploads the concatenation of <paramref name="parts"/> as the pack's data, then its index; the index is the commit point.</summary>
    Task UploadPackAsync(string id, IReadOnlyList<PackPart> parts, ReadOnlyMemory<byte> index, CancellationToken ct);

    Task<byte[]> ReadPackIndexAsync(string id, CancellationToken ct);

    /// <summary>Streams <paramref name="length"/> bytes of a pack's data from <paramref name="offset"/> (one ranged request).</summary>
    Task DownloadPackRangeAsync(string id, long offset, long length, Func<Stream, CancellationToken, Task> consume, CancellationToken ct);

    /// <summary>Deletes the index first, so a pack is never listed without its data.</summary>
    Task DeletePackAsync(string id, CancellationToken ct);
}

/// <summary>
/// A remote that can hand out time-limited download URLs of its objects (S3 signs them); a folder cannot. Whoever holds such a
/// URL may read that one object until it expires, without credentials.
/// </summary>
public interface IPresignedDownloads
{
    Task<Uri> PresignDownloadAsync(ContentHash hash, TimeSpan expiry, CancellationToken ct);
}

/// <summary>
/// One local file that becomes a slice of a pack (or a whole loose object). With <paramref name="Hash"/>, the adapter hashes the
/// bytes as it sends them and fails the upload when they do not match, so a cache file damaged on disk never reaches a remote.
/// </summary>
public sealed record PackPart(string LocalPath, long Size, Objects.ContentHash? Hash = null);

/// <summary>Pack ids by what exists of them; <paramref name="Written"/> is, per id, the newest write of its data or index.</summary>
public sealed record PackListing(IReadOnlySet<string> Indexed, IReadOnlySet<string> DataFiles, IReadOnlyDictionary<string, DateTimeOffset> Written);

/// <summary>Whose configuration names a remote: this workspace's own, or another repository's (a registry), which is anyone's input.</summary>
public enum RemoteConfigOrigin
{
    OwnWorkspace,
    Foreign,
}

/// <summary>Opens a remote store from its configuration; the adapter project decides how (folder or S3).</summary>
public interface IRemoteStoreFactory
{
    /// <param name="workspaceRoot">Relative folder URLs resolve against it.</param>
    /// <param name="origin">A foreign configuration never receives the user's own environment credentials unless the environment vouches for its endpoint.</param>
    IRemoteStore Open(string name, Config.RemoteConfig config, string workspaceRoot, RemoteConfigOrigin origin = RemoteConfigOrigin.OwnWorkspace);
}
