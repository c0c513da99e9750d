using System.CommandLine;

namespace Observatory.Cli.Commands;

/// <summary>Every `obs` verb, in help order. Each *Command class only parses and delegates to one Core operation.</summary>
public static class CommandRegistry
{
    public static IEnumerable<Command> All()
    {
        yield return DriftCommand.Create();
    }
}
