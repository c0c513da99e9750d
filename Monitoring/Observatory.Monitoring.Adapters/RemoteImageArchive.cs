using Observatory.DataService.Core.Config;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Ports;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Adapters;

/// <summary>
/// <see cref="IImageArchive"/> over the remote adapters <c>obs push</c> uses (a folder, or an S3/MinIO bucket): one implementation
/// of the object layout and of atomic uploads for datasets and production images alike.
/// </summary>
internal sealed class RemoteImageArchive : IImageArchive, IDisposable
{
    private readonly Lazy<IRemoteStore> store;

    /// <param name="baseFolder">A relative folder URL resolves against it (the service's working directory).</param>
    public RemoteImageArchive(RemoteConfig config, string baseFolder, IRemoteStoreFactory factory)
    {
        store = new Lazy<IRemoteStore>(() => factory.Open("images", config, baseFolder));
        DisplayUrl = config.Url ?? "";
    }

    public string DisplayUrl { get; }

    public async Task KeepAsync(string sha256, ReadOnlyMemory<byte> image, CancellationToken cancellationToken)
    {
        var hash = ContentHash.Parse(sha256);
        // The adapters upload files (streamed, atomic): the image goes through a temp file of its own.
        var temp = Path.Combine(Path.GetTempPath(), $"obs-image-{Guid.NewGuid():N}");
        try
        {
            await File.WriteAllBytesAsync(temp, image, cancellationToken);
            await store.Value.UploadAsync(hash, temp, image.Length, cancellationToken);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public async Task<bool> ContainsAsync(string sha256, CancellationToken cancellationToken)
    {
        if (!ContentHash.TryParse(sha256, out var hash)) return false;
        try
        {
            await store.Value.DownloadAsync(hash, (_, _) => Task.CompletedTask, cancellationToken);
            return true;
        }
        catch (StoreException)
        {
            return false;
        }
    }

    public async Task DeleteAsync(string sha256, CancellationToken cancellationToken)
    {
        try { await store.Value.DeleteAsync(ContentHash.Parse(sha256), cancellationToken); }
        // A folder store deletes a file whose two-character folder may not exist: nothing was kept there.
        catch (DirectoryNotFoundException) { }
    }

    public async Task<byte[]?> ReadAsync(string sha256, long maxBytes, CancellationToken cancellationToken)
    {
        if (!ContentHash.TryParse(sha256, out var hash)) return null;
        byte[]? bytes = null;
        try
        {
            await store.Value.DownloadAsync(hash, async (stream, ct) => bytes = await ReadBoundedAsync(stream, maxBytes, sha256, ct), cancellationToken);
        }
        catch (StoreException)
        {
            return null;
        }
        // The store is outside the service: a file changed or damaged there must not be served as the image its name promises.
        var actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes!));
        if (actual != sha256)
            throw new KeptImageException($"the kept image {sha256[..12]}… in {DisplayUrl} is damaged: its bytes hash to {actual[..12]}…");
        return bytes;
    }

    /// <summary>Reads at most <paramref name="maxBytes"/>, so a huge object in the store cannot exhaust the service's memory.</summary>
    private static async Task<byte[]> ReadBoundedAsync(Stream stream, long maxBytes, string sha256, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > maxBytes)
                throw new KeptImageException($"the kept image {sha256[..12]}… is larger than {maxBytes} bytes (Monitoring:Images:MaxImageBytes)");
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    public async Task<Uri?> PresignReadAsync(string sha256, TimeSpan expiry, CancellationToken cancellationToken) =>
        store.Value is IPresignedDownloads presigning && ContentHash.TryParse(sha256, out var hash)
            ? await presigning.PresignDownloadAsync(hash, expiry, cancellationToken)
            : null;

    public void Dispose()
    {
        if (store.IsValueCreated) store.Value.Dispose();
    }
}
