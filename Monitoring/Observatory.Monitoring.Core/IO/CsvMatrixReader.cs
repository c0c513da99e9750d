using System.Globalization;
using Observatory.Monitoring.Core.Drift;

namespace Observatory.Monitoring.Core.IO;

/// <summary>Reads a numeric CSV matrix (comma-separated, one sample per line); a first line with any non-numeric field is a header.</summary>
public static class CsvMatrixReader
{
    public static DataMatrix Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (FileNotFoundException ex) { throw new MatrixFormatException(path, "file not found", ex); }
        catch (DirectoryNotFoundException ex) { throw new MatrixFormatException(path, "file not found", ex); }
        return Parse(lines, path);
    }

    public static DataMatrix Parse(IReadOnlyList<string> lines, string path)
    {
        ArgumentNullException.ThrowIfNull(lines);
        // Blank lines (typically a trailing newline) carry no sample.
        var numbered = lines.Select((text, index) => (text, line: index + 1)).Where(l => l.text.Trim().Length > 0).ToList();
        if (numbered.Count == 0) throw new MatrixFormatException(path, "file is empty");
        var first = Split(numbered[0].text);
        var hasHeader = first.Any(f => !TryParse(f, out _));
        var dataLines = hasHeader ? numbered.Skip(1).ToList() : numbered;
        if (dataLines.Count == 0) throw new MatrixFormatException(path, "file has a header but no data rows");
        var cols = hasHeader ? first.Length : Split(dataLines[0].text).Length;
        var values = new double[(long)dataLines.Count * cols];
        for (var i = 0; i < dataLines.Count; i++)
        {
            var fields = Split(dataLines[i].text);
            if (fields.Length != cols)
                throw new MatrixFormatException(path, $"ragged CSV: line {dataLines[i].line} has {fields.Length} fields, expected {cols}");
            for (var j = 0; j < cols; j++)
            {
                if (!TryParse(fields[j], out var v))
                    throw new MatrixFormatException(path, $"line {dataLines[i].line}, field {j + 1}: '{fields[j]}' is not a number");
                values[(long)i * cols + j] = v;
            }
        }
        MatrixChecks.EnsureFinite(values, cols, path);
        return new DataMatrix(dataLines.Count, cols, values);
    }

    private static string[] Split(string line) => line.Split(',', StringSplitOptions.TrimEntries);

    private static bool TryParse(string field, out double value)
    {
        // numpy.savetxt writes nan/inf/-inf; accept them so the finite check can name them instead of mistaking the line for a header.
        switch (field.ToLowerInvariant())
        {
            case "nan" or "+nan" or "-nan": value = double.NaN; return true;
            case "inf" or "+inf" or "infinity" or "+infinity": value = double.PositiveInfinity; return true;
            case "-inf" or "-infinity": value = double.NegativeInfinity; return true;
        }
        return double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
