using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Ports;

/// <summary>
/// Object storage holding the same layout as the cache (<c>&lt;prefix&gt;/objects/ab/cdef…</c>). Every object appears whole or not
/// at all (S3 PUT/multipart completion, or temp + rename in a folder), so an interrupted transfer never leaves a partial object.
/// </summary>
public interface IRemoteStore : IDisposable
{
    /// <summary>Where the objects are, for messages: no credentials ever.</summary>
    string DisplayUrl { get; }

    /// <summary>Every object the remote holds, by listing (one request per 1,000 keys on S3), not one request per object.</summary>
    Task<IReadOnlySet<ContentHash>> ListAsync(CancellationToken ct);

    /// <summary>Uploads a local file as the object; streamed (bounded memory), multipart for large files.</summary>
    Task UploadAsync(ContentHash hash, string localPath, long size, CancellationToken ct);

    /// <summary>Streams the object's bytes to <paramref name="consume"/>; the caller verifies the hash.</summary>
    Task DownloadAsync(ContentHash hash, Func<Stream, CancellationToken, Task> consume, CancellationToken ct);

    Task DeleteAsync(ContentHash hash, CancellationToken ct);
}

/// <summary>Opens a remote store from its configuration; the adapter project decides how (folder or S3).</summary>
public interface IRemoteStoreFactory
{
    /// <param name="workspaceRoot">Relative folder URLs resolve against it.</param>
    IRemoteStore Open(string name, Config.RemoteConfig config, string workspaceRoot);
}
