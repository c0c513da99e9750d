using System.Collections.Concurrent;
using System.Text.Json;
using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Validation;

/// <summary>
/// Remembers image inspections by content hash, so re-validating unchanged files decodes nothing. <paramref name="variant"/>
/// (inspector version + limits) is part of the key: a new decoder or other limits never reuse stale results.
/// Implementations must be thread-safe.
/// </summary>
public interface IValidationCache
{
    bool TryGet(ContentHash hash, string variant, out ImageInspection inspection);
    void Set(ContentHash hash, string variant, ImageInspection inspection);
}

/// <summary>Process-lifetime cache (tests, the long-running API host).</summary>
public sealed class InMemoryValidationCache : IValidationCache
{
    private readonly ConcurrentDictionary<(ContentHash, string), ImageInspection> _items = new();

    public int Count => _items.Count;

    public bool TryGet(ContentHash hash, string variant, out ImageInspection inspection) => _items.TryGetValue((hash, variant), out inspection!);

    public void Set(ContentHash hash, string variant, ImageInspection inspection) => _items[(hash, variant)] = inspection;
}

/// <summary>
/// One small JSON file per content hash under a folder the caller owns (e.g. <c>.obs/cache/validation/</c>):
/// <c>&lt;variant&gt;/ab/cdef….json</c>. Writes go to a temp file in the same folder, then a rename, so a crash never leaves a
/// half-written entry; an unreadable entry counts as a miss.
/// </summary>
public sealed class FileValidationCache(string folder) : IValidationCache
{
    private static readonly JsonSerializerOptions Json = ValidationJson.Options;

    public string Folder { get; } = folder;

    public bool TryGet(ContentHash hash, string variant, out ImageInspection inspection)
    {
        inspection = null!;
        var path = PathOf(hash, variant);
        try
        {
            var bytes = File.ReadAllBytes(path);
            var value = JsonSerializer.Deserialize<ImageInspection>(bytes, Json);
            if (value is null) return false;
            inspection = value;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return false;
        }
    }

    public void Set(ContentHash hash, string variant, ImageInspection inspection)
    {
        var path = PathOf(hash, variant);
        var dir = Path.GetDirectoryName(path)!;
        try
        {
            Directory.CreateDirectory(dir);
            var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp");
            File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(inspection, Json));
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written only costs a decode next time.
        }
    }

    private string PathOf(ContentHash hash, string variant)
    {
        var safe = string.Concat(variant.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '_'));
        return Path.Combine(Folder, safe, hash.Hex[..2], hash.Hex[2..] + ".json");
    }
}
