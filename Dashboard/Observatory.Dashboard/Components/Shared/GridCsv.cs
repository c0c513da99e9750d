using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;

namespace Observatory.Dashboard.Components.Shared;

/// <summary>One column of a grid's CSV: its header and the value of a row (a number, a flag, an instant or text; null for none).</summary>
public sealed record CsvColumn<T>(string Name, Func<T, object?> Value);

/// <summary>
/// The rows a grid shows as a data frame, then as CSV: counts and flags keep their type, fractions are their shortest exact text,
/// instants ISO 8601 in UTC, everything else text — quoted by the frame's writer where it holds a comma, a quote or a line break.
/// </summary>
public static class GridCsv
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    public static DataFrame Frame<T>(IEnumerable<T> rows, IReadOnlyList<CsvColumn<T>> columns)
    {
        var list = rows.ToList();
        return new DataFrame(columns.Select(c => Column(c.Name, list.Select(c.Value).ToList())));
    }

    private static DataFrameColumn Column(string name, List<object?> values)
    {
        var present = values.Where(v => v is not null).ToList();
        if (present.Count > 0 && present.All(v => v is int or long))
            return new Int64DataFrameColumn(name, values.Select(v => v is null ? (long?)null : Convert.ToInt64(v, CultureInfo.InvariantCulture)));
        if (present.Count > 0 && present.All(v => v is bool))
            return new BooleanDataFrameColumn(name, values.Select(v => (bool?)v));
        return new StringDataFrameColumn(name, values.Select(Text));
    }

    private static string? Text(object? v) => v switch
    {
        null => null,
        DateTimeOffset t => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        DateTime t => DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture),
        // Shortest text that reads back as the same double: the frame's writer would print 0.9 as 0.90000000000000002 (G17).
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString(),
    };

    public static byte[] Csv(DataFrame frame)
    {
        using var buffer = new MemoryStream();
        DataFrame.SaveCsv(frame, buffer, ',', header: true, Utf8, CultureInfo.InvariantCulture);
        return buffer.ToArray();
    }
}
