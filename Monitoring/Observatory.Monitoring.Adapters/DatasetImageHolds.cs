using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Workspace;
using Observatory.DataService.Storage;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Adapters;

/// <summary>
/// Kept images a dataset version names: the files in the trees of the versions `obs gc` keeps (workspace, HEAD, branches, tags)
/// in the repositories of every model's reference and training data (<c>reference</c>, <c>trainedOn</c>, and the
/// <c>trainedOn</c> of its earlier versions). Content-addressed alike, an image production sent that was then committed to a
/// dataset is the same object, so deleting it from the image store would take a versioned dataset's only copy with it.
/// </summary>
public sealed class DatasetImageHolds(IReferenceDatasets references, TimeProvider time) : IImageHolds
{
    public string Name => "dataset versions";

    public async Task<IReadOnlySet<string>> HeldAsync(IReadOnlyList<MonitoredModel> models, IReadOnlySet<string> candidates, CancellationToken cancellationToken)
    {
        var held = new HashSet<string>(StringComparer.Ordinal);
        if (candidates.Count == 0) return held;
        var datasets = models.SelectMany(m => new[] { m.Reference, m.TrainedOn }.Concat(m.PreviousVersions.Select(v => v.TrainedOn)))
            .OfType<ReferenceDataset>().Where(d => !string.IsNullOrWhiteSpace(d.RepoPath))
            .DistinctBy(d => Path.GetFullPath(d.RepoPath));
        foreach (var dataset in datasets)
        {
            // A repository it may not open is one whose versions it cannot see: nothing can be told about them.
            if (references.Refuse(dataset) is { } outside)
                throw new ImageHoldsUnknownException($"dataset repository '{dataset.RepoPath}' {outside}");
            try
            {
                using var repo = ObsRepository.Open(dataset.RepoPath, ObsEnvironments.Create(time));
                foreach (var hash in await GcOperation.ReferencedAsync(repo, GcScope.Tags, cancellationToken))
                    if (candidates.Contains(hash.Hex)) held.Add(hash.Hex);
            }
            catch (Exception ex) when (ex is ObsException or IOException or UnauthorizedAccessException)
            {
                throw new ImageHoldsUnknownException($"dataset repository '{dataset.RepoPath}': {ex.Message}", ex);
            }
        }
        return held;
    }
}
