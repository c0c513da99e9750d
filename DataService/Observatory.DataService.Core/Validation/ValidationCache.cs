using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
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

    // Packs are maps keyed by the hash's hex; held in memory by the 32-byte hash (a 64-character key string is ~150 bytes each).
    private static readonly JsonSerializerOptions PackJson = new(ValidationJson.Options) { Converters = { new HexKeyConverter() } };

    private readonly ConcurrentDictionary<string, Lazy<VariantState>> _variants = new(StringComparer.Ordinal);

    public string Folder { get; } = folder;

    public bool TryGet(ContentHash hash, string variant, out ImageInspection inspection)
    {
        var state = StateOf(variant);
        return state.Loaded.TryGetValue(hash, out inspection!) || state.Pending.TryGetValue(hash, out inspection!);
    }

    public void Set(ContentHash hash, string variant, ImageInspection inspection) => StateOf(variant).Pending[hash] = inspection;

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
                    var pending = new Dictionary<ContentHash, ImageInspection>(state.Pending);
                    if (state.Packs.Count + 1 > MaxPacks)
                    {
                        var merged = new Dictionary<ContentHash, ImageInspection>(state.Loaded);
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
                // Parsed from the stream: a pack of 100,000 inspections is about 60 MB of JSON, never held whole.
                using var stream = new FileStream(pack, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
                var entries = JsonSerializer.Deserialize<Dictionary<ContentHash, ImageInspection?>>(stream, PackJson);
                if (entries is null) continue;
                foreach (var (k, v) in entries)
                    if (v is not null) state.Loaded[k] = v;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
            {
                // Unreadable pack: its entries are misses; the next merge removes it.
            }
        }
        return state;
    }

    private static string WritePack(string dir, Dictionary<ContentHash, ImageInspection> entries)
    {
        var name = $"pack-{DateTime.UtcNow:yyyyMMddHHmmssfffffff}-{Environment.ProcessId}-{Guid.NewGuid():N}.json";
        var path = Path.Combine(dir, name);
        var temp = Path.Combine(dir, "." + name + ".tmp");
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, entries, PackJson);
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
        public ConcurrentDictionary<ContentHash, ImageInspection> Loaded { get; } = new();
        public ConcurrentDictionary<ContentHash, ImageInspection> Pending { get; } = new();
        public List<string> Packs { get; } = [];
    }

    /// <summary>A content hash as its hex (as a value and as a property name); anything else is a malformed pack.</summary>
    private sealed class HexKeyConverter : JsonConverter<ContentHash>
    {
        public override ContentHash Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Parse(ref reader);

        public override void Write(Utf8JsonWriter writer, ContentHash value, JsonSerializerOptions options) => writer.WriteStringValue(value.Hex);

        public override ContentHash ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Parse(ref reader);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, ContentHash value, JsonSerializerOptions options)
        {
            Span<char> hex = stackalloc char[ContentHash.HexLength];
            value.FormatHex(hex);
            writer.WritePropertyName(hex);
        }

        private static ContentHash Parse(ref Utf8JsonReader reader)
        {
            var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || length != ContentHash.HexLength || reader.ValueIsEscaped)
                throw new JsonException("not a content hash");
            Span<char> chars = stackalloc char[ContentHash.HexLength];
            var written = reader.CopyString(chars);
            return ContentHash.TryParse(chars[..written], out var hash) ? hash : throw new JsonException("not a content hash");
        }
    }
}
