using System.CommandLine;
using Observatory.DataService.Core.Remotes;

namespace Observatory.Cli.Commands;

internal static class RegistryCommands
{
    private static (Argument<string> Repo, Argument<string> Path, Option<string?> Rev, Option<string?> Out, Option<string?> Remote) Common()
    {
        var repo = new Argument<string>("repo") { Description = "The registry: a git URL or a local path" };
        var path = new Argument<string>("path") { Description = "Dataset path inside the registry (e.g. data/food)" };
        var rev = new Option<string?>("--rev") { Description = "Registry revision (tag, branch, sha); default HEAD" };
        var output = new Option<string?>("--out", "-o") { Description = "Where to put the dataset (default: its folder name)" };
        var remote = new Option<string?>("--remote", "-r") { Description = "Which of the registry's remotes to read (default: its default)" };
        return (repo, path, rev, output, remote);
    }

    public static Command Get()
    {
        var (repo, path, rev, output, remote) = Common();
        var command = new Command("get", "Download a dataset that another repository's data registry tracks (no workspace needed)") { repo, path, rev, output, remote };
        CommandAction.Set(command, async (parse, ct) =>
        {
            var request = new RegistryRequest(parse.GetValue(repo)!, parse.GetValue(path)!, parse.GetValue(rev), parse.GetValue(remote));
            var outDir = parse.GetValue(output) ?? request.Path.TrimEnd('/').Split('/')[^1].Replace(".obs", "", StringComparison.Ordinal);
            var result = await CliProgress.RunAsync(progress => RegistryOperations.GetAsync(CliEnvironment.Create(progress), request, outDir, progress, ct));
            Console.Out.WriteLine($"got {result.DatasetPath} at {result.Commit[..10]}: {result.Files} files, {Format.Bytes(result.Bytes)} → {outDir}");
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Import()
    {
        var (repo, path, rev, output, remote) = Common();
        var command = new Command("import", "Import a registry dataset: its files, and a pointer that records the source so 'obs update' can move it") { repo, path, rev, output, remote };
        CommandAction.Set(command, async (parse, ct) =>
        {
            var request = new RegistryRequest(parse.GetValue(repo)!, parse.GetValue(path)!, parse.GetValue(rev), parse.GetValue(remote));
            var result = await CliProgress.RunAsync(async progress =>
            {
                using var ws = CliEnvironment.OpenRepository(progress);
                using var _ = await ws.LockForWriteAsync(ct);
                return await RegistryOperations.ImportAsync(ws, request, parse.GetValue(output), ct);
            });
            Console.Out.WriteLine($"imported {request.Path} at {result.Commit[..10]} into {result.DatasetPath}: {result.Files} files, {Format.Bytes(result.Bytes)}");
            Console.Out.WriteLine($"next: git add {result.DatasetPath}.obs (or 'obs commit -m MSG')");
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Update()
    {
        var paths = CommonOptions.Paths("Imported datasets (default: all imported)");
        var rev = new Option<string?>("--rev") { Description = "Move to this registry revision instead of the newest commit of the recorded one" };
        var command = new Command("update", "Move imported datasets to a newer version of their registry") { paths, rev };
        CommandAction.Set(command, async (parse, ct) =>
        {
            var results = await CliProgress.RunAsync(async progress =>
            {
                using var ws = CliEnvironment.OpenRepository(progress);
                using var _ = await ws.LockForWriteAsync(ct);
                return await RegistryOperations.UpdateAsync(ws, parse.GetValue(paths)!, parse.GetValue(rev), ct);
            });
            foreach (var (dataset, from, to) in results)
                Console.Out.WriteLine(from == to ? $"{dataset}: up to date ({to[..10]})" : $"{dataset}: {from?[..10]} → {to[..10]}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
