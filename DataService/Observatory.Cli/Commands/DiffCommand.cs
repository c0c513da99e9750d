using System.CommandLine;
using Observatory.Cli.Reports;
using Observatory.DataService.Core.Annotations;
using Observatory.DataService.Core.Operations;

namespace Observatory.Cli.Commands;

internal static class DiffCommand
{
    public static Command Create()
    {
        var revs = CommonOptions.RejectOptionLike(new Argument<string[]>("revision") { Arity = new ArgumentArity(0, 2), Description = "A [B]: git revisions; A defaults to HEAD, B to the workspace" });
        var path = new Option<string[]>("--path", "-p") { Description = "Limit to these datasets", AllowMultipleArgumentsPerToken = true };
        var json = CommonOptions.Json();
        var md = CommonOptions.Markdown();
        var csv = CommonOptions.Csv();
        var iou = new Option<double>("--iou")
        {
            Description = "IoU at or above which a box counts as the same box (below it, a same-class overlap is 'moved')",
            DefaultValueFactory = _ => AnnotationDiff.DefaultIou,
        };
        iou.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is not (> 0 and <= 1)) r.AddError("--iou must be greater than 0 and at most 1");
        });
        var command = new Command("diff", "Files added, deleted and modified between two versions, with sizes, and boxes added, removed, moved and relabelled per class") { revs, path, json, md, csv, iou };
        CommonOptions.OneOutputFormat(command, json, md, csv);
        CommandAction.Set(command, async (parse, ct) =>
        {
            var r = parse.GetValue(revs) ?? [];
            using var repo = CliEnvironment.OpenRepository();
            var diff = await DiffOperation.RunAsync(repo, r.ElementAtOrDefault(0), r.ElementAtOrDefault(1), parse.GetValue(path) ?? [], ct, parse.GetValue(iou));
            var boxes = diff.Boxes ?? AnnotationChanges.Empty;
            var c = diff.Changes;
            if (parse.GetValue(md))
            {
                Console.Out.Write(MarkdownReports.Diff(diff, parse.GetValue(iou)));
                return ExitCodes.Ok;
            }
            if (parse.GetValue(csv))
            {
                CsvTables.Print(CsvTables.Diff(diff));
                return ExitCodes.Ok;
            }
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
                    annotations = new
                    {
                        iou = parse.GetValue(iou),
                        unavailable = diff.BoxesUnavailable,
                        by_class = boxes.ByClass.ToDictionary(kv => kv.Key, kv => new { added = kv.Value.Added, removed = kv.Value.Removed, moved = kv.Value.Moved, relabelled = kv.Value.Relabelled, before = kv.Value.Before, after = kv.Value.After }),
                        images = boxes.Images.Select(i => new { path = i.Path, added = i.Added, removed = i.Removed, moved = i.Moved, relabelled = i.Relabelled }),
                    },
                });
                return ExitCodes.Ok;
            }
            foreach (var x in c.Added) Console.Out.WriteLine($"added     {x.Path} ({Format.Bytes(x.New!.Size)})");
            foreach (var x in c.Deleted) Console.Out.WriteLine($"deleted   {x.Path} ({Format.Bytes(x.Old!.Size)})");
            foreach (var x in c.Modified) Console.Out.WriteLine($"modified  {x.Path} ({Format.Bytes(x.Old!.Size)} → {Format.Bytes(x.New!.Size)})");
            Console.Out.WriteLine($"{diff.From} → {diff.To}: {c.Added.Count} added, {c.Deleted.Count} deleted, {c.Modified.Count} modified; +{Format.Bytes(diff.BytesAdded)} −{Format.Bytes(diff.BytesDeleted)}; " +
                $"annotations {diff.Annotations.Added} added, {diff.Annotations.Deleted} deleted, {diff.Annotations.Modified} modified");
            if (diff.BoxesUnavailable is { } why) Console.Error.WriteLine($"boxes not compared: {why}");
            WriteBoxes(boxes);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The per-class box table (changed classes only) and the images whose boxes changed.</summary>
    private static void WriteBoxes(AnnotationChanges boxes)
    {
        var changed = boxes.ByClass.Where(kv => kv.Value is var v && (v.Added + v.Removed + v.Moved + v.Relabelled > 0 || v.Before != v.After)).ToList();
        if (changed.Count == 0) return;
        Console.Out.WriteLine();
        var width = Math.Max(5, changed.Max(kv => kv.Key.Length));
        Console.Out.WriteLine($"{"class".PadRight(width)}  {"added",7} {"removed",7} {"moved",7} {"relabelled",10}  {"boxes before → after",22}");
        foreach (var (cls, v) in changed)
        {
            var delta = v.After - v.Before;
            Console.Out.WriteLine($"{cls.PadRight(width)}  {v.Added,7} {v.Removed,7} {v.Moved,7} {v.Relabelled,10}  {$"{v.Before} → {v.After} ({(delta >= 0 ? "+" : "")}{delta})",22}");
        }
        Console.Out.WriteLine($"{boxes.Images.Count} images with changed boxes");
    }
}
