using System.Globalization;
using Microsoft.Data.Analysis;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Validation;

namespace Observatory.Cli.Reports;

/// <summary>
/// The <c>--csv</c> outputs as <see cref="DataFrame"/>s: one row per version (<c>obs log</c>), changed file (<c>obs diff</c>),
/// finding (<c>obs validate</c>) or metric (<c>obs metrics show|diff</c>), snake_case column names as in the JSON outputs. A value that is absent is an empty cell: numbers
/// as a null (a missing line number, the old size of an added file), text as "" — DataFrame.LoadCsv reads an empty text cell back
/// as "", so writing "" keeps the round trip exact.
/// </summary>
internal static class CsvTables
{
    public static DataFrame Log(IReadOnlyList<DatasetVersion> versions) => new(
        Text("dataset", versions.Select(v => v.Dataset)),
        Text("commit", versions.Select(v => v.Commit)),
        // Several tags in one cell, ';' between them: a tag name can hold neither ';' nor a space in git.
        Text("tags", versions.Select(v => string.Join(";", v.Tags))),
        Text("date", versions.Select(v => v.Date.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture))),
        Text("message", versions.Select(v => v.Message.Split('\n')[0])),
        Text("tree", versions.Select(v => v.Pointer.Tree.Hex)),
        new Int64DataFrameColumn("files", versions.Select(v => (long?)v.Pointer.Files)),
        new Int64DataFrameColumn("bytes", versions.Select(v => (long?)v.Pointer.Bytes)),
        new Int32DataFrameColumn("errors", versions.Select(v => v.Pointer.Validation?.Errors)),
        new Int32DataFrameColumn("warnings", versions.Select(v => v.Pointer.Validation?.Warnings)),
        Text("export", versions.Select(v => v.Pointer.Export?.Id ?? "")));

    public static DataFrame Diff(DiffResult diff)
    {
        var rows = diff.Changes.Added.Select(x => ("added", x))
            .Concat(diff.Changes.Deleted.Select(x => ("deleted", x)))
            .Concat(diff.Changes.Modified.Select(x => ("modified", x)))
            .ToList();
        return new DataFrame(
            Text("change", rows.Select(r => r.Item1)),
            Text("path", rows.Select(r => r.x.Path)),
            new Int64DataFrameColumn("old_size", rows.Select(r => r.x.Old?.Size)),
            new Int64DataFrameColumn("new_size", rows.Select(r => r.x.New?.Size)),
            Text("old_sha256", rows.Select(r => r.x.Old?.Hash.Hex ?? "")),
            Text("new_sha256", rows.Select(r => r.x.New?.Hash.Hex ?? "")));
    }

    public static DataFrame Validation(IReadOnlyList<ValidationReport> reports)
    {
        var rows = reports.SelectMany(r => r.Findings.Select(f => (r.Dataset, f))).ToList();
        return new DataFrame(
            Text("dataset", rows.Select(r => r.Dataset)),
            Text("rule", rows.Select(r => r.f.Rule)),
            Text("severity", rows.Select(r => r.f.Severity.ToString().ToLowerInvariant())),
            Text("path", rows.Select(r => r.f.Path)),
            new Int32DataFrameColumn("line", rows.Select(r => r.f.Line)),
            Text("annotation_id", rows.Select(r => r.f.AnnotationId ?? "")),
            Text("message", rows.Select(r => r.f.Message)));
    }

    /// <summary>
    /// Full values, as <c>--json</c> (<c>--precision</c> rounds only the text and Markdown tables), in the shortest text that
    /// reads back as the same double: DataFrame's CSV writer prints a double column with 17 digits (0.9 as 0.90000000000000002).
    /// </summary>
    public static DataFrame MetricsShow(MetricsSnapshot shown)
    {
        var rows = shown.Files.SelectMany(f => f.Value.Select(m => (Path: f.Key, m.Key, m.Value))).ToList();
        return new DataFrame(
            Text("path", rows.Select(r => r.Path)),
            Text("metric", rows.Select(r => r.Key)),
            Number("value", rows.Select(r => (double?)r.Value)));
    }

    /// <summary>One row per metric; a side the metric is missing from is an empty cell, and so is its change.</summary>
    public static DataFrame MetricsDiff(MetricsComparison diff) => new(
        Text("path", diff.Changes.Select(c => c.Path)),
        Text("metric", diff.Changes.Select(c => c.Key)),
        Number("old", diff.Changes.Select(c => c.Old)),
        Number("new", diff.Changes.Select(c => c.New)),
        Number("change", diff.Changes.Select(c => c.Change)));

    /// <summary>The column types, in order, for reading a table back with <c>DataFrame.LoadCsv(dataTypes: …)</c>.</summary>
    public static Type[] Types(DataFrame frame) => frame.Columns.Select(c => c.DataType).ToArray();

    /// <summary>RFC 4180 CSV (header row, ',' separator, fields with ',', '"' or a line break quoted), UTF-8 without BOM.</summary>
    public static void Write(DataFrame frame, Stream output) =>
        DataFrame.SaveCsv(frame, output, separator: ',', header: true, encoding: new System.Text.UTF8Encoding(false), cultureInfo: CultureInfo.InvariantCulture);

    /// <summary>The table on stdout, bytes straight to the stream so no console encoding or newline translation touches them.</summary>
    public static void Print(DataFrame frame)
    {
        Console.Out.Flush();
        using var stdout = Console.OpenStandardOutput();
        Write(frame, stdout);
        stdout.Flush();
    }

    private static StringDataFrameColumn Text(string name, IEnumerable<string> values) => new(name, values);

    private static StringDataFrameColumn Number(string name, IEnumerable<double?> values) =>
        new(name, values.Select(v => v?.ToString("R", CultureInfo.InvariantCulture) ?? ""));
}
