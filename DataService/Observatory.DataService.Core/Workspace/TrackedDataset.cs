using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Pointers;

namespace Observatory.DataService.Core.Workspace;

/// <summary>A dataset as one pointer names it: where the pointer is, the folder it tracks (both repo-relative) and its content.</summary>
public sealed record TrackedDataset(string PointerPath, string DatasetPath, PointerFile Pointer)
{
    public string Name => DatasetPath.Contains('/') ? DatasetPath[(DatasetPath.LastIndexOf('/') + 1)..] : DatasetPath;
}

/// <summary>Finds the datasets tracked in the workspace or at a git revision, and maps user arguments to them.</summary>
public static class Datasets
{
    /// <summary>Pointers in the work tree, found by walking it without descending into tracked data folders, .git or .obs.</summary>
    public static IReadOnlyList<TrackedDataset> InWorkspace(ObsRepository repo)
    {
        var result = new List<TrackedDataset>();
        var pending = new Stack<string>();
        pending.Push(repo.Root);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            string[] files, dirs;
            try
            {
                files = Directory.GetFiles(dir, "*" + PointerFile.Extension);
                dirs = Directory.GetDirectories(dir);
            }
            catch (UnauthorizedAccessException) { continue; }
            var tracked = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in files)
            {
                var name = Path.GetFileName(file);
                if (name == PointerFile.Extension) continue;
                var rel = repo.RelativeToRoot(file);
                var pointer = PointerFile.Parse(File.ReadAllText(file), rel);
                var dataset = ObsRepository.DatasetPathOf(rel, pointer);
                tracked.Add(repo.FullPath(dataset));
                result.Add(new TrackedDataset(rel, dataset, pointer));
            }
            foreach (var sub in dirs)
            {
                var name = Path.GetFileName(sub);
                if (dir == repo.Root && name is ".git" or ObsRepository.ObsDirName) continue;
                if (tracked.Contains(sub) || new DirectoryInfo(sub).LinkTarget is not null) continue;
                if (Directory.Exists(Path.Combine(sub, ObsRepository.ObsDirName))) continue; // another (--subdir) workspace
                pending.Push(sub);
            }
        }
        result.Sort((a, b) => string.CompareOrdinal(a.DatasetPath, b.DatasetPath));
        return result;
    }

    /// <summary>Pointers committed at a revision, read from git history (no checkout).</summary>
    public static IReadOnlyList<TrackedDataset> AtRevision(ObsRepository repo, string revision)
    {
        if (repo.Git.TryResolve(revision) is null) throw new UsageException($"revision '{revision}' is not known to git");
        var result = new List<TrackedDataset>();
        foreach (var path in repo.Git.ListFiles(revision, PointerFile.Extension))
        {
            if (Path.GetFileName(path) == PointerFile.Extension) continue;
            var text = repo.Git.ReadFile(revision, path)!;
            var pointer = PointerFile.Parse(text, $"{path} at {revision}");
            result.Add(new TrackedDataset(path, ObsRepository.DatasetPathOf(path, pointer), pointer));
        }
        result.Sort((a, b) => string.CompareOrdinal(a.DatasetPath, b.DatasetPath));
        return result;
    }

    /// <summary>Datasets at a revision, or in the workspace when <paramref name="revision"/> is null.</summary>
    public static IReadOnlyList<TrackedDataset> At(ObsRepository repo, string? revision) =>
        revision is null ? InWorkspace(repo) : AtRevision(repo, revision);

    /// <summary>
    /// The datasets the user's paths name (a dataset folder, its pointer file, or a folder or file inside a dataset, which
    /// selects that subtree). No paths selects every dataset. A path that names nothing tracked is a usage error.
    /// </summary>
    public static IReadOnlyList<(TrackedDataset Dataset, string? SubPath)> Select(ObsRepository repo, IReadOnlyList<TrackedDataset> all, IReadOnlyList<string> userPaths)
    {
        if (userPaths.Count == 0) return all.Select(d => (d, (string?)null)).ToList();
        var selected = new List<(TrackedDataset, string?)>();
        foreach (var userPath in userPaths)
        {
            var rel = repo.RelativeToRoot(repo.ResolveUserPath(userPath));
            if (rel.EndsWith(PointerFile.Extension, StringComparison.Ordinal)) rel = rel[..^PointerFile.Extension.Length];
            var match = all.FirstOrDefault(d => d.DatasetPath == rel);
            if (match is not null) { selected.Add((match, null)); continue; }
            var parent = all.FirstOrDefault(d => rel.StartsWith(d.DatasetPath + "/", StringComparison.Ordinal));
            if (parent is not null) { selected.Add((parent, rel[(parent.DatasetPath.Length + 1)..])); continue; }
            throw new UsageException($"'{userPath}' is not a tracked dataset or a path inside one (tracked: {(all.Count == 0 ? "none" : string.Join(", ", all.Select(d => d.DatasetPath)))})");
        }
        return selected;
    }

    /// <summary>Loads and checks the tree object a pointer names; a missing or corrupt tree is reported with path and hash.</summary>
    public static async Task<TreeObject> LoadTreeAsync(ObsRepository repo, TrackedDataset dataset, CancellationToken ct)
    {
        var hash = dataset.Pointer.Tree;
        if (!repo.Cache.Contains(hash)) throw MissingTree(dataset);
        var bytes = await repo.Cache.ReadAllBytesAsync(hash, ct);
        if (ContentHash.Compute(bytes) != hash) throw CorruptTree(dataset);
        return TreeObject.Parse(bytes, $"{hash.Hex} of {dataset.PointerPath}");
    }

    /// <summary>
    /// Runs <paramref name="walk"/> over the entries of the tree a pointer names, read from the cache one at a time rather than
    /// loaded (a million-entry tree is about 260 MB loaded). The tree is checked as <see cref="LoadTreeAsync"/> checks it, and
    /// the walk's result is returned only once every byte has matched the hash, so a walk must only gather, never act. A tree
    /// whose entries are not in path order (obs never writes one) is loaded whole and walked.
    /// </summary>
    public static async Task<T> WalkTreeAsync<T>(ObsRepository repo, TrackedDataset dataset, Func<IEnumerable<TreeEntry>, T> walk, CancellationToken ct)
    {
        var hash = dataset.Pointer.Tree;
        if (!repo.Cache.Contains(hash)) throw MissingTree(dataset);
        try
        {
            await using var stream = repo.Cache.OpenRead(hash);
            using var reader = new TreeEntryReader(stream, $"{hash.Hex} of {dataset.PointerPath}");
            T result;
            try
            {
                result = walk(reader.Entries(ct));
                // Whatever the walk left unread is read (and checked) all the same.
                foreach (var _ in reader.Entries(ct)) { }
            }
            // Bytes that are not the object's are reported as such, not by whatever first broke in them.
            catch (DataCheckException) when (!reader.RestMatches(hash))
            {
                throw CorruptTree(dataset);
            }
            if (reader.ContentHash != hash) throw CorruptTree(dataset);
            return result;
        }
        catch (TreeNotStreamableException)
        {
            return walk((await LoadTreeAsync(repo, dataset, ct)).Entries);
        }
    }

    private static StoreException MissingTree(TrackedDataset dataset) =>
        new($"tree object {dataset.Pointer.Tree.Hex} of {dataset.PointerPath} is not in the cache; run 'obs fetch' or 'obs pull' to get it");

    private static DataCheckException CorruptTree(TrackedDataset dataset) =>
        new($"tree object {dataset.Pointer.Tree.Hex} of {dataset.PointerPath} is corrupt in the cache (content does not match its hash)");
}
