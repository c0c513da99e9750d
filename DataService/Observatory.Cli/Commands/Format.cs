using static System.FormattableString;

namespace Observatory.Cli.Commands;

/// <summary>Sizes and durations as every verb prints them (binary units, one decimal, '.' whatever the culture: goldens and CI logs compare them).</summary>
internal static class Format
{
    public static string Bytes(long n) => n switch
    {
        < 1024 => Invariant($"{n} B"),
        < 1024 * 1024 => Invariant($"{n / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => Invariant($"{n / 1048576.0:0.0} MiB"),
        _ => Invariant($"{n / 1073741824.0:0.00} GiB"),
    };

    public static string Duration(TimeSpan t) => t switch
    {
        { TotalDays: >= 2 } when t.TotalDays % 1 == 0 => $"{t.TotalDays:0}d",
        { TotalHours: >= 1 } when t.TotalHours % 1 == 0 => $"{t.TotalHours:0}h",
        { TotalMinutes: >= 1 } when t.TotalMinutes % 1 == 0 => $"{t.TotalMinutes:0}m",
        _ => $"{t.TotalSeconds:0.#}s",
    };

    /// <summary>Rows under a header, columns padded with two spaces between them (the --md form is in Reports/Markdown).</summary>
    public static void Table(TextWriter output, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Count).Select(i => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
            output.WriteLine(string.Join("  ", row.Select((c, i) => i == row.Count - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
    }
}
