using Observatory.DataService.Core.Config;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Remotes;

/// <summary>Picks the remote a command names (or the default) from the merged config, failing with the list of valid names.</summary>
public static class RemoteSelection
{
    public static (string Name, RemoteConfig Config) Resolve(ObsConfig config, string? name)
    {
        if (string.IsNullOrEmpty(name)) name = config.Core.Remote;
        if (string.IsNullOrEmpty(name))
        {
            if (config.Remotes.Count == 1) name = config.Remotes.Keys.Single();
            else throw new UsageException(config.Remotes.Count == 0
                ? "no remote is configured; run 'obs remote add NAME URL --default' (in a clone: the remote's .obs/config may not have been committed — commit it where it was added)"
                : $"no default remote; name one with -r ({string.Join(", ", config.Remotes.Keys.Order(StringComparer.Ordinal))}) or run 'obs remote default NAME'");
        }
        if (!config.Remotes.TryGetValue(name, out var remote))
            throw new UsageException($"remote '{name}' is not configured (configured: {(config.Remotes.Count == 0 ? "none" : string.Join(", ", config.Remotes.Keys.Order(StringComparer.Ordinal)))})");
        if (string.IsNullOrWhiteSpace(remote.Url)) throw new UsageException($"remote '{name}' has no url");
        return (name, remote);
    }

    /// <summary>Resolves the remote once and opens it, keeping name and settings with the store.</summary>
    public static RemoteConnection Connect(ObsRepository repo, IRemoteStoreFactory factory, string? name)
    {
        var (resolved, config) = Resolve(repo.Config, name);
        return new RemoteConnection(resolved, config, factory.Open(resolved, config, repo.Root));
    }
}
