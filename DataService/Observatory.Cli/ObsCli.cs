using System.CommandLine;
using Observatory.Cli.Commands;

namespace Observatory.Cli;

/// <summary>Builds the `obs` command tree and runs it; exit codes: 0 ok, 1 a data check failed, 2 usage, 3 I/O, git or remote.</summary>
public static class ObsCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("obs: version image datasets alongside git, validate them, move them to remotes, measure drift.");
        foreach (var command in CommandRegistry.All())
            root.Subcommands.Add(command);
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var root = Build();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                Console.Error.WriteLine($"obs: {error.Message}");
            Console.Error.WriteLine("run 'obs --help' for usage");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync();
    }
}

public static class ExitCodes
{
    public const int Ok = 0;
    public const int DataCheckFailed = 1;
    public const int Usage = 2;
    public const int IoError = 3;
}
