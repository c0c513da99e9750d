using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Workspace;

/// <summary>One dataset a command selected (with the sub-folder a partial pull names, or null) and its tree, read once.</summary>
internal sealed record SelectedDataset(TrackedDataset Dataset, string? SubPath, TreeObject Tree)
{
    public bool InScope(string path) => SubPath is null || path == SubPath || path.StartsWith(SubPath + "/", StringComparison.Ordinal);
}
