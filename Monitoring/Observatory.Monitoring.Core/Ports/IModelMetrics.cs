namespace Observatory.Monitoring.Core.Ports;

/// <summary>
/// Metrics files committed to a registry's git history (<c>obs metrics show</c>'s files): where a model's baseline comes from, so
/// nobody types it by hand and it changes with the model version.
/// </summary>
public interface IModelMetrics
{
    /// <summary>The numbers of the metrics file <paramref name="path"/> (repository-relative) at <paramref name="revision"/>, keys flattened with '.'.</summary>
    /// <exception cref="MetricsUnavailableException">No such file or revision, or a malformed file; the message names it.</exception>
    Task<IReadOnlyDictionary<string, double>> ReadAsync(string repoPath, string path, string revision, CancellationToken cancellationToken);
}

/// <summary>A metrics file cannot be read at a revision; the message names the file, revision and repository.</summary>
public sealed class MetricsUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
