using System.CommandLine;
using Observatory.DataService.Core.Remotes;

namespace Observatory.Cli.Commands;

internal static class GetCommand
{
    public static Command Create()
    {
        var args = new RegistryArguments();
        var command = args.Command("get", "Download a dataset that another repository's data registry tracks (no workspace needed)");
        CommandAction.Set(command, async (parse, ct) =>
        {
            var request = args.Request(parse);
            var outDir = parse.GetValue(args.Out) ?? request.Path.TrimEnd('/').Split('/')[^1].Replace(".obs", "", StringComparison.Ordinal);
            var result = await CliProgress.RunAsync(progress => RegistryOperations.GetAsync(CliEnvironment.Create(progress), request, outDir, progress, ct));
            Console.Out.WriteLine($"got {result.DatasetPath} at {result.Commit[..10]}: {result.Files} files, {Format.Bytes(result.Bytes)} → {outDir}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
