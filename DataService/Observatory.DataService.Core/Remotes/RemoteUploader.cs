using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Remotes;

/// <summary>Sends cache objects to a remote, loose or packed, retrying transient failures; the counterpart of <see cref="RemoteFetcher"/>.</summary>
internal static class RemoteUploader
{
    public static async Task UploadLooseAsync(ObsRepository repo, IRemoteStore remote, ContentHash hash, CancellationToken ct)
    {
        var size = repo.Cache.SizeOf(hash);
        await Retry.TransferAsync(c => remote.UploadAsync(hash, repo.Cache.PathOf(hash), size, c), repo.Time, ct);
        repo.Progress.Advance(size);
    }

    /// <summary>Uploads the objects as one pack and keeps its index locally, so the next listing does not download it.</summary>
    public static async Task<PackIndex> UploadPackAsync(ObsRepository repo, IRemoteStore remote, IReadOnlyList<(ContentHash Hash, long Length)> objects, CancellationToken ct)
    {
        var (index, bytes) = PackIndex.Build(objects);
        var parts = objects.Select(o => new PackPart(repo.Cache.PathOf(o.Hash), o.Length, o.Hash)).ToList();
        await Retry.TransferAsync(c => remote.UploadPackAsync(index.Id, parts, bytes, c), repo.Time, ct);
        await RemoteCatalog.RememberAsync(repo.PackIndexDir, repo.TempDir, index.Id, bytes, ct);
        repo.Progress.Advance(index.DataLength);
        return index;
    }
}
