using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Pointers;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Store;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Operations;

public sealed record AddOptions
{
    /// <summary>Validator to run (null = no validation, as with --no-validate).</summary>
    public IDatasetValidation? Validation { get; init; }
    public bool AllowInvalid { get; init; }
    /// <summary>The export the files came from (`obs import-window`); null keeps the previous pointer's.</summary>
    public PointerExport? Export { get; init; }
}

/// <summary>One dataset after `add`: its pointer, its tree and whether the pointer changed.</summary>
public sealed record AddResult(TrackedDataset Dataset, TreeObject Tree, bool Changed, string? ValidationReport);

/// <summary>
/// `obs add`: hashes a folder into the cache, writes its tree object, validates it, then writes the pointer and ignores the
/// folder in git. Order matters for crash safety: objects, then tree, then pointer, so a pointer never names a missing object.
/// </summary>
public static class AddOperation
{
    public static async Task<IReadOnlyList<AddResult>> RunAsync(ObsRepository repo, IReadOnlyList<string> userPaths, AddOptions options, CancellationToken ct)
    {
        if (userPaths.Count == 0) throw new UsageException("name at least one folder to add");
        var existing = Datasets.InWorkspace(repo);
        var targets = new List<string>();
        foreach (var userPath in userPaths) targets.Add(Target(repo, existing, userPath));

        var results = new List<AddResult>();
        foreach (var rel in targets.Distinct(StringComparer.Ordinal))
        {
            var previous = existing.FirstOrDefault(d => d.DatasetPath == rel);
            results.Add(await AddOneAsync(repo, rel, previous?.Pointer, options, ct));
        }
        return results;
    }

    /// <summary>
    /// The repo-relative folder <paramref name="userPath"/> names, checked the way `add` checks it (inside the workspace, not the
    /// whole of it, a folder, not nested in or around another dataset); <paramref name="mayBeMissing"/> lets a verb that is about to
    /// create the folder check it first.
    /// </summary>
    public static string Target(ObsRepository repo, IReadOnlyList<TrackedDataset> existing, string userPath, bool mayBeMissing = false)
    {
        var full = repo.ResolveUserPath(userPath);
        var rel = repo.RelativeToRoot(full);
        if (rel.EndsWith(PointerFile.Extension, StringComparison.Ordinal)) rel = rel[..^PointerFile.Extension.Length];
        if (rel.Length == 0) throw new UsageException("cannot add the whole workspace; name a data folder inside it");
        if (File.Exists(repo.FullPath(rel)))
            throw new UsageException($"'{userPath}' is a file; obs tracks folders of files (put it in a folder)");
        if (!mayBeMissing && !Directory.Exists(repo.FullPath(rel))) throw new UsageException($"'{userPath}' does not exist");
        var outer = existing.FirstOrDefault(d => rel.StartsWith(d.DatasetPath + "/", StringComparison.Ordinal));
        if (outer is not null) throw new UsageException($"'{rel}' is inside the tracked dataset '{outer.DatasetPath}'; add that instead");
        var inner = existing.FirstOrDefault(d => d.DatasetPath.StartsWith(rel + "/", StringComparison.Ordinal));
        if (inner is not null) throw new UsageException($"'{rel}' contains the tracked dataset '{inner.DatasetPath}'; datasets cannot nest");
        return rel;
    }

    /// <summary>Adds one repo-relative dataset folder; shared with `commit`, which re-adds changed datasets.</summary>
    public static async Task<AddResult> AddOneAsync(ObsRepository repo, string datasetPath, PointerFile? previous, AddOptions options, CancellationToken ct)
    {
        var entries = await WorkspaceScanner.ScanAsync(repo, datasetPath, WorkspaceScanner.Mode.IntoCache, ct);
        var tree = TreeObject.Create(entries);
        var treeHash = repo.Cache.AddWritten(tree.WriteCanonicalJson, ct);

        var pointerPath = ObsRepository.PointerPathFor(datasetPath);
        var dataset = new TrackedDataset(pointerPath, datasetPath, previous ?? new PointerFile(Leaf(datasetPath), treeHash, 0, 0));
        // Unchanged files keep their pointer, unless the report it names is missing from the cache (a fresh clone whose files
        // were regenerated, not pulled): validating again brings the report object back.
        // An import that added nothing keeps the pointer (and the export it names) as it was.
        if (previous is not null && previous.Tree == treeHash && (options.Export is null || previous.Export is not null) && (options.Validation is null
            || previous.Validation is { Report: var report } && (report is null || repo.Cache.Contains(report.Value))))
        {
            await DatasetGitignore.EnsureAsync(repo, datasetPath, ct);
            return new AddResult(dataset, tree, Changed: false, null);
        }

        ValidationSummary? summary = null;
        string? reportText = null;
        if (options.Validation is not null)
        {
            var outcome = await options.Validation.ValidateAsync(repo.FullPath(datasetPath), datasetPath, tree, repo.Config.ValidationYaml,
                Path.Combine(repo.ObsDir, "cache", "validation"), repo.Progress, ct);
            var reportHash = await repo.Cache.AddBytesAsync(outcome.ReportJson, ct);
            summary = new ValidationSummary(outcome.Errors, outcome.Warnings, reportHash);
            reportText = outcome.ReportText;
            if (outcome.Errors > 0 && !options.AllowInvalid)
                throw new ValidationFailedException(
                    $"'{datasetPath}' has {outcome.Errors} validation error(s); fix them or pass --allow-invalid (nothing was recorded)", outcome.ReportText);
        }

        // Re-validating the same files keeps its version number; other files are a new version, numbered when it is tagged.
        var pointer = new PointerFile(Leaf(datasetPath), treeHash, tree.Entries.Count, tree.TotalBytes, summary, previous?.Source,
            previous?.Tree == treeHash ? previous.Version : null, options.Export ?? previous?.Export);
        // The objects this pointer names reach the disk before the pointer does.
        AtomicFile.SyncFileSystem(repo.Cache.ObjectsDirectory);
        await AtomicFile.WriteAllTextAsync(repo.FullPath(pointerPath), pointer.Serialize(), repo.TempDir, ct);
        await DatasetGitignore.EnsureAsync(repo, datasetPath, ct);
        return new AddResult(dataset with { Pointer = pointer }, tree, Changed: previous?.Tree != treeHash || previous?.Validation != summary || previous?.Export != pointer.Export, reportText);
    }

    private static string Leaf(string datasetPath) => datasetPath.Contains('/') ? datasetPath[(datasetPath.LastIndexOf('/') + 1)..] : datasetPath;
}
