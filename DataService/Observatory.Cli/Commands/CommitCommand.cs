using System.CommandLine;
using Observatory.DataService.Core.Operations;

namespace Observatory.Cli.Commands;

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
