using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Remotes;

/// <summary>Where one object lies inside a pack's data file.</summary>
public readonly record struct PackEntry(ContentHash Hash, long Offset, long Length)
{
    public long End => Offset + Length;
}

/// <summary>
/// The index of a pack: a text file, <c>obs-pack 1</c> then one line <c>&lt;sha256&gt; &lt;offset&gt; &lt;length&gt;</c> per object in
/// data order. The pack's id is the SHA-256 of these bytes, so an index is verified by its own name; each object inside is
/// still verified by its hash when it enters a cache, exactly like a loose object.
/// </summary>
public sealed class PackIndex
{
    private const string Header = "obs-pack 1";

    private PackIndex(string id, IReadOnlyList<PackEntry> entries)
    {
        Id = id;
        Entries = entries;
    }

    public string Id { get; }
    public IReadOnlyList<PackEntry> Entries { get; }
    public long DataLength => Entries.Count == 0 ? 0 : Entries[^1].End;

    /// <summary>Lays objects out back to back in the given order and returns the index with its serialized bytes.</summary>
    public static (PackIndex Index, byte[] Bytes) Build(IEnumerable<(ContentHash Hash, long Length)> objects)
    {
        var entries = new List<PackEntry>();
        long offset = 0;
        foreach (var (hash, length) in objects)
        {
            entries.Add(new PackEntry(hash, offset, length));
            offset += length;
        }
        var text = new StringBuilder(Header).Append('\n');
        foreach (var e in entries) text.Append(CultureInfo.InvariantCulture, $"{e.Hash.Hex} {e.Offset} {e.Length}\n");
        var bytes = Encoding.ASCII.GetBytes(text.ToString());
        return (new PackIndex(IdOf(bytes), entries), bytes);
    }

    /// <summary>Parses an index downloaded under <paramref name="expectedId"/>; wrong bytes or a malformed line fail naming <paramref name="origin"/>.</summary>
    public static PackIndex Parse(ReadOnlySpan<byte> bytes, string expectedId, string origin)
    {
        var actual = IdOf(bytes);
        if (actual != expectedId)
            throw new DataCheckException($"pack index {expectedId} from {origin} has the wrong content (its SHA-256 is {actual}); not used");
        var lines = Encoding.ASCII.GetString(bytes).Split('\n');
        if (lines.Length == 0 || lines[0] != Header) throw new DataCheckException($"pack index {expectedId} from {origin} is not an obs pack index (first line '{Truncate(lines[0])}')");
        var entries = new List<PackEntry>(lines.Length);
        long end = 0;
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var parts = lines[i].Split(' ');
            if (parts.Length != 3 || !ContentHash.TryParse(parts[0], out var hash)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || offset < end)
                throw new DataCheckException($"pack index {expectedId} from {origin}: line {i + 1} is malformed or overlaps the previous entry");
            entries.Add(new PackEntry(hash, offset, length));
            end = offset + length;
        }
        return new PackIndex(expectedId, entries);
    }

    public static bool IsValidId(string id) => id.Length == 64 && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private static string IdOf(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
