using System.CommandLine;
using Observatory.DataService.Core.Operations;

namespace Observatory.Cli.Commands;

internal static class StatusCommand
{
    public static Command Create()
    {
        var paths = CommonOptions.Paths("Datasets to check (default: all)");
        var json = CommonOptions.Json();
        var remote = new Option<string?>("--remote", "-r") { Description = "Also count the objects this remote lacks (no value: the default remote)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("status", "Show tracked files added, modified or deleted since their pointer") { paths, json, remote };
        CommandAction.Set(command, async (parse, ct) =>
        {
            using var repo = CliEnvironment.OpenRepository();
            var statuses = await StatusOperation.RunAsync(repo, parse.GetValue(paths)!, ct);
            object? remoteStatus = null;
            int missing = 0;
            string? remoteName = null;
            if (parse.GetResult(remote) is not null)
            {
                using var connection = RemoteOptions.Connect(repo, parse.GetValue(remote));
                remoteName = connection.Name;
                missing = await PushOperation.CountMissingAsync(repo, connection.Store, ct);
                remoteStatus = new { name = remoteName, missing };
            }
            if (parse.GetValue(json))
            {
                CliEnvironment.WriteJson(new
                {
                    datasets = statuses.Select(s => new { path = s.Path, state = s.State, added = s.Added, modified = s.Modified, deleted = s.Deleted, note = s.Note }),
                    remote = remoteStatus,
                });
            }
            else
            {
                if (statuses.Count == 0) Console.Out.WriteLine("no dataset is tracked; run 'obs add <folder>'");
                foreach (var s in statuses)
                {
                    Console.Out.WriteLine($"{s.Path}: {s.State.ToString().ToLowerInvariant()}{(s.Note is null ? "" : " — " + s.Note)}");
                    foreach (var p in s.Added) Console.Out.WriteLine($"  added:    {p}");
                    foreach (var p in s.Modified) Console.Out.WriteLine($"  modified: {p}");
                    foreach (var p in s.Deleted.Take(s.State == DatasetState.Missing ? 0 : int.MaxValue)) Console.Out.WriteLine($"  deleted:  {p}");
                }
                if (remoteName is not null) Console.Out.WriteLine($"remote {remoteName}: {missing} object(s) missing{(missing > 0 ? "; run 'obs push'" : "")}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
