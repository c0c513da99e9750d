using System.CommandLine;
using System.Globalization;
using Observatory.Cli.ImportWindow;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Imaging;
using Observatory.Monitoring.Contracts;

namespace Observatory.Cli.Commands;

internal static class ImportWindowCommand
{
    public const string ApiKeyVariable = "OBS_MONITORING_API_KEY";

    private static readonly string[] Selections = ["outliers", "low-confidence", "misclassified", "disagreement", "random"];
    private static readonly string[] Formats = ["yolo", "coco", "csv"];

    public static Command Create()
    {
        var service = new Argument<string>("service-url") { Description = "The monitoring service, e.g. http://localhost:5080" };
        var model = new Argument<string>("model") { Description = "The model whose window to export" };
        var path = new Argument<string>("path") { Description = "Dataset folder: a new one, or an obs-tracked one to merge into" };
        var window = new Option<string>("--window") { Description = "End of the drift window, ISO 8601 (GET /api/models/{model}/drift lists the windows)", Required = true };
        var select = new Option<string>("--select") { Description = $"Which events: {string.Join('|', Selections)}", Required = true };
        select.AcceptOnlyFromAmong(Selections);
        var count = new Option<int>("--count") { Description = "How many events (at most the service's export limit)", Required = true };
        var format = new Option<string?>("--format") { Description = "Layout to write: yolo|coco|csv (default: the folder's own, else yolo); an item without boxes (a classification model) gets one full-frame box of its label" };
        format.AcceptOnlyFromAmong(Formats);
        var split = new Option<string?>("--split") { Description = "Split folder under images/ (and labels/): default train when images/train exists, else none" };
        var apiKey = new Option<string?>("--api-key") { Description = $"The service's API key (default: ${ApiKeyVariable})" };
        var allowInvalid = CommonOptions.AllowInvalid();
        var json = CommonOptions.Json();
        var quiet = CommonOptions.Quiet();
        var command = new Command("import-window",
            "Import the images of one drift window from the monitoring service, with pre-labels (feedback, else the model's prediction), into a dataset folder, and track it")
        {
            service, model, window, select, count, format, split, apiKey, allowInvalid, json, quiet, path,
        };
        CommandAction.Set(command, async (parse, ct) =>
        {
            var windowText = parse.GetValue(window)!;
            if (!DateTimeOffset.TryParse(windowText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var windowEnd))
                throw new UsageException($"--window '{windowText}' is not an ISO 8601 time, e.g. 2026-01-05T12:00:00Z");
            if (parse.GetValue(count) < 1) throw new UsageException("--count must be at least 1");
            var request = new ImportWindowRequest(parse.GetValue(service)!, parse.GetValue(model)!, windowEnd, Selection(parse.GetValue(select)!), parse.GetValue(count),
                parse.GetValue(format) is { } f ? Enum.Parse<ExportFormat>(f, ignoreCase: true) : null, parse.GetValue(split),
                parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable(ApiKeyVariable), parse.GetValue(path)!)
            {
                AllowInvalid = parse.GetValue(allowInvalid),
            };
            var result = await CliProgress.RunAsync(async progress =>
            {
                using var repo = CliEnvironment.OpenRepository(progress);
                using var _ = await repo.LockForWriteAsync(ct);
                return await ImportWindowOperation.RunAsync(repo, request, new SkiaImageInspector(), ValidationAdapter.Create(), ct);
            }, parse.GetValue(quiet));
            var (m, plan, added) = (result.Manifest, result.Plan, result.Added);
            var pointer = added.Dataset.Pointer;
            if (parse.GetValue(json))
            {
                CliEnvironment.WriteJson(new
                {
                    dataset = added.Dataset.DatasetPath,
                    pointer = added.Dataset.PointerPath,
                    export_id = m.Id,
                    model = m.Model,
                    model_version = m.ModelVersion,
                    window_start = m.WindowStart,
                    window_end = m.WindowEnd,
                    select = ImportWindowOperation.SelectName(m.Select),
                    format = result.Format.ToString().ToLowerInvariant(),
                    split = result.Split,
                    note = m.Note,
                    items = plan.Items,
                    new_images = plan.NewImages,
                    new_files = plan.Files.Count,
                    skipped_identical = plan.SkippedIdentical,
                    labels = new { feedback = plan.Feedback, prediction = plan.Prediction },
                    changed = added.Changed,
                    tree = pointer.Tree.Hex,
                    validation = pointer.Validation is { } v ? new { errors = v.Errors, warnings = v.Warnings } : null,
                });
                return ExitCodes.Ok;
            }
            Console.Out.WriteLine($"imported export {m.Id} ({m.Model}{(m.ModelVersion is null ? "" : " " + m.ModelVersion)}, window {m.WindowStart:u} – {m.WindowEnd:u}, " +
                $"{ImportWindowOperation.SelectName(m.Select)}) into {added.Dataset.DatasetPath}: {plan.Items} item(s), {plan.NewImages} new image(s), " +
                $"{plan.SkippedIdentical} already there, {plan.Files.Count} file(s) written");
            if (m.Note is not null) Console.Out.WriteLine($"service note: {m.Note}");
            Console.Out.WriteLine($"labels: {plan.Feedback} from feedback, {plan.Prediction} from the model's predictions" + (plan.Prediction > 0 ? " (check these before training)" : ""));
            Console.Out.WriteLine($"{(added.Changed ? "added" : "unchanged")} {added.Dataset.DatasetPath}: {added.Tree.Entries.Count} files, {Format.Bytes(added.Tree.TotalBytes)}, tree {pointer.Tree.Short}" +
                (pointer.Validation is { } s ? $", validation {s.Errors} error(s) {s.Warnings} warning(s)" : ""));
            if (added.Changed) Console.Out.WriteLine($"next: git add {added.Dataset.PointerPath} (or run 'obs commit -m MSG')");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static ExportSelection Selection(string name) => name switch
    {
        "low-confidence" => ExportSelection.LowConfidence,
        _ => Enum.Parse<ExportSelection>(name, ignoreCase: true),
    };
}
