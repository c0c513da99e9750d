using Observatory.DataService.Core.Annotations;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Operations;

/// <summary>Counts of annotation files (labels, COCO/VOC) that changed, so a reviewer sees label churn apart from images.</summary>
public sealed record AnnotationSummary(int Added, int Deleted, int Modified);

public sealed record DiffResult(string From, string To, TreeChanges Changes, AnnotationSummary Annotations)
{
    /// <summary>Box-level changes (YOLO, COCO, VOC); null unless asked for with a box IoU threshold.</summary>
    public AnnotationChanges? Boxes { get; init; }

    /// <summary>Why boxes were not compared (an annotation object missing from the cache), else null.</summary>
    public string? BoxesUnavailable { get; init; }

    public long BytesAdded => Changes.Added.Sum(c => c.New!.Size);
    public long BytesDeleted => Changes.Deleted.Sum(c => c.Old!.Size);
}

/// <summary>`obs diff [A] [B]`: files added, deleted and modified between two versions (B defaults to the workspace, A to HEAD).</summary>
public static class DiffOperation
{
    public const string Workspace = "workspace";
    private static readonly HashSet<string> AnnotationExtensions = new(StringComparer.OrdinalIgnoreCase) { ".txt", ".json", ".xml", ".yaml", ".yml", ".csv" };

    /// <param name="boxIou">When set, also diffs the annotations box by box (<see cref="AnnotationDiff"/>) with this IoU threshold.</param>
    public static async Task<DiffResult> RunAsync(ObsRepository repo, string? from, string? to, IReadOnlyList<string> userPaths, CancellationToken ct,
        double? boxIou = null)
    {
        from ??= "HEAD";
        to ??= Workspace;
        var a = await TreesAsync(repo, from, userPaths, ct);
        var b = await TreesAsync(repo, to, userPaths, ct);
        var parts = new List<TreeChanges>();
        foreach (var path in a.Keys.Union(b.Keys).OrderBy(p => p, StringComparer.Ordinal))
            parts.Add(TreeChanges.Compare(a.GetValueOrDefault(path)?.Entries, b.GetValueOrDefault(path)?.Entries, path + "/"));
        var changes = TreeChanges.Concat(parts);
        bool IsAnnotation(FileChange c) => AnnotationExtensions.Contains(Path.GetExtension(c.Path));
        var annotations = new AnnotationSummary(changes.Added.Count(IsAnnotation), changes.Deleted.Count(IsAnnotation), changes.Modified.Count(IsAnnotation));
        var result = new DiffResult(from, to, changes, annotations);
        if (boxIou is not { } iou) return result;
        var loader = new AnnotationBoxes();
        var boxesA = new Dictionary<string, IReadOnlyList<LabelBox>>(StringComparer.Ordinal);
        var boxesB = new Dictionary<string, IReadOnlyList<LabelBox>>(StringComparer.Ordinal);
        // The file-level diff needs only trees; boxes need the annotation objects, which a clone may not have pulled yet.
        try
        {
            foreach (var path in a.Keys.Union(b.Keys).OrderBy(p => p, StringComparer.Ordinal))
            {
                var root = repo.FullPath(path);
                async Task<Dictionary<AnnotationFormat, Dictionary<string, IReadOnlyList<LabelBox>>>> LoadAsync(Dictionary<string, TreeObject> trees, string revision) =>
                    trees.TryGetValue(path, out var tree)
                        ? await loader.LoadAsync(tree.Entries, path + "/", (e, token) => revision == Workspace
                            ? File.ReadAllBytesAsync(Path.Combine(root, e.Path), token)
                            : repo.Cache.ReadAllBytesAsync(e.Hash, token), ct)
                        : [];
                var inA = await LoadAsync(a, from);
                var inB = await LoadAsync(b, to);
                if (AnnotationDiff.ChooseFormat(inA.Keys, inB.Keys) is not { } format) continue;
                foreach (var (image, boxes) in inA.GetValueOrDefault(format) ?? []) boxesA[image] = boxes;
                foreach (var (image, boxes) in inB.GetValueOrDefault(format) ?? []) boxesB[image] = boxes;
            }
        }
        catch (StoreException e)
        {
            return result with { BoxesUnavailable = e.Message };
        }
        return result with { Boxes = AnnotationDiff.Compare(boxesA, boxesB, iou) };
    }

    /// <summary>Trees by dataset path at a revision, or of the current workspace files.</summary>
    private static async Task<Dictionary<string, TreeObject>> TreesAsync(ObsRepository repo, string revision, IReadOnlyList<string> userPaths, CancellationToken ct)
    {
        var result = new Dictionary<string, TreeObject>(StringComparer.Ordinal);
        var isWorkspace = revision == Workspace;
        if (!isWorkspace && repo.Git.Head() is null && revision == "HEAD") return result;
        var all = isWorkspace ? Datasets.InWorkspace(repo) : Datasets.AtRevision(repo, revision);
        var selected = userPaths.Count == 0 ? all : all.Where(d => userPaths.Any(p => Matches(repo, p, d))).ToList();
        foreach (var dataset in selected)
        {
            if (isWorkspace)
            {
                result[dataset.DatasetPath] = Directory.Exists(repo.FullPath(dataset.DatasetPath))
                    ? TreeObject.Create(await WorkspaceScanner.ScanAsync(repo, dataset.DatasetPath, WorkspaceScanner.Mode.HashOnly, ct))
                    : TreeObject.Create([]);
            }
            else
            {
                result[dataset.DatasetPath] = await Datasets.LoadTreeAsync(repo, dataset, ct);
            }
        }
        return result;
    }

    private static bool Matches(ObsRepository repo, string userPath, TrackedDataset d)
    {
        var rel = repo.RelativeToRoot(repo.ResolveUserPath(userPath));
        if (rel.EndsWith(Pointers.PointerFile.Extension, StringComparison.Ordinal)) rel = rel[..^Pointers.PointerFile.Extension.Length];
        return rel == d.DatasetPath;
    }
}
