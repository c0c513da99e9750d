using System.CommandLine;

namespace Observatory.Cli.Commands;

/// <summary>Every `obs` verb, in help order. Each *Command class only parses and delegates to one Core operation.</summary>
public static class CommandRegistry
{
    public static IEnumerable<Command> All()
    {
        yield return InitCommand.Create();
        yield return AddCommand.Create();
        yield return StatusCommand.Create();
        yield return CommitCommand.Create();
        yield return CheckoutCommand.Create();
        yield return DiffCommand.Create();
        yield return LogCommand.Create();
        yield return MetricsCommand.Create();
        yield return LsCommand.Create();
        yield return GcCommand.Create();
        yield return ValidateCommand.Create();
        yield return RemoteCommand.Create();
        yield return PushCommand.Create();
        yield return FetchCommand.Create();
        yield return PullCommand.Create();
        yield return GetCommand.Create();
        yield return ImportCommand.Create();
        yield return ImportWindowCommand.Create();
        yield return UpdateCommand.Create();
        yield return EmbedCommand.Create();
        yield return DriftCommand.Create();
        yield return ReportCommand.Create();
    }
}
