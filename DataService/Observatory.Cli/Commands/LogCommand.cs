using System.CommandLine;
using System.Globalization;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Pointers;

namespace Observatory.Cli.Commands;

internal static class LogCommand
{
    public static Command Create()
    {
        var paths = CommonOptions.Paths("Datasets (default: all)");
        var json = CommonOptions.Json();
        var md = new Option<bool>("--md") { Description = "Print a Markdown table" };
        var command = new Command("log", "Versions of datasets: commit, tags, date, files, bytes, validation status, and the monitoring export they came from") { paths, json, md };
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
            if (versions.Count == 0) Console.Out.WriteLine("no committed versions yet; run 'obs commit -m MSG'");
            static string Validation(PointerFile p) => p.Validation is { } s ? $"{s.Errors} errors, {s.Warnings} warnings" : "not validated";
            if (parse.GetValue(md))
            {
                if (versions.Count == 0) return Task.FromResult(ExitCodes.Ok);
                Format.Table(Console.Out, ["Commit", "Tags", "Date", "Dataset", "Files", "Size", "Validation", "From export", "Message"],
                    versions.Select(v => (IReadOnlyList<string>)[v.Commit[..10], string.Join(", ", v.Tags), v.Date.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                        v.Dataset, v.Pointer.Files.ToString(CultureInfo.InvariantCulture), Format.Bytes(v.Pointer.Bytes), Validation(v.Pointer),
                        v.Pointer.Export is { } e ? Export(e) : "", v.Message.Split('\n')[0]]), markdown: true);
                return Task.FromResult(ExitCodes.Ok);
            }
            foreach (var v in versions)
            {
                var tags = v.Tags.Count > 0 ? $" ({string.Join(", ", v.Tags)})" : "";
                Console.Out.WriteLine($"{v.Commit[..10]}{tags}  {v.Date:yyyy-MM-dd HH:mm}  {v.Dataset}  {v.Pointer.Files} files  {Format.Bytes(v.Pointer.Bytes)}  {Validation(v.Pointer)}  {v.Message.Split('\n')[0]}");
                if (v.Pointer.Export is { } e) Console.Out.WriteLine($"    from export {Export(e)}");
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>One line of where the images came from: the export, its model and version, the window and the selection.</summary>
    private static string Export(PointerExport e) =>
        $"{e.Id} of {e.Model}{(e.ModelVersion is null ? "" : " " + e.ModelVersion)} at {e.Service}, window {Stamp(e.WindowStart)} – {Stamp(e.WindowEnd)}, {e.Select} ×{e.Count}";

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
}
