using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Workspace;
using Observatory.DataService.Storage;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Adapters;

/// <summary><see cref="IModelMetrics"/> over DataService's metrics reading (the same parser and bounds as <c>obs metrics show</c>).</summary>
internal sealed class RegistryMetrics(TimeProvider time) : IModelMetrics
{
    public Task<IReadOnlyDictionary<string, double>> ReadAsync(string repoPath, string path, string revision, CancellationToken cancellationToken)
    {
        if (Path.IsPathRooted(path) || path.Split('/', '\\').Contains(".."))
            throw new MetricsUnavailableException($"metrics file '{path}' must be a path inside the repository");
        try
        {
            using var repo = ObsRepository.Open(repoPath, ObsEnvironments.Create(time));
            var snapshot = MetricsOperation.Show(repo, revision, [Path.Combine(repo.Root, path)], cancellationToken);
            var rel = path.Replace('\\', '/');
            var file = snapshot.Files.TryGetValue(rel, out var values) ? values
                : snapshot.Files.Count == 1 ? snapshot.Files.Values.Single()
                : throw new MetricsUnavailableException($"'{path}' at {revision} of {repoPath} names {snapshot.Files.Count} metrics files; name one file");
            return Task.FromResult(file);
        }
        catch (Exception ex) when (ex is ObsException or IOException or UnauthorizedAccessException)
        {
            throw new MetricsUnavailableException($"metrics file '{path}' at {revision} of {repoPath}: {ex.Message}", ex);
        }
    }
}
