using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Analysis;
using Observatory.Cli.Reports;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Pointers;
using Observatory.DataService.Core.Validation;
using Observatory.Testing;

namespace Observatory.Cli.Tests.Reports;

/// <summary>
/// `--csv` of log, diff and validate: DataFrames written with DataFrame.SaveCsv, read back by DataFrame.LoadCsv and by a reader
/// that is not .NET (Python's csv module), on values that need quoting (commas, quotes, line breaks) and on a real repository.
/// </summary>
public sealed class CsvOutputTests(ReportRepository repo) : IClassFixture<ReportRepository>
{
    private const string Awkward = "data/set/images/b,\"q\".png";

    private static readonly ContentHash H1 = ContentHash.Compute("one"u8);
    private static readonly ContentHash H2 = ContentHash.Compute("two"u8);

    public static TheoryData<string> Tables => new() { "log", "diff", "validate", "metrics-show", "metrics-diff" };

    /// <summary>In-memory tables of each kind with every awkward value a path or message can hold.</summary>
    private static DataFrame Frame(string table) => table switch
    {
        "log" => CsvTables.Log([
            new("data/a,b", new string('c', 40), ["a,b@v2", "release"], new DateTimeOffset(2026, 12, 7, 1, 2, 3, TimeSpan.FromHours(1)), "say \"hi\", twice\nbody",
                new PointerFile("data/a,b.obs", H1, 3, 1234, new DataService.Core.Pointers.ValidationSummary(1, 2, null))),
            new("data/plain", new string('d', 40), [], DateTimeOffset.UnixEpoch, "no validation", new PointerFile("data/plain.obs", H2, 0, 0)),
        ]),
        "diff" => CsvTables.Diff(new DiffResult("a", "b", new TreeChanges(
            [new(Awkward, null, new TreeEntry("x", H1, 10))],
            [new("data/set/line\nbreak.png", new TreeEntry("y", H2, 20), null)],
            [new("data/set/ü|ñ.txt", new TreeEntry("z", H1, 5), new TreeEntry("z", H2, 6))]), new AnnotationSummary(0, 0, 1))),
        "metrics-show" => CsvTables.MetricsShow(new MetricsSnapshot("v1", new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["runs/a,b.json"] = new Dictionary<string, double> { ["val.\"ap\""] = 0.1 + 0.2, ["big"] = 1e300, ["tiny"] = -4.9e-324 },
        })),
        "metrics-diff" => CsvTables.MetricsDiff(new MetricsComparison(new("a", new Dictionary<string, IReadOnlyDictionary<string, double>>()),
            new("b", new Dictionary<string, IReadOnlyDictionary<string, double>>()),
            [new("m.json", "acc", 0.9, 0.91), new("m.json", "gone", 1, null), new("m.json", "new,key", null, 3)])),
        _ => CsvTables.Validation([new ValidationReport("data/set", 3, DataService.Core.Validation.ValidationSummary.Of([]), [
            new("yolo.class_id", Severity.Error, Awkward, "class 5, \"five\"\nis out of range", 2),
            new("coco.bbox", Severity.Warning, "data/set/coco.json", "box outside", null, "image:3"),
        ])]),
    };

    [Theory]
    [MemberData(nameof(Tables))]
    public void SaveCsv_ReadBackWithLoadCsv_EqualsTheFrameWritten(string table)
    {
        var frame = Frame(table);
        var bytes = Save(frame);
        var back = DataFrame.LoadCsv(new MemoryStream(bytes), dataTypes: CsvTables.Types(frame));
        Assert.Equal(frame.Columns.Select(c => c.Name), back.Columns.Select(c => c.Name));
        Assert.Equal(frame.Columns.Select(c => c.DataType), back.Columns.Select(c => c.DataType));
        Assert.Equal(Cells(frame), Cells(back));
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void SaveCsv_ReadWithPythonsCsvModule_AgreesOnEveryValue(string table)
    {
        var frame = Frame(table);
        var rows = PythonCsv(Save(frame));
        Assert.Equal(frame.Columns.Select(c => c.Name), rows[0]);
        Assert.Equal(Cells(frame), rows.Skip(1).ToList());
    }

    [Fact]
    public async Task LogCsv_FromTheProcess_HasOneRowPerVersion_AsLogJson()
    {
        var (csv, python) = await RunCsvAsync("log");
        using var json = JsonDocument.Parse((await Run("log", "--json")).Stdout);
        var versions = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, versions.Count);
        Assert.Equal(versions.Select(v => v.GetProperty("commit").GetString()), Column(csv, "commit"));
        Assert.Equal(versions.Select(v => string.Join(";", v.GetProperty("tags").EnumerateArray().Select(t => t.GetString()))), Column(csv, "tags"));
        Assert.Equal(versions.Select(v => (object?)v.GetProperty("files").GetInt64()), csv.Columns["files"].Cast<object?>());
        Assert.Equal(versions.Select(v => (object?)v.GetProperty("validation").GetProperty("warnings").GetInt32()), csv.Columns["warnings"].Cast<object?>());
        Assert.Equal(versions.Select(v => v.GetProperty("date").GetDateTimeOffset()), Column(csv, "date").Select(d => DateTimeOffset.Parse(d!, CultureInfo.InvariantCulture)));
        Assert.Equal(["set: seven new images", "set: first | labelled by hand"], Column(csv, "message"));
        Assert.Equal(Cells(csv), python.Skip(1).ToList());
    }

    [Fact]
    public async Task DiffCsv_FromTheProcess_HasOneRowPerChangedFile_AsDiffJson()
    {
        var (csv, python) = await RunCsvAsync("diff", "set@v1", "set@v2");
        using var json = JsonDocument.Parse((await Run("diff", "set@v1", "set@v2", "--json")).Stdout);
        var r = json.RootElement;
        var expected = r.GetProperty("added").EnumerateArray().Select(e => ("added", e.GetProperty("path").GetString(), (long?)null, (long?)e.GetProperty("size").GetInt64()))
            .Concat(r.GetProperty("deleted").EnumerateArray().Select(e => ("deleted", e.GetProperty("path").GetString(), (long?)e.GetProperty("size").GetInt64(), (long?)null)))
            .Concat(r.GetProperty("modified").EnumerateArray().Select(e => ("modified", e.GetProperty("path").GetString(),
                (long?)e.GetProperty("old").GetProperty("size").GetInt64(), (long?)e.GetProperty("new").GetProperty("size").GetInt64())))
            .ToList();
        Assert.Equal(9, expected.Count);
        Assert.Equal(expected, Enumerable.Range(0, (int)csv.Rows.Count).Select(i =>
            ((string)csv["change"][i], (string?)csv["path"][i], (long?)csv["old_size"][i], (long?)csv["new_size"][i])));
        Assert.Contains("data/set/labels/x|y_z.txt", Column(csv, "path"));
        Assert.Equal(Cells(csv), python.Skip(1).ToList());
    }

    [Fact]
    public async Task ValidateCsv_FromTheProcess_HasOneRowPerFinding_AsValidateJson_AndExitsOneOnErrors()
    {
        var run = await Run("validate", "--csv");
        Assert.Equal(1, run.ExitCode);
        var csv = Load(run.Stdout, "validate");
        using var json = JsonDocument.Parse((await Run("validate", "--json")).Stdout);
        var findings = json.RootElement.GetProperty("findings").EnumerateArray().ToList();
        Assert.Equal(findings.Count, csv.Rows.Count);
        Assert.Equal(findings.Select(f => f.GetProperty("path").GetString()), Column(csv, "path"));
        Assert.Equal(findings.Select(f => f.GetProperty("rule").GetString()), Column(csv, "rule"));
        Assert.Equal(findings.Select(f => f.GetProperty("message").GetString()), Column(csv, "message"));
        Assert.Equal(findings.Select(f => f.TryGetProperty("line", out var l) ? (object?)l.GetInt32() : null), csv.Columns["line"].Cast<object?>());
        Assert.Contains(Awkward, Column(csv, "path"));
        Assert.Equal(Cells(csv), PythonCsv(Encoding.UTF8.GetBytes(run.Stdout)).Skip(1).ToList());
    }

    [Fact]
    public async Task MetricsCsv_FromTheProcess_KeepsFullValues_AndEmptyCellsForAMissingSide()
    {
        var (show, _) = await RunCsvAsync("metrics-show", "--rev", "run-2");
        using var json = JsonDocument.Parse((await Run("metrics", "show", "--rev", "run-2", "--json")).Stdout);
        var metrics = json.RootElement.GetProperty("metrics.json").EnumerateObject().ToList();
        Assert.Equal(metrics.Select(m => m.Name), Column(show, "metric"));
        Assert.Equal(metrics.Select(m => m.Value.GetDouble()), Column(show, "value").Select(v => double.Parse(v!, CultureInfo.InvariantCulture)));

        var (diff, python) = await RunCsvAsync("metrics-diff", "run-1", "run-2");
        Assert.Equal(["acc", "val.ap.0", "old_key", "new|key"], Column(diff, "metric"));
        Assert.Equal(["0.9", "0.5", "1", ""], Column(diff, "old"));
        Assert.Equal(["0.01", "0.05", "", ""], Column(diff, "change"));
        Assert.Equal(["metrics.json", "new|key", "", "3", ""], python[4]);
    }

    private Task<ObsRun> Run(params string[] args) => ObsProcess.RunAsync(repo.Root, args);

    private async Task<(DataFrame Csv, List<string[]> Python)> RunCsvAsync(string verb, params string[] args)
    {
        var run = await Run([.. verb.Split('-'), .. args, "--csv"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var python = PythonCsv(Encoding.UTF8.GetBytes(run.Stdout));
        Assert.Equal(Frame(verb).Columns.Select(c => c.Name), python[0]);
        return (Load(run.Stdout, verb), python);
    }

    /// <summary>Read with the column types the table is built with: LoadCsv's guess would read a numeric-looking id as a number.</summary>
    private static DataFrame Load(string csv, string table) =>
        DataFrame.LoadCsv(new MemoryStream(Encoding.UTF8.GetBytes(csv)), dataTypes: CsvTables.Types(Frame(table)));

    private static byte[] Save(DataFrame frame)
    {
        using var stream = new MemoryStream();
        CsvTables.Write(frame, stream);
        return stream.ToArray();
    }

    private static IEnumerable<string?> Column(DataFrame frame, string name) => frame.Columns[name].Cast<object?>().Select(v => (string?)v);

    /// <summary>Every cell as text, null as "" (what an empty CSV field is to a reader that has no types).</summary>
    private static List<string[]> Cells(DataFrame frame) =>
        Enumerable.Range(0, (int)frame.Rows.Count)
            .Select(i => frame.Columns.Select(c => Convert.ToString(c[i], CultureInfo.InvariantCulture) ?? "").ToArray())
            .ToList();

    /// <summary>Debian's python3 reads the bytes with its csv module (newline='' as its documentation requires) and prints JSON.</summary>
    private static List<string[]> PythonCsv(byte[] csv)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("import csv, io, json, sys; print(json.dumps(list(csv.reader(io.TextIOWrapper(sys.stdin.buffer, encoding='utf-8', newline='')))))");
        using var python = Process.Start(psi)!;
        python.StandardInput.BaseStream.Write(csv);
        python.StandardInput.Close();
        var output = python.StandardOutput.ReadToEnd();
        var error = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, error);
        return JsonSerializer.Deserialize<List<string[]>>(output)!;
    }
}
