using System.CommandLine;
using Observatory.Cli.Reports;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Validation;
using Observatory.DataService.Core.Workspace;

namespace Observatory.Cli.Commands;

/// <summary>
/// `obs validate [path] [--json|--md|--csv]`: validates the current files of tracked datasets (or any folder in the workspace);
/// with --rev, prints the report stored with that version. Exit 1 when there are errors.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var paths = CommonOptions.Paths("Datasets or folders to validate (default: every tracked dataset)");
        var rev = new Option<string?>("--rev") { Description = "Show the report stored with this version instead of validating the workspace" };
        var json = CommonOptions.Json();
        var md = CommonOptions.Markdown();
        var csv = CommonOptions.Csv();
        var quiet = CommonOptions.Quiet();
        var command = new Command("validate", "Validate images and annotations (YOLO, COCO, VOC); exit 1 when there are errors") { paths, rev, json, md, csv, quiet };
        CommonOptions.OneOutputFormat(command, json, md, csv);
        CommandAction.Set(command, async (parse, ct) =>
        {
            var reports = await CliProgress.RunAsync(async progress =>
            {
                using var repo = CliEnvironment.OpenRepository(progress);
                return parse.GetValue(rev) is { } revision
                    ? await StoredAsync(repo, revision, parse.GetValue(paths)!, ct)
                    : await CurrentAsync(repo, parse.GetValue(paths)!, ct);
            }, parse.GetValue(quiet) || parse.GetValue(json) || parse.GetValue(md) || parse.GetValue(csv));
            if (parse.GetValue(md))
            {
                Console.Out.Write(MarkdownReports.Validation(reports));
            }
            else if (parse.GetValue(csv))
            {
                CsvTables.Print(CsvTables.Validation(reports));
            }
            else if (parse.GetValue(json))
            {
                // One dataset: the documented object. Several: an array of them.
                Console.Out.WriteLine(reports.Count == 1 ? ValidationJson.Serialize(reports[0]) : "[" + string.Join(",\n", reports.Select(r => ValidationJson.Serialize(r))) + "]");
            }
            else
            {
                foreach (var report in reports) Console.Out.Write(ValidationReportFormatter.Format(report));
            }
            return reports.Any(r => r.HasErrors) ? ExitCodes.DataCheckFailed : ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<List<ValidationReport>> CurrentAsync(ObsRepository repo, IReadOnlyList<string> userPaths, CancellationToken ct)
    {
        var tracked = Datasets.InWorkspace(repo);
        var folders = new List<string>();
        if (userPaths.Count == 0)
        {
            if (tracked.Count == 0) throw new UsageException("no dataset is tracked; name a folder to validate");
            folders.AddRange(tracked.Select(d => d.DatasetPath));
        }
        else
        {
            foreach (var p in userPaths)
            {
                var rel = repo.RelativeToRoot(repo.ResolveUserPath(p));
                if (rel.EndsWith(".obs", StringComparison.Ordinal)) rel = rel[..^4];
                if (!Directory.Exists(repo.FullPath(rel))) throw new UsageException($"'{p}' is not a folder");
                folders.Add(rel);
            }
        }
        var validation = ValidationAdapter.Create();
        var reports = new List<ValidationReport>();
        foreach (var folder in folders)
        {
            var files = await WorkspaceScanner.ScanAsync(repo, folder, WorkspaceScanner.Mode.HashOnly, ct);
            reports.Add(await validation.ValidateReportAsync(repo.FullPath(folder), folder, files, repo.Config.ValidationYaml,
                Path.Combine(repo.ObsDir, "cache", "validation"), repo.Progress, ct));
        }
        return reports;
    }

    private static async Task<List<ValidationReport>> StoredAsync(ObsRepository repo, string revision, IReadOnlyList<string> userPaths, CancellationToken ct)
    {
        var reports = new List<ValidationReport>();
        foreach (var (dataset, _) in Datasets.Select(repo, Datasets.AtRevision(repo, revision), userPaths))
        {
            if (dataset.Pointer.Validation?.Report is not { } hash)
                throw new UsageException($"{dataset.DatasetPath} at {revision} was recorded without validation (--no-validate)");
            if (!repo.Cache.Contains(hash))
                throw new StoreException($"the validation report {hash.Hex} of {dataset.DatasetPath} at {revision} is not in the cache; run 'obs fetch --rev {revision} {dataset.DatasetPath}'");
            reports.Add(ValidationJson.Deserialize(await repo.Cache.ReadAllBytesAsync(hash, ct)));
        }
        return reports;
    }
}
