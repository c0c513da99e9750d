using Observatory.DataService.Core.Config;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Store;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Remotes;

/// <summary>`obs remote add/remove/default/set`: edits <c>.obs/config</c> (committed) or <c>.obs/config.local</c> (credentials).</summary>
public static class RemoteConfigOperation
{
    private static readonly string[] SecretKeys = ["access_key", "secret_key"];
    public static readonly string[] Keys = ["url", "endpoint", "region", "use_ssl", "access_key", "secret_key", "pack_max_object", "pack_size"];

    public static async Task AddAsync(ObsRepository repo, string name, string url, bool makeDefault, bool local, CancellationToken ct)
    {
        ValidateName(name);
        if (url.Length == 0) throw new UsageException("remote url is empty");
        if (repo.Config.Remotes.ContainsKey(name)) throw new UsageException($"remote '{name}' already exists; use 'obs remote set {name} url …' to change it");
        var config = local ? repo.LocalConfig : repo.SharedConfig;
        config.Remotes[name] = new RemoteConfig { Url = url };
        if (makeDefault) config.Core.Remote = name;
        await SaveAsync(repo, config, local, ct);
    }

    public static async Task RemoveAsync(ObsRepository repo, string name, CancellationToken ct)
    {
        if (!repo.Config.Remotes.ContainsKey(name)) throw new UsageException($"remote '{name}' is not configured");
        foreach (var local in new[] { false, true })
        {
            var config = local ? repo.LocalConfig : repo.SharedConfig;
            var changed = config.Remotes.Remove(name);
            if (config.Core.Remote == name) { config.Core.Remote = null; changed = true; }
            if (changed) await SaveAsync(repo, config, local, ct);
        }
    }

    public static async Task SetDefaultAsync(ObsRepository repo, string name, bool local, CancellationToken ct)
    {
        if (!repo.Config.Remotes.ContainsKey(name)) throw new UsageException($"remote '{name}' is not configured");
        var config = local ? repo.LocalConfig : repo.SharedConfig;
        config.Core.Remote = name;
        await SaveAsync(repo, config, local, ct);
    }

    /// <summary>Sets one key; credentials always go to the git-ignored local file, whatever <paramref name="local"/> says.</summary>
    public static async Task SetAsync(ObsRepository repo, string name, string key, string value, bool local, CancellationToken ct)
    {
        if (!repo.Config.Remotes.ContainsKey(name)) throw new UsageException($"remote '{name}' is not configured");
        local |= SecretKeys.Contains(key);
        var config = local ? repo.LocalConfig : repo.SharedConfig;
        if (!config.Remotes.TryGetValue(name, out var remote)) config.Remotes[name] = remote = new RemoteConfig();
        switch (key)
        {
            case "url": remote.Url = value; break;
            case "endpoint": remote.Endpoint = value; break;
            case "region": remote.Region = value; break;
            case "use_ssl":
                remote.UseSsl = bool.TryParse(value, out var b) ? b : throw new UsageException($"use_ssl must be true or false, not '{value}'");
                break;
            case "access_key": remote.AccessKey = value; break;
            case "secret_key": remote.SecretKey = value; break;
            case "pack_max_object": ByteSize.Parse(value, key); remote.PackMaxObject = value; break;
            case "pack_size": ByteSize.Parse(value, key); remote.PackSize = value; break;
            default: throw new UsageException($"unknown remote key '{key}' (valid: {string.Join(", ", Keys)})");
        }
        await SaveAsync(repo, config, local, ct);
    }

    private static async Task SaveAsync(ObsRepository repo, ObsConfig config, bool local, CancellationToken ct)
    {
        var header = local
            ? "# obs local configuration (git-ignored): credentials and per-machine settings\n"
            : "# obs configuration (committed). Credentials go in .obs/config.local, which git ignores.\n";
        // config.local holds credentials: readable by its owner only (0600), like ~/.aws/credentials.
        await AtomicFile.WriteAllTextAsync(local ? repo.LocalConfigPath : repo.ConfigPath, header + config.Serialize(), repo.TempDir, ct,
            local ? UnixFileMode.UserRead | UnixFileMode.UserWrite : null);
        // Staged like `obs init` does: a clone only sees a remote once .obs/config is committed.
        if (!local) repo.Git.Stage([".obs/config"]);
        repo.ReloadConfig();
    }

    private static void ValidateName(string name)
    {
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new UsageException($"'{name}' is not a valid remote name (letters, digits, '-', '_', '.')");
    }
}
