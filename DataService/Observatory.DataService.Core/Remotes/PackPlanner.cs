using Observatory.DataService.Core.Config;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Remotes;

/// <summary>
/// How small objects are bundled on a remote. Per-request cost dominates for files of tens of KB (DVC's known weakness), so
/// objects up to <see cref="MaxObjectBytes"/> travel in packs of about <see cref="PackBytes"/>; larger ones stay loose.
/// </summary>
public sealed record PackingOptions
{
    public const long DefaultMaxObjectBytes = 4L << 20;
    public const long DefaultPackBytes = 16L << 20;

    /// <summary>Objects up to this size are packed; 0 turns packing off.</summary>
    public long MaxObjectBytes { get; init; } = DefaultMaxObjectBytes;
    public long PackBytes { get; init; } = DefaultPackBytes;
    /// <summary>A ranged download merges neighbouring wanted objects across gaps up to this size (reading a gap beats a new request).</summary>
    public long MaxGapBytes { get; init; } = 256L << 10;
    /// <summary>Ranged downloads are cut at about this size so one pack is fetched over several connections.</summary>
    public long SegmentBytes { get; init; } = 4L << 20;

    public static PackingOptions From(RemoteConfig config)
    {
        var options = new PackingOptions();
        if (config.PackMaxObject is { } max) options = options with { MaxObjectBytes = ByteSize.Parse(max, "pack_max_object") };
        if (config.PackSize is { } size) options = options with { PackBytes = Math.Clamp(ByteSize.Parse(size, "pack_size"), 1, 1L << 30) };
        return options;
    }
}

/// <summary>Pure planning of packs (push) and ranged reads (fetch).</summary>
public static class PackPlanner
{
    /// <summary>Splits objects into loose ones and packs, keeping the given order (tree order: a sub-folder's files end up adjacent, so a partial pull reads few ranges).</summary>
    public static (IReadOnlyList<ContentHash> Loose, IReadOnlyList<IReadOnlyList<(ContentHash Hash, long Length)>> Packs) PlanPush(
        IEnumerable<(ContentHash Hash, long Length)> objects, PackingOptions options)
    {
        var loose = new List<ContentHash>();
        var packs = new List<IReadOnlyList<(ContentHash, long)>>();
        var current = new List<(ContentHash, long)>();
        long bytes = 0;
        foreach (var (hash, length) in objects)
        {
            if (options.MaxObjectBytes <= 0 || length > options.MaxObjectBytes) { loose.Add(hash); continue; }
            if (current.Count > 0 && bytes + length > options.PackBytes)
            {
                packs.Add(current);
                current = [];
                bytes = 0;
            }
            current.Add((hash, length));
            bytes += length;
        }
        if (current.Count > 0) packs.Add(current);
        return (loose, packs);
    }

    /// <summary>
    /// Ranged reads covering <paramref name="wanted"/> entries of one pack: neighbours merge while the gap between them is at
    /// most <see cref="PackingOptions.MaxGapBytes"/> and the read stays near <see cref="PackingOptions.SegmentBytes"/>.
    /// </summary>
    public static IReadOnlyList<PackSegment> PlanReads(IEnumerable<PackEntry> wanted, PackingOptions options)
    {
        var segments = new List<PackSegment>();
        List<PackEntry>? current = null;
        foreach (var e in wanted.OrderBy(e => e.Offset))
        {
            if (current is not null)
            {
                var start = current[0].Offset;
                var end = current[^1].End;
                if (e.Offset >= end && e.Offset - end <= options.MaxGapBytes && e.End - start <= options.SegmentBytes)
                {
                    current.Add(e);
                    continue;
                }
                if (e.Offset < end) continue; // the same bytes listed twice: read once
                segments.Add(new PackSegment(current));
            }
            current = [e];
        }
        if (current is not null) segments.Add(new PackSegment(current));
        return segments;
    }
}

/// <summary>One ranged read of a pack: from the first wanted entry's offset to the last one's end.</summary>
public sealed record PackSegment(IReadOnlyList<PackEntry> Entries)
{
    public long Offset => Entries[0].Offset;
    public long Length => Entries[^1].End - Entries[0].Offset;
}

/// <summary>Sizes in config files: plain bytes or with a K/M/G (KiB/MiB/GiB) suffix.</summary>
public static class ByteSize
{
    public static long Parse(string text, string key)
    {
        var t = text.Trim();
        long multiplier = 1;
        var unit = t.TrimStart("0123456789".ToCharArray());
        var number = t[..^unit.Length];
        switch (unit.Trim().ToUpperInvariant())
        {
            case "": break;
            case "K" or "KB" or "KIB": multiplier = 1L << 10; break;
            case "M" or "MB" or "MIB": multiplier = 1L << 20; break;
            case "G" or "GB" or "GIB": multiplier = 1L << 30; break;
            default: throw new UsageException($"{key}: '{text}' is not a size (bytes, or a number with K, M or G)");
        }
        if (!long.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n > long.MaxValue / multiplier)
            throw new UsageException($"{key}: '{text}' is not a size (bytes, or a number with K, M or G)");
        return n * multiplier;
    }
}
