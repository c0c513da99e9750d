using System.CommandLine;
using Observatory.DataService.Core.Operations;

namespace Observatory.Cli.Commands;

internal static class DiffCommand
{
    public static Command Create()
    {
        var revs = CommonOptions.RejectOptionLike(new Argument<string[]>("revision") { Arity = new ArgumentArity(0, 2), Description = "A [B]: git revisions; A defaults to HEAD, B to the workspace" });
        var path = new Option<string[]>("--path", "-p") { Description = "Limit to these datasets", AllowMultipleArgumentsPerToken = true };
        var json = CommonOptions.Json();
        var command = new Command("diff", "Files added, deleted and modified between two versions, with sizes") { revs, path, json };
        CommandAction.Set(command, async (parse, ct) =>
        {
            var r = parse.GetValue(revs) ?? [];
            using var repo = CliEnvironment.OpenRepository();
            var diff = await DiffOperation.RunAsync(repo, r.ElementAtOrDefault(0), r.ElementAtOrDefault(1), parse.GetValue(path) ?? [], ct);
            var c = diff.Changes;
            if (parse.GetValue(json))
            {
                static object File(Observatory.DataService.Core.Objects.TreeEntry e, string path) => new { path, size = e.Size, sha256 = e.Hash.Hex };
                CliEnvironment.WriteJson(new
                {
                    from = diff.From,
                    to = diff.To,
                    added = c.Added.Select(x => File(x.New!, x.Path)),
                    deleted = c.Deleted.Select(x => File(x.Old!, x.Path)),
                    modified = c.Modified.Select(x => new { path = x.Path, old = new { size = x.Old!.Size, sha256 = x.Old.Hash.Hex }, @new = new { size = x.New!.Size, sha256 = x.New.Hash.Hex } }),
                    summary = new { added = c.Added.Count, deleted = c.Deleted.Count, modified = c.Modified.Count, bytes_added = diff.BytesAdded, bytes_deleted = diff.BytesDeleted, annotations = diff.Annotations },
                });
                return ExitCodes.Ok;
            }
            foreach (var x in c.Added) Console.Out.WriteLine($"added     {x.Path} ({Format.Bytes(x.New!.Size)})");
            foreach (var x in c.Deleted) Console.Out.WriteLine($"deleted   {x.Path} ({Format.Bytes(x.Old!.Size)})");
            foreach (var x in c.Modified) Console.Out.WriteLine($"modified  {x.Path} ({Format.Bytes(x.Old!.Size)} → {Format.Bytes(x.New!.Size)})");
            Console.Out.WriteLine($"{diff.From} → {diff.To}: {c.Added.Count} added, {c.Deleted.Count} deleted, {c.Modified.Count} modified; +{Format.Bytes(diff.BytesAdded)} −{Format.Bytes(diff.BytesDeleted)}; " +
                $"annotations {diff.Annotations.Added} added, {diff.Annotations.Deleted} deleted, {diff.Annotations.Modified} modified");
            return ExitCodes.Ok;
        });
        return command;
    }
}
