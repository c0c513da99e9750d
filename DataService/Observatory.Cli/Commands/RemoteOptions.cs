using System.CommandLine;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Remotes;
using Observatory.DataService.Core.Workspace;
using Observatory.DataService.Storage;

namespace Observatory.Cli.Commands;

/// <summary>The remote options of the verbs that talk to a remote, and the one adapter factory they open it with.</summary>
internal static class RemoteOptions
{
    public static readonly IRemoteStoreFactory Factory = new RemoteStoreFactory();

    public static Option<string?> Remote() => new("--remote", "-r") { Description = "Remote name (default: core.remote)" };

    public static Option<int?> Jobs() => new("--jobs", "-j") { Description = $"Concurrent transfers (default {TransferOptions.DefaultJobs})" };

    /// <summary>The named remote (or the default), resolved once and opened.</summary>
    public static RemoteConnection Connect(ObsRepository repo, string? name) => RemoteSelection.Connect(repo, Factory, name);
}
