using System.CommandLine;
using Observatory.Cli.Reports;
using Observatory.DataService.Core.Operations;

namespace Observatory.Cli.Commands;

internal static class LogCommand
{
    public static Command Create()
    {
        var paths = CommonOptions.Paths("Datasets (default: all)");
        var json = CommonOptions.Json();
        var md = CommonOptions.Markdown();
        var csv = CommonOptions.Csv();
        var command = new Command("log", "Versions of datasets: commit, tags, date, files, bytes, validation status, and the monitoring export they came from") { paths, json, md, csv };
        CommonOptions.OneOutputFormat(command, json, md, csv);
        CommandAction.Set(command, (parse, ct) =>
        {
            using var repo = CliEnvironment.OpenRepository();
            var versions = LogOperation.Run(repo, parse.GetValue(paths)!);
            if (parse.GetValue(json))
            {
                CliEnvironment.WriteJson(versions.Select(v => new
                {
                    dataset = v.Dataset,
                    commit = v.Commit,
                    tags = v.Tags,
                    date = v.Date,
                    message = v.Message,
                    tree = v.Pointer.Tree.Hex,
                    files = v.Pointer.Files,
                    bytes = v.Pointer.Bytes,
                    validation = v.Pointer.Validation is { } s ? new { errors = s.Errors, warnings = s.Warnings, report = s.Report?.Hex } : null,
                    export = v.Pointer.Export is { } e ? new
                    {
                        id = e.Id, service = e.Service, model = e.Model, model_version = e.ModelVersion, window_start = e.WindowStart, window_end = e.WindowEnd,
                        select = e.Select, count = e.Count,
                    } : null,
                }));
                return Task.FromResult(ExitCodes.Ok);
            }
            if (parse.GetValue(md))
            {
                Console.Out.Write(MarkdownReports.Log(versions));
                return Task.FromResult(ExitCodes.Ok);
            }
            if (parse.GetValue(csv))
            {
                CsvTables.Print(CsvTables.Log(versions));
                return Task.FromResult(ExitCodes.Ok);
            }
            if (versions.Count == 0) Console.Out.WriteLine("no committed versions yet; run 'obs commit -m MSG'");
            foreach (var v in versions)
            {
                var tags = v.Tags.Count > 0 ? $" ({string.Join(", ", v.Tags)})" : "";
                Console.Out.WriteLine($"{v.Commit[..10]}{tags}  {v.Date:yyyy-MM-dd HH:mm}  {v.Dataset}  {v.Pointer.Files} files  {Format.Bytes(v.Pointer.Bytes)}  {MarkdownReports.ValidationCell(v.Pointer)}  {v.Message.Split('\n')[0]}");
                if (v.Pointer.Export is { } e) Console.Out.WriteLine($"    from export {MarkdownReports.Export(e)}");
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
