using System.CommandLine;
using Observatory.DataService.Core.Operations;

namespace Observatory.Cli.Commands;

internal static class LsCommand
{
    public static Command Create()
    {
        var paths = CommonOptions.Paths("Datasets or folders inside them (default: all)");
        var rev = CommonOptions.Rev();
        var json = CommonOptions.Json();
        var command = new Command("ls", "List the files of a version without pulling it") { paths, rev, json };
        CommandAction.Set(command, async (parse, ct) =>
        {
            using var repo = CliEnvironment.OpenRepository();
            var entries = await ListOperation.RunAsync(repo, parse.GetValue(rev), parse.GetValue(paths)!, ct);
            if (parse.GetValue(json))
                CliEnvironment.WriteJson(entries.Select(e => new { path = e.Path, size = e.Size, sha256 = e.Hash.Hex }));
            else
                foreach (var e in entries) Console.Out.WriteLine($"{e.Hash.Short}  {e.Size,12}  {e.Path}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
