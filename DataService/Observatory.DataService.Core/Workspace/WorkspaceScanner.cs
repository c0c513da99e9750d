using System.IO.Enumeration;
using System.Security.Cryptography;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Ports;

namespace Observatory.DataService.Core.Workspace;

/// <summary>
/// Lists the files of a dataset folder with their hashes. Hashes come from the stat cache when a file's size and mtime are
/// unchanged, so an unchanged tree costs one stat per file; the rest are hashed in parallel (and, when adding, copied into the
/// cache in the same pass, so each new file is read once).
/// </summary>
public static class WorkspaceScanner
{
    public enum Mode
    {
        /// <summary>Hash only; nothing is written to the cache (status, diff against the workspace).</summary>
        HashOnly,
        /// <summary>Make sure every file's object is in the cache (add, commit).</summary>
        IntoCache,
    }

    /// <summary>How many folders are listed ahead of the merge, per level: enough to keep the cores busy, few enough that a
    /// dataset of a million one-file folders does not hold a million listings.</summary>
    private const int ListAhead = 8;

    private static readonly EnumerationOptions OneFolder = new()
    {
        RecurseSubdirectories = false,
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        ReturnSpecialDirectories = false,
    };

    /// <summary>
    /// What the scan keeps of a listed entry: its path relative to the root, size, mtime, and whether it is a folder or a link.
    /// A FileInfo per file would hold its full path, name and a stat buffer for the whole scan: at a million files that alone is
    /// hundreds of MB, where these few fields are what status needs.
    /// </summary>
    private readonly record struct Listed(string Rel, long Length, long MtimeTicks, bool IsDirectory, bool IsLink);

    /// <summary>
    /// One listed folder: its entries in the order their paths sort (a subfolder's name compares as if followed by '/', as git
    /// orders trees), so walking folders depth first yields every file in <see cref="PathOrder"/> order without sorting them all.
    /// </summary>
    private sealed class Folder(Listed[] entries, Task<Folder>?[] subfolders)
    {
        public Listed[] Entries { get; } = entries;

        /// <summary>The listing of each subfolder entry, started when the walk comes within <see cref="ListAhead"/> of it.</summary>
        public Task<Folder>?[] Subfolders { get; } = subfolders;
    }

    /// <summary>Lists one folder (a stat per entry: size and mtime come with it), refusing folder links.</summary>
    private static Folder List(string root, string datasetPath, string relDir, ObsRepository repo, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var dirPrefix = relDir.Length == 0 ? "" : relDir + "/";
        var full = relDir.Length == 0 ? root : Path.Combine(root, relDir);
        var listed = new List<(string Key, Listed Entry)>();
        foreach (var listedEntry in new FileSystemEnumerable<Listed>(full, (ref FileSystemEntry e) =>
            new Listed(string.Concat(dirPrefix, e.FileName), e.IsDirectory ? 0 : e.Length, e.LastWriteTimeUtc.UtcTicks, e.IsDirectory,
                (e.Attributes & FileAttributes.ReparsePoint) != 0), OneFolder))
        {
            var entry = listedEntry;
            var rel = entry.Rel;
            // A nested repository's .git is git's business, not the dataset's (and a tree may never name it).
            if (RepoPath.NamesGitFolder(rel[dirPrefix.Length..])) continue;
            if (entry.IsDirectory)
            {
                // A folder link would pull whatever it points to (a secrets folder, the home directory) into the version and
                // onto remotes, and checkout's deletions would follow it: never followed, refused by name.
                if (entry.IsLink && new DirectoryInfo(Path.Combine(root, rel)).LinkTarget is not null)
                    throw new DataCheckException($"'{datasetPath}/{rel}' is a symbolic link to a folder; obs does not follow folder links (replace it with the files, or move it out of the dataset); refused");
                // Any other reparse point is not descended into, as before.
                if (entry.IsLink) continue;
                listed.Add((rel + "/", entry));
                continue;
            }
            // The attribute comes from the directory listing; only a link costs a readlink.
            if (entry.IsLink)
            {
                var info = new FileInfo(Path.Combine(root, rel));
                if (info.LinkTarget is not null)
                {
                    var target = info.ResolveLinkTarget(returnFinalTarget: true);
                    if (target is null || !RepoPath.IsUnder(target.FullName, repo.Root))
                        throw new DataCheckException($"'{datasetPath}/{rel}' is a symbolic link that leads outside the workspace; refused");
                    // A link to a file is read through: the size and time that matter are the target's.
                    entry = entry with { Length = info.Length, MtimeTicks = info.LastWriteTimeUtc.Ticks };
                }
            }
            listed.Add((rel, entry));
        }
        listed.Sort(static (a, b) => PathOrder.CompareCodePoints(a.Key, b.Key));
        var entries = new Listed[listed.Count];
        for (var i = 0; i < entries.Length; i++) entries[i] = listed[i].Entry;
        return new Folder(entries, new Task<Folder>?[entries.Length]);
    }

    /// <summary>
    /// Every file under the dataset, in <see cref="PathOrder"/> order, never descending into a folder link or a .git folder.
    /// Folders are listed (and their files stat'ed) on the thread pool a few ahead of the caller, which meanwhile merges with
    /// the stat cache or digests the stamps: the stats, the bulk of an unchanged status, spread over the cores.
    /// </summary>
    private static async IAsyncEnumerable<Listed> WalkAsync(ObsRepository repo, string root, string datasetPath, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var token = stop.Token;
        Task<Folder> Start(string relDir) => Task.Run(() => List(root, datasetPath, relDir, repo, token), token);
        var stack = new Stack<(Folder Folder, int Next)>();
        try
        {
            stack.Push((await Start(""), 0));
            while (stack.TryPop(out var top))
            {
                var (folder, i) = top;
                for (; i < folder.Entries.Length; i++)
                {
                    var entry = folder.Entries[i];
                    if (!entry.IsDirectory)
                    {
                        yield return entry;
                        continue;
                    }
                    for (var j = i; j < folder.Entries.Length && j <= i + ListAhead; j++)
                        if (folder.Entries[j].IsDirectory) folder.Subfolders[j] ??= Start(folder.Entries[j].Rel);
                    var sub = await folder.Subfolders[i]!;
                    // Dropped once walked: only the folders on the way down and those listed ahead are held.
                    folder.Subfolders[i] = null;
                    stack.Push((folder, i + 1));
                    stack.Push((sub, 0));
                    break;
                }
            }
        }
        finally
        {
            // Listings still running ahead (the walk failed or was abandoned) stop at their next folder.
            stop.Cancel();
        }
    }

    /// <summary>Scans the repo-relative <paramref name="datasetPath"/>; entries are relative to it, sorted by ordinal path.</summary>
    public static async Task<IReadOnlyList<TreeEntry>> ScanAsync(ObsRepository repo, string datasetPath, Mode mode, CancellationToken ct)
    {
        var root = CheckedRoot(repo, datasetPath);
        return (await MergeAsync(repo, root, datasetPath, WalkAsync(repo, root, datasetPath, ct), mode, ct)).Entries;
    }

    /// <summary>
    /// The tree the folder's files make (what `add` would record), for `status`. When every path, size and mtime is as it was
    /// when this tree was last computed, the remembered hash is the answer: one stat per file and nothing read from the stat
    /// cache, hashed or built. Otherwise the files are merged with the stat cache as <see cref="ScanAsync"/> does.
    /// </summary>
    public static async Task<WorkspaceTree> TreeAsync(ObsRepository repo, string datasetPath, CancellationToken ct)
    {
        var root = CheckedRoot(repo, datasetPath);
        var files = new List<Listed>();
        var digest = new StampDigest();
        await foreach (var f in WalkAsync(repo, root, datasetPath, ct))
        {
            files.Add(f);
            digest.Add(f.Rel, f.Length, f.MtimeTicks);
        }
        var stamps = digest.Finish();
        if (repo.State.RememberedTree(datasetPath, stamps) is { } remembered)
            return new WorkspaceTree(remembered, MergeLater(repo, root, datasetPath, files));
        var (entries, stampsDescribeContent) = await MergeAsync(repo, root, datasetPath, files.ToAsyncEnumerable(), Mode.HashOnly, ct);
        var tree = TreeObject.Create(entries).Hash();
        // Not when a file changed size while it was read: its listed stamp does not describe what was hashed.
        if (stampsDescribeContent) repo.State.RememberTree(datasetPath, stamps, tree);
        return new WorkspaceTree(tree, _ => Task.FromResult(entries));
    }

    /// <summary>A separate function so the listing is captured only by this closure, not kept alive beside a computed tree's entries.</summary>
    private static Func<CancellationToken, Task<IReadOnlyList<TreeEntry>>> MergeLater(ObsRepository repo, string root, string datasetPath, List<Listed> files) =>
        async ct => (await MergeAsync(repo, root, datasetPath, files.ToAsyncEnumerable(), Mode.HashOnly, ct)).Entries;

    private static string CheckedRoot(ObsRepository repo, string datasetPath)
    {
        var root = repo.FullPath(datasetPath);
        RepoPath.EnsureNoSymlinkEscape(repo.Root, root, $"dataset '{datasetPath}'");
        if (!Directory.Exists(root))
        {
            if (File.Exists(root)) throw new UsageException($"'{datasetPath}' is a file; obs tracks folders of files (put it in a folder)");
            throw new UsageException($"'{datasetPath}' does not exist");
        }
        return root;
    }

    /// <summary>Hashes each listed file the stat cache cannot vouch for; false in the second value when a file changed size while read.</summary>
    private static async Task<(IReadOnlyList<TreeEntry> Entries, bool StampsDescribeContent)> MergeAsync(
        ObsRepository repo, string root, string datasetPath, IAsyncEnumerable<Listed> listing, Mode mode, CancellationToken ct)
    {
        var prefix = datasetPath + "/";
        var results = new List<TreeEntry?>();
        var toHash = new List<(int Index, Listed File)>();
        // First pass: the listing, in the stat cache's order, merged with the cache's entries as both stream by; every file
        // whose stamp matches keeps its remembered hash. The cache is never loaded whole (a dictionary of a million entries
        // was the largest thing status held).
        using (var known = repo.State.ReadPrefix(prefix).GetEnumerator())
        {
            var more = known.MoveNext();
            await foreach (var f in listing.WithCancellation(ct))
            {
                var c = 1;
                while (more && (c = PathOrder.CompareCodePoints(known.Current.Path.AsSpan(prefix.Length), f.Rel)) < 0) more = known.MoveNext();
                var entry = known.Current;
                if (more && c == 0 && entry.Stamp == new FileStamp(f.Length, f.MtimeTicks, 0) && (mode == Mode.HashOnly || repo.Cache.Contains(entry.Hash)))
                    results.Add(new TreeEntry(f.Rel, entry.Hash, f.Length));
                else
                {
                    toHash.Add((results.Count, f));
                    results.Add(null);
                }
            }
        }

        var progress = repo.Progress;
        var stale = new bool[toHash.Count];
        progress.Begin(mode == Mode.IntoCache ? $"adding {datasetPath}" : $"checking {datasetPath}", toHash.Count);
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, toHash.Count), new ParallelOptions { MaxDegreeOfParallelism = repo.Jobs, CancellationToken = ct }, async (k, token) =>
            {
                var (i, (rel, length, _, _, _)) = toHash[k];
                var fullName = Path.Combine(root, rel);
                ContentHash hash; long size;
                try
                {
                    if (mode == Mode.IntoCache)
                    {
                        (hash, size) = repo.Config.Cache.Type == Config.CacheType.Hardlink
                            ? await repo.Cache.AddFileByLinkAsync(fullName, token)
                            : await repo.Cache.AddFileAsync(fullName, token);
                    }
                    else
                    {
                        await using var s = new FileStream(fullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                        hash = ContentHash.FromBytes(await SHA256.HashDataAsync(s, token));
                        size = s.Length;
                    }
                }
                catch (FileNotFoundException ex)
                {
                    throw new StoreException($"'{datasetPath}/{rel}' disappeared while it was read", ex);
                }
                results[i] = new TreeEntry(rel, hash, size);
                // A file that changed size while it was read gets no entry: its stamp does not describe the bytes hashed.
                if (size != length) stale[k] = true;
                progress.Advance(1);
            });
        }
        finally
        {
            progress.End();
        }
        // Produced as SQLite takes them, in path order, rather than gathered first: an add of a million files would otherwise
        // hold a million entries (and their repo-relative paths) for nothing.
        if (toHash.Count > 0)
            repo.State.Upsert(Enumerable.Range(0, toHash.Count).Where(k => !stale[k]).Select(k =>
                new StatEntry(prefix + toHash[k].File.Rel, new FileStamp(toHash[k].File.Length, toHash[k].File.MtimeTicks, 0), results[toHash[k].Index]!.Hash)));

        var scanned = new TreeEntry[results.Count];
        for (var i = 0; i < scanned.Length; i++) scanned[i] = results[i]!;
        // Callers get ordinal order (the tree's); it differs from the walk's only for names mixing characters above U+FFFF with
        // ones in U+E000–U+FFFF, so this is a check, and a sort only then.
        if (!IsOrdinallySorted(scanned)) Array.Sort(scanned, static (a, b) => string.CompareOrdinal(a.Path, b.Path));
        return (scanned, !stale.Contains(true));
    }

    private static bool IsOrdinallySorted(TreeEntry[] entries)
    {
        for (var i = 1; i < entries.Length; i++)
            if (string.CompareOrdinal(entries[i - 1].Path, entries[i].Path) > 0) return false;
        return true;
    }
}
