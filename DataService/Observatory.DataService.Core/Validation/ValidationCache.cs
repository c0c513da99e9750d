using System.Collections.Concurrent;
using System.Text.Json;
using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Validation;

/// <summary>
/// Remembers image inspections by content hash, so re-validating unchanged files decodes nothing. <c>variant</c>
/// (inspector version + limits) is part of the key: a new decoder or other limits never reuse stale results.
/// Implementations must be thread-safe; <see cref="Flush"/> is called once at the end of a validation.
/// </summary>
public interface IValidationCache
{
    bool TryGet(ContentHash hash, string variant, out ImageInspection inspection);
    void Set(ContentHash hash, string variant, ImageInspection inspection);
    /// <summary>Persists what <see cref="Set"/> added since the last flush.</summary>
    void Flush();
}

/// <summary>Process-lifetime cache (tests, the long-running API host).</summary>
public sealed class InMemoryValidationCache : IValidationCache
{
    private readonly ConcurrentDictionary<(ContentHash, string), ImageInspection> _items = new();

    public int Count => _items.Count;

    public bool TryGet(ContentHash hash, string variant, out ImageInspection inspection) => _items.TryGetValue((hash, variant), out inspection!);

    public void Set(ContentHash hash, string variant, ImageInspection inspection) => _items[(hash, variant)] = inspection;

    public void Flush() { }
}

/// <summary>
/// File-backed cache under a folder the caller owns (e.g. <c>.obs/cache/validation/</c>): <c>&lt;variant&gt;/pack-*.json</c>, each pack a
/// JSON map content hash → inspection. A validation run adds one pack (temp file + rename, so a crash never leaves a half-written
/// pack); beyond <see cref="MaxPacks"/> packs they are merged into one. Why packs and not one file per hash: on this project's
/// disks creating and renaming a small file costs about 1.3 ms — more than decoding a 640×480 JPEG — and re-validating 5,000 images
/// would open 5,000 files; a pack is one write and one read. Unreadable packs count as misses.
/// </summary>
public sealed class FileValidationCache(string folder) : IValidationCache
{
    public const int MaxPacks = 8;

    private readonly ConcurrentDictionary<string, Lazy<VariantState>> _variants = new(StringComparer.Ordinal);

    public string Folder { get; } = folder;

    public bool TryGet(ContentHash hash, string variant, out ImageInspection inspection)
    {
        var state = StateOf(variant);
        return state.Loaded.TryGetValue(hash.Hex, out inspection!) || state.Pending.TryGetValue(hash.Hex, out inspection!);
    }

    public void Set(ContentHash hash, string variant, ImageInspection inspection) => StateOf(variant).Pending[hash.Hex] = inspection;

    public void Flush()
    {
        foreach (var (variant, lazy) in _variants)
        {
            var state = lazy.Value;
            lock (state)
            {
                if (state.Pending.IsEmpty) continue;
                var dir = DirectoryOf(variant);
                try
                {
                    Directory.CreateDirectory(dir);
                    var pending = new Dictionary<string, ImageInspection>(state.Pending, StringComparer.Ordinal);
                    if (state.Packs.Count + 1 > MaxPacks)
                    {
                        var merged = new Dictionary<string, ImageInspection>(state.Loaded, StringComparer.Ordinal);
                        foreach (var (k, v) in pending) merged[k] = v;
                        var pack = WritePack(dir, merged);
                        foreach (var old in state.Packs) TryDelete(old);
                        state.Packs.Clear();
                        state.Packs.Add(pack);
                    }
                    else state.Packs.Add(WritePack(dir, pending));
                    foreach (var (k, v) in pending)
                    {
                        state.Loaded[k] = v;
                        state.Pending.TryRemove(k, out _);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // A cache that cannot be written only costs a decode next time.
                }
            }
        }
    }

    private VariantState StateOf(string variant) =>
        _variants.GetOrAdd(variant, v => new Lazy<VariantState>(() => Load(DirectoryOf(v)))).Value;

    private static VariantState Load(string dir)
    {
        var state = new VariantState();
        if (!Directory.Exists(dir)) return state;
        foreach (var pack in Directory.EnumerateFiles(dir, "pack-*.json").Order(StringComparer.Ordinal))
        {
            state.Packs.Add(pack);
            try
            {
                var entries = JsonSerializer.Deserialize<Dictionary<string, ImageInspection>>(File.ReadAllBytes(pack), ValidationJson.Options);
                if (entries is null) continue;
                foreach (var (k, v) in entries)
                    if (ContentHash.TryParse(k, out _) && v is not null) state.Loaded[k] = v;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
            {
                // Unreadable pack: its entries are misses; the next merge removes it.
            }
        }
        return state;
    }

    private static string WritePack(string dir, Dictionary<string, ImageInspection> entries)
    {
        var name = $"pack-{DateTime.UtcNow:yyyyMMddHHmmssfffffff}-{Environment.ProcessId}-{Guid.NewGuid():N}.json";
        var path = Path.Combine(dir, name);
        var temp = Path.Combine(dir, "." + name + ".tmp");
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, entries, ValidationJson.Options);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path);
        return path;
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private string DirectoryOf(string variant) =>
        Path.Combine(Folder, string.Concat(variant.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '_')));

    private sealed class VariantState
    {
        public ConcurrentDictionary<string, ImageInspection> Loaded { get; } = new(StringComparer.Ordinal);
        public ConcurrentDictionary<string, ImageInspection> Pending { get; } = new(StringComparer.Ordinal);
        public List<string> Packs { get; } = [];
    }
}
