using System.CommandLine;
using Observatory.DataService.Core.Remotes;

namespace Observatory.Cli.Commands;

internal static class RemoteCommand
{
    private const string SharedConfigStaged = "staged .obs/config; commit it (git commit) so clones find this remote";

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
            if (!parse.GetValue(local)) Console.Out.WriteLine(SharedConfigStaged);
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
            if (!parse.GetValue(defaultLocal)) Console.Out.WriteLine(SharedConfigStaged);
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
