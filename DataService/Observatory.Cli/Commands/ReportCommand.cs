using System.CommandLine;
using System.Globalization;
using Observatory.Cli.ImportWindow;
using Observatory.Cli.Reports;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Queries;
using Observatory.DataService.Core.Store;
using Observatory.Monitoring.Core.Drift;
using Observatory.Monitoring.Core.IO;
using Observatory.Reports;

namespace Observatory.Cli.Commands;

/// <summary>
/// `obs report`: one self-contained HTML file (no network, inline CSS and SVG) for two dataset versions (`obs report A [B]`), two
/// embedding files (`--drift --reference a.npy --current b.npy`) or a model's drift window on the service (`--service URL --model M
/// --window END`). The file is written atomically; progress goes to stderr.
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var revs = CommonOptions.RejectOptionLike(new Argument<string[]>("revision") { Arity = new ArgumentArity(0, 2), Description = "A [B]: the dataset versions to compare (git revisions); B defaults to HEAD" });
        var output = new Option<string>("--output", "-o") { Description = "The HTML file to write", Required = true };
        var path = new Option<string[]>("--path", "-p") { Description = "Limit to these datasets (default: every dataset at HEAD)", AllowMultipleArgumentsPerToken = true };
        var drift = new Option<bool>("--drift") { Description = "Report drift between two embedding files (--reference, --current)" };
        var reference = new Option<string?>("--reference") { Description = "With --drift: reference samples, .npy (2-D float32/float64) or .csv" };
        var current = new Option<string?>("--current") { Description = "With --drift: current samples, same number of dimensions" };
        var service = new Option<string?>("--service") { Description = "The monitoring service, e.g. http://localhost:5080: report one of a model's drift windows" };
        var model = new Option<string?>("--model") { Description = "With --service: the model" };
        var window = new Option<string?>("--window") { Description = "With --service: end of the drift window, ISO 8601 (GET /api/models/{model}/drift lists the windows)" };
        var apiKey = new Option<string?>("--api-key") { Description = $"With --service: the service's API key (default: ${ImportWindowCommand.ApiKeyVariable})" };
        var quiet = CommonOptions.Quiet();
        var command = new Command("report", "Write a shareable, self-contained HTML report: two dataset versions, two embedding files (--drift) or a model's drift window (--service)")
        {
            revs, output, path, drift, reference, current, service, model, window, apiKey, quiet,
        };
        CommandAction.Set(command, async (parse, ct) =>
        {
            var quietly = parse.GetValue(quiet);
            void Progress(string line) { if (!quietly) Console.Error.WriteLine($"obs report: {line}"); }
            var target = Path.GetFullPath(parse.GetValue(output)!);
            if (Directory.Exists(target)) throw new UsageException($"--output '{parse.GetValue(output)}' is a folder; name the HTML file to write, e.g. report.html");
            var r = parse.GetValue(revs) ?? [];
            var modes = new[] { parse.GetValue(drift), parse.GetValue(service) is not null, r.Length > 0 }.Count(m => m);
            if (modes != 1)
                throw new UsageException("say what to report: two dataset versions (obs report A [B]), two embedding files (--drift --reference a.npy --current b.npy), or a window (--service URL --model M --window END)");

            string html;
            if (parse.GetValue(drift))
                html = HtmlReports.Render(FileDrift(parse.GetValue(reference), parse.GetValue(current), Progress, ct));
            else if (parse.GetValue(service) is { } url)
                html = HtmlReports.Render(await WindowAsync(url, parse.GetValue(model), parse.GetValue(window),
                    parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable(ImportWindowCommand.ApiKeyVariable), Progress, ct));
            else
                html = HtmlReports.Render(await DatasetsAsync(r[0], r.ElementAtOrDefault(1) ?? "HEAD", parse.GetValue(path) ?? [], Progress, ct));

            // Atomic: a reader (a browser refreshing, a CI artifact upload) never sees half a report, and a failure leaves the old one.
            await AtomicFile.WriteAllTextAsync(target, html, Path.GetDirectoryName(target)!, ct);
            Progress($"wrote {target} ({html.Length / 1024.0:0.#} KB)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<DatasetVersionsReport> DatasetsAsync(string from, string to, IReadOnlyList<string> userPaths, Action<string> progress, CancellationToken ct)
    {
        using var repo = CliEnvironment.OpenRepository();
        var catalog = new DatasetCatalog(repo.Root, CliEnvironment.Create());
        List<string> datasets;
        if (userPaths.Count > 0)
        {
            datasets = userPaths.Select(p =>
            {
                var rel = repo.RelativeToRoot(repo.ResolveUserPath(p));
                return rel.EndsWith(".obs", StringComparison.Ordinal) ? rel[..^4] : rel;
            }).Distinct(StringComparer.Ordinal).ToList();
        }
        else
        {
            datasets = catalog.ListDatasets().Where(d => d.AtHead).Select(d => d.Path).ToList();
            if (datasets.Count == 0) throw new UsageException("no dataset is committed at HEAD; commit one with 'obs add <folder>' and 'obs commit -m …'");
        }
        try
        {
            var report = await DatasetReports.BuildAsync(catalog, datasets, from, to, skipMissing: userPaths.Count == 0, TimeProvider.System, progress, ct);
            if (report.Datasets.Count == 0) throw new UsageException($"no dataset exists at both {from} and {to}");
            return report;
        }
        catch (QueryException ex) { throw new UsageException($"{ex.Parameter}: {ex.Message}", ex); }
        catch (QueryNotFoundException ex) { throw new UsageException(ex.Message, ex); }
    }

    private static DriftReportInput FileDrift(string? reference, string? current, Action<string> progress, CancellationToken ct)
    {
        if (reference is null || current is null) throw new UsageException("--drift needs --reference and --current (.npy or .csv files)");
        var refMatrix = Load(reference);
        var curMatrix = Load(current);
        if (refMatrix.Cols != curMatrix.Cols)
            throw new UsageException($"{current}: has {curMatrix.Cols} dimensions but the reference {reference} has {refMatrix.Cols}; both files must have the same number of columns");
        // The default methods include MMD (2 rows a side) and the domain classifier (4 rows in all).
        if (refMatrix.Rows < 2 || curMatrix.Rows < 2) throw new UsageException($"{(refMatrix.Rows < 2 ? reference : current)}: a drift report needs at least 2 rows per file");
        try { return FileDriftReports.Build(refMatrix, curMatrix, reference, current, TimeProvider.System, progress, ct); }
        catch (ArgumentException ex) { throw new UsageException(ex.Message, ex); }
    }

    private static DataMatrix Load(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"{path}: no such file");
        try { return MatrixFile.Read(path); }
        catch (MatrixFormatException ex) { throw new UsageException(ex.Message, ex); }
    }

    private static async Task<DriftReportInput> WindowAsync(string service, string? model, string? windowText, string? apiKey, Action<string> progress, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(model) || string.IsNullOrWhiteSpace(windowText)) throw new UsageException("--service needs --model and --window (the window's end, ISO 8601)");
        if (!DateTimeOffset.TryParse(windowText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var windowEnd))
            throw new UsageException($"--window '{windowText}' is not an ISO 8601 time, e.g. 2026-01-05T12:00:00Z");
        using var client = new MonitoringExportClient(service, apiKey, TimeSpan.FromMinutes(1));
        try { return await WindowReports.BuildAsync(new ServiceWindowSource(client), model, windowEnd, TimeProvider.System, progress, ct); }
        catch (KeyNotFoundException ex) { throw new UsageException($"{ex.Message}; GET {client.Service}/api/models/{model}/drift lists the windows", ex); }
    }
}
