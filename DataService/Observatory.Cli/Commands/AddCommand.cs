using System.CommandLine;
using Observatory.DataService.Core.Operations;

namespace Observatory.Cli.Commands;

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
