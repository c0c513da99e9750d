using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Queries;

namespace Observatory.DataService.Storage;

/// <summary>Opens the local files an upload sends: a size check, and the hash of every byte sent when the part names one.</summary>
internal static class UploadSource
{
    public static Stream Open(PackPart part)
    {
        var file = new FileStream(part.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        if (file.Length != part.Size)
        {
            file.Dispose();
            throw new StoreException($"{part.LocalPath} changed size while being uploaded ({file.Length} bytes, expected {part.Size})");
        }
        // The push re-hashes what it sends: the cache is trusted by name, and a damaged file must not become the remote's copy.
        return part.Hash is { } hash ? new VerifyingStream(file, hash) : file;
    }

    /// <summary>A hash mismatch surfaces wrapped by the HTTP stack; it is a damaged cache, not a network hiccup to retry.</summary>
    public static DataCheckException? Corruption(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
            if (e is DataCheckException d) return d;
        return null;
    }
}
