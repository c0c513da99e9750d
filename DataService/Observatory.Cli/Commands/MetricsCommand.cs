using System.CommandLine;
using System.Globalization;
using Observatory.Cli.Reports;
using Observatory.DataService.Core.Operations;

namespace Observatory.Cli.Commands;

/// <summary>`obs metrics show|diff`: model metrics files committed to git, read at revisions (DVC's <c>metrics</c>).</summary>
internal static class MetricsCommand
{
    private const string PathsHelp = "Metrics files or folders to search (default: every metrics.json|yaml|yml and *.metrics.json|yaml|yml)";

    public static Command Create() => new("metrics", "Model metrics files (JSON/YAML numbers) committed to git: show them at a revision, or diff two")
    {
        Show(),
        Diff(),
    };

    private static Command Show()
    {
        var paths = CommonOptions.Paths(PathsHelp);
        var rev = CommonOptions.Rev();
        rev.Description = "Git revision (sha, tag, name@vN, HEAD~2…) to read the files at (default: the workspace)";
        var (md, csv, json, precision) = (CommonOptions.Markdown(), CommonOptions.Csv(), CommonOptions.Json(), Precision());
        var command = new Command("show", "Metrics of each file: path, key (nested keys joined with '.') and value") { paths, rev, md, csv, json, precision };
        CommonOptions.OneOutputFormat(command, json, md, csv);
        CommandAction.Set(command, (parse, ct) =>
        {
            using var repo = CliEnvironment.OpenRepository();
            var shown = MetricsOperation.Show(repo, parse.GetValue(rev), parse.GetValue(paths) ?? [], ct);
            if (parse.GetValue(json))
            {
                CliEnvironment.WriteJson(shown.Files);
                return Task.FromResult(ExitCodes.Ok);
            }
            if (parse.GetValue(csv))
            {
                CsvTables.Print(CsvTables.MetricsShow(shown));
                return Task.FromResult(ExitCodes.Ok);
            }
            var digits = parse.GetValue(precision);
            var rows = shown.Files.SelectMany(f => f.Value.Select(m => (IReadOnlyList<string>)[f.Key, m.Key, Number(m.Value, digits)]));
            if (parse.GetValue(md))
            {
                // Even an empty result says so on stdout: a CI step posts whatever it printed as a comment.
                Console.Out.Write(MarkdownReports.MetricsShow(shown.Label, rows));
                return Task.FromResult(ExitCodes.Ok);
            }
            if (shown.Files.Count == 0)
            {
                Console.Error.WriteLine($"no metrics files in {shown.Label}");
                return Task.FromResult(ExitCodes.Ok);
            }
            Format.Table(Console.Out, ["Path", "Metric", "Value"], rows);
            return Task.FromResult(ExitCodes.Ok);
        }, "metrics show");
        return command;
    }

    private static Command Diff()
    {
        var a = new Argument<string>("a") { Description = $"Old git revision, or '{MetricsOperation.Workspace}' for the files on disk" };
        var b = new Argument<string>("b") { Description = $"New git revision, or '{MetricsOperation.Workspace}'" };
        var paths = CommonOptions.Paths(PathsHelp);
        var all = new Option<bool>("--all") { Description = "Show unchanged metrics too" };
        var (md, csv, json, precision) = (CommonOptions.Markdown(), CommonOptions.Csv(), CommonOptions.Json(), Precision());
        var command = new Command("diff", "Metrics at revisions A and B with the change B − A; a key on one side only shows '-' on the other")
        {
            a, b, paths, all, md, csv, json, precision,
        };
        CommonOptions.OneOutputFormat(command, json, md, csv);
        CommandAction.Set(command, (parse, ct) =>
        {
            using var repo = CliEnvironment.OpenRepository();
            var diff = MetricsOperation.Diff(repo, parse.GetValue(a)!, parse.GetValue(b)!, parse.GetValue(paths) ?? [], parse.GetValue(all), ct);
            if (parse.GetValue(json))
            {
                // As `dvc metrics diff --json`: {path: {key: {old, new, diff}}}, a missing side written as null rather than left out.
                var report = diff.Changes.GroupBy(c => c.Path).ToDictionary(
                    g => g.Key,
                    g => g.ToDictionary(c => c.Key, c => new Dictionary<string, double?> { ["old"] = c.Old, ["new"] = c.New, ["diff"] = c.Change }));
                CliEnvironment.WriteJson(report);
                return Task.FromResult(ExitCodes.Ok);
            }
            if (parse.GetValue(csv))
            {
                CsvTables.Print(CsvTables.MetricsDiff(diff));
                return Task.FromResult(ExitCodes.Ok);
            }
            var digits = parse.GetValue(precision);
            string Cell(double? v) => v is { } x ? Number(x, digits) : "-";
            var rows = diff.Changes.Select(c => (IReadOnlyList<string>)[c.Path, c.Key, Cell(c.Old), Cell(c.New), Cell(c.Change)]);
            if (parse.GetValue(md))
            {
                Console.Out.Write(MarkdownReports.MetricsDiff(diff.Old.Label, diff.New.Label, rows));
                return Task.FromResult(ExitCodes.Ok);
            }
            if (diff.Changes.Count == 0)
            {
                Console.Error.WriteLine($"no metrics changed between {diff.Old.Label} and {diff.New.Label}");
                return Task.FromResult(ExitCodes.Ok);
            }
            Format.Table(Console.Out, ["Path", "Metric", diff.Old.Label, diff.New.Label, "Change"], rows);
            return Task.FromResult(ExitCodes.Ok);
        }, "metrics diff");
        return command;
    }

    private static Option<int> Precision()
    {
        var option = new Option<int>("--precision") { Description = "Digits after the decimal point in tables (JSON keeps full values)", DefaultValueFactory = _ => 5 };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 15) r.AddError("--precision must be between 0 and 15");
        });
        return option;
    }

    private static string Number(double value, int digits) =>
        Math.Round(value, digits, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture);
}
