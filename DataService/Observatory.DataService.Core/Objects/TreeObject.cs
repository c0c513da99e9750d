using System.Text;
using System.Text.Json;
using Observatory.DataService.Core.Errors;

namespace Observatory.DataService.Core.Objects;

/// <summary>
/// The listing of a tracked directory. Serialised as canonical JSON (UTF-8, keys sorted, entries sorted by ordinal path,
/// '/' separators, no whitespace) so the same files always give the same bytes and so the same tree hash.
/// </summary>
public sealed class TreeObject
{
    public IReadOnlyList<TreeEntry> Entries { get; }

    public long TotalBytes { get; }

    private TreeObject(IReadOnlyList<TreeEntry> entries)
    {
        Entries = entries;
        TotalBytes = entries.Sum(e => e.Size);
    }

    /// <summary>Builds a tree, checking every path and refusing duplicates.</summary>
    public static TreeObject Create(IEnumerable<TreeEntry> entries)
    {
        var list = entries.ToList();
        // Scans and parsed trees arrive sorted: checking is one pass where sorting a million paths again is seconds.
        if (!IsSorted(list)) list.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        for (var i = 0; i < list.Count; i++)
        {
            CheckEntry(list[i]);
            if (i > 0 && list[i].Path == list[i - 1].Path) throw new DataCheckException($"tree lists '{list[i].Path}' twice");
        }
        return new TreeObject(list);
    }

    /// <summary>What every entry of a tree must be, however the tree is read.</summary>
    internal static void CheckEntry(TreeEntry entry)
    {
        RepoPath.EnsureSafeRelative(entry.Path, "tree entry");
        // Git refuses trees naming .git for the same reason: a checkout would write into a repository's own files.
        if (RepoPath.NamesGitFolder(entry.Path))
            throw new DataCheckException($"tree entry '{entry.Path}' is inside a .git folder; refused");
        if (entry.Size < 0) throw new DataCheckException($"tree entry '{entry.Path}' has a negative size");
    }

    private static bool IsSorted(List<TreeEntry> list)
    {
        for (var i = 1; i < list.Count; i++)
            if (string.CompareOrdinal(list[i - 1].Path, list[i].Path) > 0) return false;
        return true;
    }

    public byte[] ToCanonicalJson()
    {
        using var ms = new MemoryStream(Entries.Count * 110 + 16);
        WriteCanonicalJson(ms);
        return ms.ToArray();
    }

    /// <summary>
    /// The hash of <see cref="ToCanonicalJson"/>, computed as the JSON is written: a million-file tree is about 110 MB of JSON,
    /// which status would otherwise build (and copy) only to hash it.
    /// </summary>
    public ContentHash Hash()
    {
        using var hashing = new HashingStream(null, CancellationToken.None);
        WriteCanonicalJson(hashing);
        return hashing.Result();
    }

    /// <summary>Writes <see cref="ToCanonicalJson"/> to <paramref name="output"/> in pieces, never whole in memory.</summary>
    public void WriteCanonicalJson(Stream output)
    {
        Span<char> hex = stackalloc char[ContentHash.HexLength];
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteStartArray("entries");
        var written = 0;
        foreach (var e in Entries)
        {
            w.WriteStartObject();
            w.WriteString("path", e.Path);
            e.Hash.FormatHex(hex);
            w.WriteString("sha256", hex);
            w.WriteNumber("size", e.Size);
            w.WriteEndObject();
            // The writer buffers until flushed: flushing every so often keeps its buffer small whatever the tree's size.
            if (++written % 4096 == 0) w.Flush();
        }
        w.WriteEndArray();
        w.WriteString("format", "obs-tree-1");
        w.WriteEndObject();
        w.Flush();
    }

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 8 };

    /// <summary>Parses a tree object; <paramref name="where"/> names it in errors (e.g. the hash and the pointer that named it).</summary>
    /// <remarks>
    /// Read token by token, not as a JsonDocument: a document of a million-entry tree is another ~200 MB beside the bytes and
    /// the entries. A first pass reads every token (so malformed JSON anywhere is reported before anything else, as a document
    /// parse did) and finds the format; the second builds the entries.
    /// </remarks>
    public static TreeObject Parse(ReadOnlySpan<byte> json, string where)
    {
        try
        {
            if (ReadFormat(json) != "obs-tree-1")
                throw new DataCheckException($"tree object {where} is not an obs tree (format 'obs-tree-1' missing)");
            var reader = new Utf8JsonReader(json, ReaderOptions);
            reader.Read();
            List<TreeEntry>? entries = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("entries"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray) throw new InvalidOperationException("'entries' is not an array");
                // A repeated key replaces, as a document's property lookup found the last one.
                entries = [];
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    entries.Add(ReadEntry(ref reader, where));
            }
            if (entries is null) throw new KeyNotFoundException("'entries' is missing");
            return Create(entries);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new DataCheckException($"tree object {where} is corrupt: {ex.Message}");
        }
    }

    /// <summary>The top-level "format" string (null when absent), after reading the whole document.</summary>
    private static string? ReadFormat(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new InvalidOperationException("the root is not an object");
        string? format = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isFormat = reader.ValueTextEquals("format"u8);
            reader.Read();
            if (isFormat) format = reader.GetString();
            else reader.Skip();
        }
        // Anything after the root object is malformed JSON, as it was to JsonDocument.
        while (reader.Read()) { }
        return format;
    }

    internal static TreeEntry ReadEntry(ref Utf8JsonReader reader, string where)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new InvalidOperationException($"an entry is a {reader.TokenType}, not an object");
        string? path = null, sha = null;
        long? size = null;
        Exception? sizeError = null;
        bool hasPath = false, hasSha = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("path"u8)) { reader.Read(); path = reader.GetString(); hasPath = true; }
            else if (reader.ValueTextEquals("sha256"u8)) { reader.Read(); sha = reader.GetString(); hasSha = true; }
            else if (reader.ValueTextEquals("size"u8))
            {
                reader.Read();
                // Judged after the hash, as the document parse did: a bad hash is reported as such even when the size is bad too.
                sizeError = reader.TokenType != JsonTokenType.Number ? new InvalidOperationException($"'size' is a {reader.TokenType}, not a number")
                    : reader.TryGetInt64(out var n) ? null : new FormatException("'size' is not a whole number");
                size = sizeError is null ? reader.GetInt64() : 0;
            }
            else { reader.Read(); reader.Skip(); }
        }
        if (!hasPath) throw new KeyNotFoundException("an entry has no 'path'");
        path ??= "";
        if (!hasSha) throw new KeyNotFoundException($"entry '{path}' has no 'sha256'");
        if (!ContentHash.TryParse(sha, out var hash))
            throw new DataCheckException($"tree object {where}: entry '{path}' has an invalid sha256 '{sha}'");
        if (sizeError is not null) throw sizeError;
        if (size is null) throw new KeyNotFoundException($"entry '{path}' has no 'size'");
        return new TreeEntry(path, hash, size.Value);
    }

    public override string ToString() => Encoding.UTF8.GetString(ToCanonicalJson());
}
