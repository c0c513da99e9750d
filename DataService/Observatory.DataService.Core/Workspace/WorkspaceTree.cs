using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Workspace;

/// <summary>A dataset folder's tree as the workspace has it: its hash, and its entries, worked out only when asked for.</summary>
public sealed class WorkspaceTree(ContentHash hash, Func<CancellationToken, Task<IReadOnlyList<TreeEntry>>> entries)
{
    public ContentHash Hash { get; } = hash;

    /// <summary>The entries, sorted by ordinal path; when the hash was remembered this merges the listing with the stat cache.</summary>
    public Task<IReadOnlyList<TreeEntry>> EntriesAsync(CancellationToken ct) => entries(ct);
}
