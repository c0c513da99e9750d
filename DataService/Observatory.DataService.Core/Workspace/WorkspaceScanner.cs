using System.Collections.Concurrent;
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

    private static readonly EnumerationOptions Recursive = new()
    {
        RecurseSubdirectories = true,
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

    /// <summary>Files and folders under <paramref name="root"/>, never descending into a folder link or a .git folder.</summary>
    private static FileSystemEnumerable<Listed> Entries(string root)
    {
        var rootLength = Path.TrimEndingDirectorySeparator(root).Length + 1;
        return new(root, (ref FileSystemEntry e) =>
        {
            // The relative path built once from the entry's spans: no full path string per file.
            var dir = e.Directory.Length > rootLength ? e.Directory[rootLength..] : ReadOnlySpan<char>.Empty;
            var rel = dir.IsEmpty ? e.FileName.ToString() : string.Concat(dir, "/", e.FileName);
            if (Path.DirectorySeparatorChar != '/') rel = rel.Replace(Path.DirectorySeparatorChar, '/');
            return new Listed(rel, e.IsDirectory ? 0 : e.Length, e.LastWriteTimeUtc.UtcTicks, e.IsDirectory, (e.Attributes & FileAttributes.ReparsePoint) != 0);
        }, Recursive)
        {
            ShouldRecursePredicate = static (ref FileSystemEntry e) =>
                (e.Attributes & FileAttributes.ReparsePoint) == 0 && !RepoPath.NamesGitFolder(e.FileName.ToString()),
        };
    }

    /// <summary>Scans the repo-relative <paramref name="datasetPath"/>; entries are relative to it, sorted by ordinal path.</summary>
    public static async Task<IReadOnlyList<TreeEntry>> ScanAsync(ObsRepository repo, string datasetPath, Mode mode, CancellationToken ct)
    {
        var root = repo.FullPath(datasetPath);
        RepoPath.EnsureNoSymlinkEscape(repo.Root, root, $"dataset '{datasetPath}'");
        if (!Directory.Exists(root))
        {
            if (File.Exists(root)) throw new UsageException($"'{datasetPath}' is a file; obs tracks folders of files (put it in a folder)");
            throw new UsageException($"'{datasetPath}' does not exist");
        }

        var prefix = datasetPath + "/";
        // The stat cache loads on the other core while this one lists the folder.
        var knownTask = Task.Run(() => repo.State.LoadPrefix(prefix), ct);
        var files = new List<Listed>();
        foreach (var listed in Entries(root))
        {
            ct.ThrowIfCancellationRequested();
            var entry = listed;
            var rel = entry.Rel;
            // A nested repository's .git is git's business, not the dataset's (and a tree may never name it).
            if (RepoPath.NamesGitFolder(rel)) continue;
            if (entry.IsDirectory)
            {
                // A folder link would pull whatever it points to (a secrets folder, the home directory) into the version and
                // onto remotes, and checkout's deletions would follow it: never followed, refused by name.
                if (entry.IsLink && new DirectoryInfo(Path.Combine(root, rel)).LinkTarget is not null)
                    throw new DataCheckException($"'{datasetPath}/{rel}' is a symbolic link to a folder; obs does not follow folder links (replace it with the files, or move it out of the dataset); refused");
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
            files.Add(entry);
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Rel, b.Rel));

        var known = await knownTask;
        var results = new TreeEntry[files.Count];
        var fresh = new ConcurrentBag<StatEntry>();
        var progress = repo.Progress;
        // First pass, sequential and cheap: every file whose stamp matches the stat cache keeps its remembered hash.
        var toHash = new List<int>();
        for (var i = 0; i < files.Count; i++)
        {
            var f = files[i];
            var stamp = new FileStamp(f.Length, f.MtimeTicks, 0);
            if (known.TryGetValue(prefix + f.Rel, out var entry) && entry.Stamp == stamp && (mode == Mode.HashOnly || repo.Cache.Contains(entry.Hash)))
                results[i] = new TreeEntry(f.Rel, entry.Hash, f.Length);
            else
                toHash.Add(i);
        }
        progress.Begin(mode == Mode.IntoCache ? $"adding {datasetPath}" : $"checking {datasetPath}", toHash.Count);
        try
        {
            await Parallel.ForEachAsync(toHash, new ParallelOptions { MaxDegreeOfParallelism = repo.Jobs, CancellationToken = ct }, async (i, token) =>
            {
                var (rel, length, mtime, _, _) = files[i];
                var stamp = new FileStamp(length, mtime, 0);
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
                if (size == stamp.Size) fresh.Add(new StatEntry(prefix + rel, stamp, hash));
                progress.Advance(1);
            });
        }
        finally
        {
            progress.End();
        }
        if (!fresh.IsEmpty) repo.State.Upsert(fresh.ToArray());
        return results;
    }
}
