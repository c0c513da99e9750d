using System.CommandLine;
using Observatory.DataService.Core.Operations;

namespace Observatory.Cli.Commands;

internal static class LogCommand
{
    public static Command Create()
    {
        var paths = CommonOptions.Paths("Datasets (default: all)");
        var json = CommonOptions.Json();
        var command = new Command("log", "Versions of datasets: commit, tags, date, files, bytes, validation status") { paths, json };
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
                }));
                return Task.FromResult(ExitCodes.Ok);
            }
            if (versions.Count == 0) Console.Out.WriteLine("no committed versions yet; run 'obs commit -m MSG'");
            foreach (var v in versions)
            {
                var tags = v.Tags.Count > 0 ? $" ({string.Join(", ", v.Tags)})" : "";
                var validation = v.Pointer.Validation is { } s ? $"{s.Errors} errors, {s.Warnings} warnings" : "not validated";
                Console.Out.WriteLine($"{v.Commit[..10]}{tags}  {v.Date:yyyy-MM-dd HH:mm}  {v.Dataset}  {v.Pointer.Files} files  {Format.Bytes(v.Pointer.Bytes)}  {validation}  {v.Message.Split('\n')[0]}");
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
