using System.CommandLine;
using Observatory.DataService.Core.Operations;

namespace Observatory.Cli.Commands;

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
