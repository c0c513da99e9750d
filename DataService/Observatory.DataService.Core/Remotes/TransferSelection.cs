using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Remotes;

/// <summary>
/// What a transfer moves, read once per command: the selected datasets with their trees, and the objects they reference —
/// files (and validation reports) and trees, each de-duplicated and in tree order (files of one folder adjacent, so packs and
/// partial pulls line up). A pull hands the same datasets and trees on to checkout instead of reading them again.
/// </summary>
internal sealed class TransferSelection
{
    private readonly Dictionary<ContentHash, long> _sizes;

    private TransferSelection(IReadOnlyList<SelectedDataset> selected, IReadOnlyList<ContentHash> files, IReadOnlyList<ContentHash> trees, Dictionary<ContentHash, long> sizes)
    {
        Selected = selected;
        Files = files;
        Trees = trees;
        _sizes = sizes;
    }

    /// <summary>The selected datasets whose trees could be read (all of them, unless missing trees were tolerated).</summary>
    public IReadOnlyList<SelectedDataset> Selected { get; }
    public IReadOnlyList<ContentHash> Files { get; }
    public IReadOnlyList<ContentHash> Trees { get; }

    /// <summary>The size a tree records for a selected file; false for objects no tree lists (validation reports).</summary>
    public bool TryGetSize(ContentHash file, out long size) => _sizes.TryGetValue(file, out size);

    public long SizeOf(ContentHash file) => _sizes.GetValueOrDefault(file);

    /// <param name="fetchTree">Gets a tree the cache lacks (fetch, pull); null: a missing tree fails the command (push).</param>
    /// <param name="tolerateMissingTrees">Without <paramref name="fetchTree"/>, skip a dataset whose tree is missing instead (status).</param>
    public static async Task<TransferSelection> ReadAsync(ObsRepository repo, TransferOptions options, Func<ContentHash, string, CancellationToken, Task>? fetchTree,
        CancellationToken ct, bool tolerateMissingTrees = false)
    {
        var selection = Datasets.Select(repo, Datasets.At(repo, options.Revision), options.Paths);
        if (selection.Count == 0) throw new UsageException("no dataset is tracked" + (options.Revision is null ? "" : $" at revision '{options.Revision}'"));
        var selected = new List<SelectedDataset>();
        var files = new List<ContentHash>();
        var trees = new List<ContentHash>();
        var sizes = new Dictionary<ContentHash, long>();
        var seen = new HashSet<ContentHash>();
        var loaded = new Dictionary<ContentHash, TreeObject>();
        foreach (var (dataset, subPath) in selection)
        {
            if (seen.Add(dataset.Pointer.Tree)) trees.Add(dataset.Pointer.Tree);
            if (dataset.Pointer.Validation?.Report is { } report && seen.Add(report)) files.Add(report);
            if (!loaded.TryGetValue(dataset.Pointer.Tree, out var tree))
            {
                if (!repo.Cache.Contains(dataset.Pointer.Tree))
                {
                    if (fetchTree is not null) await fetchTree(dataset.Pointer.Tree, $"tree of {dataset.PointerPath}", ct);
                    else if (tolerateMissingTrees) continue;
                }
                loaded[dataset.Pointer.Tree] = tree = await Datasets.LoadTreeAsync(repo, dataset, ct);
            }
            var item = new SelectedDataset(dataset, subPath, tree);
            selected.Add(item);
            foreach (var e in tree.Entries)
                if (item.InScope(e.Path) && seen.Add(e.Hash))
                {
                    files.Add(e.Hash);
                    sizes[e.Hash] = e.Size;
                }
        }
        return new TransferSelection(selected, files, trees, sizes);
    }
}
