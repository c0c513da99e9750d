using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Operations;

/// <summary>`obs ls [--rev REV] [path]`: files of a version from its tree object, without pulling or checking out.</summary>
public static class ListOperation
{
    public static async Task<IReadOnlyList<TreeEntry>> RunAsync(ObsRepository repo, string? revision, IReadOnlyList<string> userPaths, CancellationToken ct)
    {
        var result = new List<TreeEntry>();
        foreach (var (dataset, subPath) in Datasets.Select(repo, Datasets.At(repo, revision), userPaths))
        {
            var tree = await Datasets.LoadTreeAsync(repo, dataset, ct);
            foreach (var e in tree.Entries)
                if (subPath is null || e.Path == subPath || e.Path.StartsWith(subPath + "/", StringComparison.Ordinal))
                    result.Add(e with { Path = dataset.DatasetPath + "/" + e.Path });
        }
        return result;
    }
}
