namespace Observatory.Monitoring.Core.Exports;

/// <summary>
/// The names exported images get in a dataset: the event id made safe for any file system, the start of the image's hash and the
/// extension its bytes show (<c>cam-7_0042-3fa2b1c4d5e6.jpg</c>). Stable for the same event and image, unique within one export
/// even on case-insensitive file systems.
/// </summary>
public static class ExportFileNames
{
    public const int MaxIdLength = 80;

    /// <summary>The name of one item before uniqueness: anything but <c>[A-Za-z0-9._-]</c> becomes '_', the id is cut to <see cref="MaxIdLength"/>.</summary>
    public static string Of(string eventId, string sha256, string extension)
    {
        var safe = new string(eventId.Select(c => c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '_' or '-' ? c : '_').ToArray());
        if (safe.Length > MaxIdLength) safe = safe[..MaxIdLength];
        return $"{safe}-{sha256[..12]}{extension}";
    }

    /// <summary>Names for the items in order; a name already taken (ignoring case) gets "-2", "-3", … before its extension.</summary>
    public static IReadOnlyList<string> Assign(IReadOnlyList<(string EventId, string Sha256, string Extension)> items)
    {
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var names = new List<string>(items.Count);
        foreach (var (id, sha, extension) in items)
        {
            var name = Of(id, sha, extension);
            var stem = name[..^extension.Length];
            for (var n = 2; !taken.Add(name); n++) name = $"{stem}-{n}{extension}";
            names.Add(name);
        }
        return names;
    }
}
