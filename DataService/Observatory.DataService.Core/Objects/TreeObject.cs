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
        list.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        for (var i = 0; i < list.Count; i++)
        {
            RepoPath.EnsureSafeRelative(list[i].Path, "tree entry");
            // Git refuses trees naming .git for the same reason: a checkout would write into a repository's own files.
            if (RepoPath.NamesGitFolder(list[i].Path))
                throw new DataCheckException($"tree entry '{list[i].Path}' is inside a .git folder; refused");
            if (list[i].Size < 0) throw new DataCheckException($"tree entry '{list[i].Path}' has a negative size");
            if (i > 0 && list[i].Path == list[i - 1].Path) throw new DataCheckException($"tree lists '{list[i].Path}' twice");
        }
        return new TreeObject(list);
    }

    public byte[] ToCanonicalJson()
    {
        using var ms = new MemoryStream(Entries.Count * 110 + 16);
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartArray("entries");
            foreach (var e in Entries)
            {
                w.WriteStartObject();
                w.WriteString("path", e.Path);
                w.WriteString("sha256", e.Hash.Hex);
                w.WriteNumber("size", e.Size);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("format", "obs-tree-1");
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    public ContentHash Hash() => ContentHash.Compute(ToCanonicalJson());

    /// <summary>Parses a tree object; <paramref name="where"/> names it in errors (e.g. the hash and the pointer that named it).</summary>
    public static TreeObject Parse(ReadOnlySpan<byte> json, string where)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            using var doc = JsonDocument.ParseValue(ref reader);
            if (!doc.RootElement.TryGetProperty("format", out var format) || format.GetString() != "obs-tree-1")
                throw new DataCheckException($"tree object {where} is not an obs tree (format 'obs-tree-1' missing)");
            var entries = new List<TreeEntry>();
            foreach (var e in doc.RootElement.GetProperty("entries").EnumerateArray())
            {
                var path = e.GetProperty("path").GetString() ?? "";
                var sha = e.GetProperty("sha256").GetString();
                if (!ContentHash.TryParse(sha, out var hash))
                    throw new DataCheckException($"tree object {where}: entry '{path}' has an invalid sha256 '{sha}'");
                entries.Add(new TreeEntry(path, hash, e.GetProperty("size").GetInt64()));
            }
            return Create(entries);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new DataCheckException($"tree object {where} is corrupt: {ex.Message}");
        }
    }

    public override string ToString() => Encoding.UTF8.GetString(ToCanonicalJson());
}
