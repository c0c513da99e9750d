using System.CommandLine;

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

    public static Option<bool> Markdown() => new("--md") { Description = "Print GitHub-flavoured Markdown for a pull-request comment" };

    public static Option<bool> Csv() => new("--csv") { Description = "Print the table as CSV (header row, RFC 4180 quoting) on stdout" };

    /// <summary>
    /// --json, --md and --csv each replace the whole output: asking for two is a usage error (exit 2) rather than one
    /// silently winning, which a CI step piping the output into a file would never notice.
    /// </summary>
    public static void OneOutputFormat(Command command, params Option<bool>[] formats)
    {
        command.Validators.Add(result =>
        {
            var chosen = formats.Where(o => result.GetValue(o)).Select(o => o.Name).ToList();
            if (chosen.Count > 1) result.AddError($"{string.Join(" and ", chosen)} cannot be used together: choose one output format");
        });
    }

    public static Option<bool> Quiet() => new("--quiet", "-q") { Description = "No progress on stderr" };

    public static Option<bool> AllowInvalid() => new("--allow-invalid") { Description = "Record the version even when validation finds errors" };

    public static Option<bool> NoValidate() => new("--no-validate") { Description = "Skip validation" };
}
