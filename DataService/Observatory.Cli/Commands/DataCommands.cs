using System.CommandLine;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Workspace;

namespace Observatory.Cli.Commands;

/// <summary>Options several verbs share, declared once so their names and help read the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print the machine-readable JSON report on stdout" };

    public static Option<string?> Rev() => new("--rev") { Description = "Git revision (sha, tag, branch, HEAD~2…) whose pointers to use" };

    public static Argument<string[]> Paths(string description) => RejectOptionLike(new Argument<string[]>("path") { Arity = ArgumentArity.ZeroOrMore, Description = description });

    /// <summary>An unknown '--flag' would otherwise be taken as a path; say it is an unknown option instead.</summary>
    public static Argument<string[]> RejectOptionLike(Argument<string[]> argument)
    {
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
                if (token.Value.StartsWith('-') && token.Value.Length > 1)
                    result.AddError($"unknown option '{token.Value}'");
        });
        return argument;
    }

    public static Option<bool> Quiet() => new("--quiet", "-q") { Description = "No progress on stderr" };

    public static Option<bool> AllowInvalid() => new("--allow-invalid") { Description = "Record the version even when validation finds errors" };

    public static Option<bool> NoValidate() => new("--no-validate") { Description = "Skip validation" };
}

internal static class InitCommand
{
    public static Command Create()
    {
        var subdir = new Option<bool>("--subdir") { Description = "Make the current folder the workspace root inside a larger git work tree (monorepos)" };
        var command = new Command("init", "Create .obs/ in the current git work tree (config committed; cache and state ignored)") { subdir };
        CommandAction.Set(command, async (parse, ct) =>
        {
            var created = await InitOperation.RunAsync(Directory.GetCurrentDirectory(), CliEnvironment.Create(), ct, parse.GetValue(subdir));
            Console.Out.WriteLine(created ? "initialised .obs/ (staged .obs/config and .obs/.gitignore)" : "already initialised");
            return ExitCodes.Ok;
        });
        return command;
    }
}

internal static class AddCommand
{
    public static Command Create()
    {
        var paths = CommonOptions.RejectOptionLike(new Argument<string[]>("path") { Arity = ArgumentArity.OneOrMore, Description = "Dataset folders to track" });
        var allowInvalid = CommonOptions.AllowInvalid();
        var noValidate = CommonOptions.NoValidate();
        var quiet = CommonOptions.Quiet();
        var command = new Command("add", "Hash folders into the cache, write <path>.obs pointers, ignore the folders in git, validate") { paths, allowInvalid, noValidate, quiet };
        CommandAction.Set(command, async (parse, ct) =>
        {
            var results = await CliProgress.RunAsync(async progress =>
            {
                using var repo = CliEnvironment.OpenRepository(progress);
                using var _ = await repo.LockForWriteAsync(ct);
                return await AddOperation.RunAsync(repo, parse.GetValue(paths)!, new AddOptions
                {
                    Validation = parse.GetValue(noValidate) ? null : ValidationAdapter.Create(),
                    AllowInvalid = parse.GetValue(allowInvalid),
                }, ct);
            }, parse.GetValue(quiet));
            foreach (var r in results)
            {
                var v = r.Dataset.Pointer.Validation;
                Console.Out.WriteLine($"{(r.Changed ? "added" : "unchanged")} {r.Dataset.DatasetPath}: {r.Tree.Entries.Count} files, {Format.Bytes(r.Tree.TotalBytes)}, tree {r.Dataset.Pointer.Tree.Short}" +
                    (v is null ? "" : $", validation {v.Errors} error(s) {v.Warnings} warning(s)"));
            }
            if (results.Any(r => r.Changed))
                Console.Out.WriteLine($"next: git add {string.Join(' ', results.Select(r => r.Dataset.PointerPath))} (or run 'obs commit -m MSG')");
            return ExitCodes.Ok;
        });
        return command;
    }
}

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
                remoteName = Observatory.DataService.Core.Remotes.RemoteSelection.Resolve(repo.Config, parse.GetValue(remote)).Name;
                using var store = Remotes.Open(repo, remoteName);
                missing = await Observatory.DataService.Core.Remotes.TransferOperations.CountMissingAsync(repo, store, ct);
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

internal static class CommitCommand
{
    public static Command Create()
    {
        var message = new Option<string>("--message", "-m") { Description = "Commit message", Required = true };
        var tag = new Option<string?>("--tag", "-t") { Description = "Tag the commit: a name, or no value for <dataset>@v<N>", Arity = ArgumentArity.ZeroOrOne };
        var allowInvalid = CommonOptions.AllowInvalid();
        var noValidate = CommonOptions.NoValidate();
        var quiet = CommonOptions.Quiet();
        var command = new Command("commit", "Re-add changed datasets, stage pointers and .gitignore, create the git commit (and tag)") { message, tag, allowInvalid, noValidate, quiet };
        CommandAction.Set(command, async (parse, ct) =>
        {
            var tagResult = parse.GetResult(tag);
            var result = await CliProgress.RunAsync(async progress =>
            {
                using var repo = CliEnvironment.OpenRepository(progress);
                using var _ = await repo.LockForWriteAsync(ct);
                return await CommitOperation.RunAsync(repo, new CommitOptions
                {
                    Message = parse.GetValue(message)!,
                    Tag = tagResult is null ? null : parse.GetValue(tag) ?? "",
                    Add = new AddOptions { Validation = parse.GetValue(noValidate) ? null : ValidationAdapter.Create(), AllowInvalid = parse.GetValue(allowInvalid) },
                }, ct);
            }, parse.GetValue(quiet));
            if (result.Commit is null)
            {
                Console.Out.WriteLine("nothing to commit: datasets match their committed pointers");
                return ExitCodes.Ok;
            }
            Console.Out.WriteLine($"committed {result.Commit[..10]}{(result.ChangedDatasets.Count > 0 ? ": " + string.Join(", ", result.ChangedDatasets) : "")}");
            foreach (var t in result.Tags) Console.Out.WriteLine($"tagged {t}");
            return ExitCodes.Ok;
        });
        return command;
    }
}

internal static class CheckoutCommand
{
    public static Command Create()
    {
        var paths = CommonOptions.Paths("Datasets (or folders inside them) to restore (default: all)");
        var rev = CommonOptions.Rev();
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite or delete changes that are not saved in the cache" };
        var quiet = CommonOptions.Quiet();
        var command = new Command("checkout", "Make dataset folders match their pointer, at the workspace or any git revision") { paths, rev, force, quiet };
        CommandAction.Set(command, async (parse, ct) =>
        {
            var results = await CliProgress.RunAsync(async progress =>
            {
                using var repo = CliEnvironment.OpenRepository(progress);
                using var _ = await repo.LockForWriteAsync(ct);
                return await CheckoutOperation.RunAsync(repo, parse.GetValue(paths)!, new CheckoutOptions { Revision = parse.GetValue(rev), Force = parse.GetValue(force) }, ct);
            }, parse.GetValue(quiet));
            foreach (var r in results)
                Console.Out.WriteLine($"{r.DatasetPath}: {r.Written} written, {r.Deleted} deleted, {r.Unchanged} unchanged");
            return ExitCodes.Ok;
        });
        return command;
    }
}

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

internal static class GcCommand
{
    public static Command Create()
    {
        var keep = new Option<string>("--keep") { Description = "Versions to keep: workspace, tags (workspace + HEAD + every tag) or all-commits", DefaultValueFactory = _ => "tags" };
        keep.AcceptOnlyFromAmong("workspace", "tags", "all-commits");
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "List what would be deleted, delete nothing" };
        var remote = new Option<string?>("--remote", "-r") { Description = "Collect garbage on this remote (no value: the default) instead of the local cache", Arity = ArgumentArity.ZeroOrOne };
        var force = new Option<bool>("--force") { Description = "With --remote: really delete; without it the objects are only listed" };
        var json = CommonOptions.Json();
        var command = new Command("gc", "Delete cache objects that no kept version references") { keep, dryRun, remote, force, json };
        CommandAction.Set(command, async (parse, ct) =>
        {
            var scope = parse.GetValue(keep) switch { "workspace" => GcScope.Workspace, "all-commits" => GcScope.AllCommits, _ => GcScope.Tags };
            using var repo = CliEnvironment.OpenRepository();
            using var _ = await repo.LockForWriteAsync(ct);
            if (parse.GetResult(remote) is not null)
            {
                using var store = Remotes.Open(repo, parse.GetValue(remote));
                var delete = parse.GetValue(force) && !parse.GetValue(dryRun);
                var remoteResult = await Observatory.DataService.Core.Remotes.RemoteGcOperation.RunAsync(repo, store, scope, delete, ct);
                if (parse.GetValue(json))
                {
                    CliEnvironment.WriteJson(new { remote = store.DisplayUrl, kept = remoteResult.Kept, removed = remoteResult.Removed.Select(h => h.Hex), dry_run = !delete });
                    return ExitCodes.Ok;
                }
                foreach (var h in remoteResult.Removed) Console.Out.WriteLine($"{(delete ? "deleted" : "would delete")} {h.Hex}");
                Console.Out.WriteLine(delete
                    ? $"deleted {remoteResult.Removed.Count} object(s) from {store.DisplayUrl}; kept {remoteResult.Kept}"
                    : $"{remoteResult.Removed.Count} object(s) on {store.DisplayUrl} are unreferenced; run again with --force to delete them (kept {remoteResult.Kept})");
                return ExitCodes.Ok;
            }
            var result = await GcOperation.RunAsync(repo, scope, parse.GetValue(dryRun), ct);
            if (parse.GetValue(json))
                CliEnvironment.WriteJson(new { kept = result.Kept, removed = result.Removed.Select(h => h.Hex), bytes_removed = result.BytesRemoved, dry_run = parse.GetValue(dryRun) });
            else
                Console.Out.WriteLine($"{(parse.GetValue(dryRun) ? "would remove" : "removed")} {result.Removed.Count} object(s), {Format.Bytes(result.BytesRemoved)}; kept {result.Kept}");
            return ExitCodes.Ok;
        });
        return command;
    }
}

internal static class Format
{
    public static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => $"{n / 1024.0:0.0} KiB",
        < 1024L * 1024 * 1024 => $"{n / 1048576.0:0.0} MiB",
        _ => $"{n / 1073741824.0:0.00} GiB",
    };
}
