using Observatory.DataService.Core.Config;
using Observatory.DataService.Core.Ports;

namespace Observatory.DataService.Core.Remotes;

/// <summary>A remote resolved once from the config and opened: its name and settings beside the store, for commands that need both.</summary>
public sealed class RemoteConnection(string name, RemoteConfig config, IRemoteStore store) : IDisposable
{
    public string Name { get; } = name;
    public RemoteConfig Config { get; } = config;
    public IRemoteStore Store { get; } = store;

    /// <summary>How this remote bundles small objects (its pack_max_object / pack_size).</summary>
    public PackingOptions Packing => PackingOptions.From(Config);

    public void Dispose() => Store.Dispose();
}
