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

    public static Option<bool> Quiet() => new("--quiet", "-q") { Description = "No progress on stderr" };

    public static Option<bool> AllowInvalid() => new("--allow-invalid") { Description = "Record the version even when validation finds errors" };

    public static Option<bool> NoValidate() => new("--no-validate") { Description = "Skip validation" };
}
