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
        WriteCanonicalJson(ms);
        return ms.ToArray();
    }

    /// <summary>
    /// The hash of <see cref="ToCanonicalJson"/>, computed as the JSON is written: a million-file tree is about 110 MB of JSON,
    /// which status would otherwise build (and copy) only to hash it.
    /// </summary>
    public ContentHash Hash()
    {
        using var hashing = new HashingStream();
        WriteCanonicalJson(hashing);
        return hashing.Result();
    }

    private void WriteCanonicalJson(Stream output)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteStartArray("entries");
        var written = 0;
        foreach (var e in Entries)
        {
            w.WriteStartObject();
            w.WriteString("path", e.Path);
            w.WriteString("sha256", e.Hash.Hex);
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

    /// <summary>A write-only stream that SHA-256es what is written to it.</summary>
    private sealed class HashingStream : Stream
    {
        private readonly System.Security.Cryptography.IncrementalHash _hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);

        public ContentHash Result() => ContentHash.FromBytes(_hash.GetHashAndReset());

        public override void Write(ReadOnlySpan<byte> buffer) => _hash.AppendData(buffer);
        public override void Write(byte[] buffer, int offset, int count) => _hash.AppendData(buffer, offset, count);
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _hash.Dispose();
            base.Dispose(disposing);
        }
    }

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
