using System.CommandLine;
using Observatory.DataService.Core.Remotes;

namespace Observatory.Cli.Commands;

/// <summary>The arguments get and import share: which registry, which dataset in it, at which revision, from which of its remotes.</summary>
internal sealed class RegistryArguments
{
    public Argument<string> Repo { get; } = new("repo") { Description = "The registry: a git URL or a local path" };
    public Argument<string> Path { get; } = new("path") { Description = "Dataset path inside the registry (e.g. data/food)" };
    public Option<string?> Rev { get; } = new("--rev") { Description = "Registry revision (tag, branch, sha); default HEAD" };
    public Option<string?> Out { get; } = new("--out", "-o") { Description = "Where to put the dataset (default: its folder name)" };
    public Option<string?> Remote { get; } = new("--remote", "-r") { Description = "Which of the registry's remotes to read (default: its default)" };

    public Command Command(string verb, string description) => new(verb, description) { Repo, Path, Rev, Out, Remote };

    public RegistryRequest Request(ParseResult parse) => new(parse.GetValue(Repo)!, parse.GetValue(Path)!, parse.GetValue(Rev), parse.GetValue(Remote));
}
