using System.CommandLine;
using Observatory.DataService.Core.Remotes;

namespace Observatory.Cli.Commands;

/// <summary>The arguments push, fetch and pull share, declared once so the three verbs read the same in help and in use.</summary>
internal sealed class TransferArguments
{
    public Argument<string[]> Paths { get; } = CommonOptions.Paths("Datasets, or folders inside one (default: all)");
    public Option<string?> Remote { get; } = RemoteOptions.Remote();
    public Option<string?> Rev { get; } = CommonOptions.Rev();
    public Option<int?> Jobs { get; } = RemoteOptions.Jobs();
    public Option<bool> Json { get; } = CommonOptions.Json();
    public Option<bool> Quiet { get; } = CommonOptions.Quiet();

    public Command Command(string verb, string description) => new(verb, description) { Paths, Remote, Rev, Jobs, Json, Quiet };

    /// <summary>JSON output owns stdout and stderr stays clean for scripts, so it also silences progress.</summary>
    public bool Silent(ParseResult parse) => parse.GetValue(Quiet) || parse.GetValue(Json);

    public TransferOptions Options(ParseResult parse, PackingOptions packing) => new()
    {
        Revision = parse.GetValue(Rev), Paths = parse.GetValue(Paths)!, Jobs = parse.GetValue(Jobs), Packing = packing,
    };

    public static void Report(bool json, string verb, TransferResult r, string remote)
    {
        if (json) CliEnvironment.WriteJson(new { transferred = r.Transferred, bytes = r.Bytes, already_there = r.AlreadyThere, remote });
        else Console.Out.WriteLine($"{verb} {r.Transferred} object(s), {Format.Bytes(r.Bytes)}; {r.AlreadyThere} already there ({remote})");
    }
}
