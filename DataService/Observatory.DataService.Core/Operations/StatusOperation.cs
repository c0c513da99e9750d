using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Operations;

public enum DatasetState
{
    Clean,
    Modified,
    Missing,
}

/// <summary>One dataset's state against its pointer; paths are repo-relative.</summary>
public sealed record DatasetStatus(string Path, DatasetState State, IReadOnlyList<string> Added, IReadOnlyList<string> Modified, IReadOnlyList<string> Deleted, string? Note);

/// <summary>`obs status`: which tracked files were added, modified or deleted since their pointer (stat cache makes it cheap).</summary>
public static class StatusOperation
{
    public static async Task<IReadOnlyList<DatasetStatus>> RunAsync(ObsRepository repo, IReadOnlyList<string> userPaths, CancellationToken ct)
    {
        var result = new List<DatasetStatus>();
        foreach (var (dataset, _) in Datasets.Select(repo, Datasets.InWorkspace(repo), userPaths))
        {
            ct.ThrowIfCancellationRequested();
            var dir = repo.FullPath(dataset.DatasetPath);
            if (!Directory.Exists(dir))
            {
                var missingTree = repo.Cache.Contains(dataset.Pointer.Tree) ? await Datasets.LoadTreeAsync(repo, dataset, ct) : null;
                result.Add(new DatasetStatus(dataset.DatasetPath, DatasetState.Missing, [], [], missingTree?.Entries.Select(e => dataset.DatasetPath + "/" + e.Path).ToList() ?? [],
                    $"the folder is missing; run 'obs {(missingTree is null ? "pull" : "checkout")} {dataset.DatasetPath}'"));
                continue;
            }
            var current = await WorkspaceScanner.TreeAsync(repo, dataset.DatasetPath, ct);
            // The common case costs no tree parsing: identical files give the identical canonical tree, hence the same hash.
            if (current.Hash == dataset.Pointer.Tree)
            {
                result.Add(new DatasetStatus(dataset.DatasetPath, DatasetState.Clean, [], [], [], null));
                continue;
            }
            if (!repo.Cache.Contains(dataset.Pointer.Tree))
            {
                result.Add(new DatasetStatus(dataset.DatasetPath, DatasetState.Missing, [], [], [],
                    $"tree {dataset.Pointer.Tree.Short} is not in the cache; run 'obs pull {dataset.DatasetPath}'"));
                continue;
            }
            // The stored tree is streamed against the workspace's entries: loaded whole beside them, a million-file dataset's
            // status with one file changed peaked near 600 MB.
            var entries = await current.EntriesAsync(ct);
            var changes = await Datasets.WalkTreeAsync(repo, dataset, stored => TreeChanges.Compare(stored, entries, dataset.DatasetPath + "/"), ct);
            result.Add(new DatasetStatus(dataset.DatasetPath, changes.IsEmpty ? DatasetState.Clean : DatasetState.Modified,
                changes.Added.Select(c => c.Path).ToList(), changes.Modified.Select(c => c.Path).ToList(), changes.Deleted.Select(c => c.Path).ToList(), null));
        }
        return result;
    }
}
