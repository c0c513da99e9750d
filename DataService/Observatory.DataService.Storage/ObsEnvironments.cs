using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Workspace;
using Observatory.DataService.Git;

namespace Observatory.DataService.Storage;

/// <summary>
/// The one composition of the data half's adapters that every host opens repositories with — `obs`, the Data API, the
/// dashboard and the Monitoring service's reference job: git through LibGit2Sharp, the SQLite stat cache, remotes through
/// <see cref="RemoteStoreFactory"/>. Hosts add only what is theirs (progress, lock timeout, the registry clone cache).
/// </summary>
public static class ObsEnvironments
{
    public static ObsEnvironment Create(TimeProvider time, IOperationProgress? progress = null, string? registryCacheDirectory = null) =>
        new(path => LibGit2VersionControl.Discover(path), path => new SqliteStatCache(path), time)
        {
            Progress = progress ?? NullProgress.Instance,
            RemoteFactory = new RemoteStoreFactory(),
            OpenRegistry = registryCacheDirectory is null ? null : url => LibGit2VersionControl.OpenRegistry(url, registryCacheDirectory),
        };
}
