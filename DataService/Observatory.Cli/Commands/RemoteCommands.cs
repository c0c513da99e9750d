using System.CommandLine;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Remotes;
using Observatory.DataService.Core.Workspace;
using Observatory.DataService.Storage;

namespace Observatory.Cli.Commands;

internal static class Remotes
{
    public static readonly IRemoteStoreFactory Factory = new RemoteStoreFactory();

    public static Option<string?> RemoteOption() => new("--remote", "-r") { Description = "Remote name (default: core.remote)" };

    public static Option<int?> Jobs() => new("--jobs", "-j") { Description = $"Concurrent transfers (default {TransferOperations.DefaultJobs})" };

    public static IRemoteStore Open(ObsRepository repo, string? name) => RemoteSelection.Open(repo, Factory, name);
}

internal static class RemoteCommand
{
    public static Command Create()
    {
        var command = new Command("remote", "Configure remotes: s3://bucket/prefix (MinIO, S3) or a folder");

        var name = new Argument<string>("name");
        var url = new Argument<string>("url");
        var makeDefault = new Option<bool>("--default", "-d") { Description = "Make it the default remote" };
        var local = new Option<bool>("--local") { Description = "Write to .obs/config.local (git-ignored) instead of .obs/config" };
        var add = new Command("add", "Add a remote") { name, url, makeDefault, local };
        CommandAction.Set(add, async (parse, ct) =>
        {
            using var repo = CliEnvironment.OpenRepository();
            using var _ = await repo.LockAsync(ct);
            await RemoteConfigOperation.AddAsync(repo, parse.GetValue(name)!, parse.GetValue(url)!, parse.GetValue(makeDefault), parse.GetValue(local), ct);
            Console.Out.WriteLine($"added remote {parse.GetValue(name)}{(parse.GetValue(makeDefault) ? " (default)" : "")}");
            return ExitCodes.Ok;
        });

        var json = CommonOptions.Json();
        var list = new Command("list", "List remotes (credentials are never shown)") { json };
        CommandAction.Set(list, (parse, ct) =>
        {
            using var repo = CliEnvironment.OpenRepository();
            var rows = repo.Config.Remotes.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => new
            {
                name = r.Key,
                url = r.Value.Url,
                endpoint = r.Value.Endpoint,
                region = r.Value.Region,
                @default = repo.Config.Core.Remote == r.Key,
                credentials = r.Value.AccessKey is null ? "environment" : "config.local",
            }).ToList();
            if (parse.GetValue(json)) CliEnvironment.WriteJson(rows);
            else foreach (var r in rows) Console.Out.WriteLine($"{r.name}\t{r.url}{(r.endpoint is null ? "" : "\t" + r.endpoint)}{(r.@default ? "\t(default)" : "")}");
            return Task.FromResult(ExitCodes.Ok);
        });

        var removeName = new Argument<string>("name");
        var remove = new Command("remove", "Remove a remote") { removeName };
        CommandAction.Set(remove, async (parse, ct) =>
        {
            using var repo = CliEnvironment.OpenRepository();
            using var _ = await repo.LockAsync(ct);
            await RemoteConfigOperation.RemoveAsync(repo, parse.GetValue(removeName)!, ct);
            Console.Out.WriteLine($"removed remote {parse.GetValue(removeName)}");
            return ExitCodes.Ok;
        });

        var defaultName = new Argument<string>("name");
        var defaultLocal = new Option<bool>("--local") { Description = "Only on this machine (.obs/config.local)" };
        var setDefault = new Command("default", "Make a remote the default") { defaultName, defaultLocal };
        CommandAction.Set(setDefault, async (parse, ct) =>
        {
            using var repo = CliEnvironment.OpenRepository();
            using var _ = await repo.LockAsync(ct);
            await RemoteConfigOperation.SetDefaultAsync(repo, parse.GetValue(defaultName)!, parse.GetValue(defaultLocal), ct);
            Console.Out.WriteLine($"default remote: {parse.GetValue(defaultName)}");
            return ExitCodes.Ok;
        });

        var setName = new Argument<string>("name");
        var key = new Argument<string>("key") { Description = string.Join(", ", RemoteConfigOperation.Keys) };
        var value = new Argument<string>("value");
        var setLocal = new Option<bool>("--local") { Description = "Write to .obs/config.local (credentials always go there)" };
        var set = new Command("set", "Set a remote setting: url, endpoint, region, use_ssl, access_key, secret_key") { setName, key, value, setLocal };
        CommandAction.Set(set, async (parse, ct) =>
        {
            using var repo = CliEnvironment.OpenRepository();
            using var _ = await repo.LockAsync(ct);
            var k = parse.GetValue(key)!;
            await RemoteConfigOperation.SetAsync(repo, parse.GetValue(setName)!, k, parse.GetValue(value)!, parse.GetValue(setLocal), ct);
            Console.Out.WriteLine($"set {parse.GetValue(setName)}.{k}{(k.EndsWith("_key", StringComparison.Ordinal) ? " (in .obs/config.local)" : "")}");
            return ExitCodes.Ok;
        });

        command.Subcommands.Add(add);
        command.Subcommands.Add(list);
        command.Subcommands.Add(remove);
        command.Subcommands.Add(setDefault);
        command.Subcommands.Add(set);
        return command;
    }
}

internal static class TransferCommands
{
    public static Command Push() => Create("push", "Upload the objects of the selected versions that the remote lacks", async (repo, remote, options, force, json, ct) =>
    {
        var r = await TransferOperations.PushAsync(repo, remote, options, ct);
        Report(json, "pushed", r, remote.DisplayUrl);
    });

    public static Command Fetch() => Create("fetch", "Download the objects of the selected versions into the cache (no checkout)", async (repo, remote, options, force, json, ct) =>
    {
        var r = await TransferOperations.FetchAsync(repo, remote, options, ct);
        Report(json, "fetched", r, remote.DisplayUrl);
    });

    public static Command Pull() => Create("pull", "Fetch, then check out (a dataset, or a folder inside one for a partial pull)", async (repo, remote, options, force, json, ct) =>
    {
        var (r, checkout) = await TransferOperations.PullAsync(repo, remote, options, force, ct);
        if (json)
        {
            CliEnvironment.WriteJson(new { transferred = r.Transferred, bytes = r.Bytes, already_there = r.AlreadyThere, remote = remote.DisplayUrl, checkout });
            return;
        }
        Report(false, "fetched", r, remote.DisplayUrl);
        foreach (var c in checkout) Console.Out.WriteLine($"{c.DatasetPath}: {c.Written} written, {c.Deleted} deleted, {c.Unchanged} unchanged");
    });

    private static Command Create(string verb, string description, Func<ObsRepository, IRemoteStore, TransferOptions, bool, bool, CancellationToken, Task> body)
    {
        var paths = CommonOptions.Paths("Datasets, or folders inside one (default: all)");
        var remote = Remotes.RemoteOption();
        var rev = CommonOptions.Rev();
        var jobs = Remotes.Jobs();
        var json = CommonOptions.Json();
        var quiet = CommonOptions.Quiet();
        var command = new Command(verb, description) { paths, remote, rev, jobs, json, quiet };
        Option<bool>? force = null;
        if (verb == "pull")
        {
            force = new Option<bool>("--force", "-f") { Description = "Overwrite workspace changes that are not saved in the cache" };
            command.Options.Add(force);
        }
        CommandAction.Set(command, async (parse, ct) =>
        {
            await CliProgress.RunAsync(async progress =>
            {
                using var repo = CliEnvironment.OpenRepository(progress);
                using var _ = await repo.LockForWriteAsync(ct);
                using var store = Remotes.Open(repo, parse.GetValue(remote));
                var options = new TransferOptions
                {
                    Revision = parse.GetValue(rev), Paths = parse.GetValue(paths)!, Jobs = parse.GetValue(jobs),
                    Packing = PackingOptions.From(RemoteSelection.Resolve(repo.Config, parse.GetValue(remote)).Config),
                };
                await body(repo, store, options, force is not null && parse.GetValue(force), parse.GetValue(json), ct);
                return 0;
            }, parse.GetValue(quiet) || parse.GetValue(json));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Report(bool json, string verb, TransferResult r, string remote)
    {
        if (json) CliEnvironment.WriteJson(new { transferred = r.Transferred, bytes = r.Bytes, already_there = r.AlreadyThere, remote });
        else Console.Out.WriteLine($"{verb} {r.Transferred} object(s), {Format.Bytes(r.Bytes)}; {r.AlreadyThere} already there ({remote})");
    }
}
