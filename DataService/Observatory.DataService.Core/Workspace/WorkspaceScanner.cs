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

    /// <summary>Files and folders under <paramref name="root"/>, never descending into a folder link or a .git folder.</summary>
    private static FileSystemEnumerable<FileSystemInfo> Entries(string root) =>
        new(root, static (ref FileSystemEntry e) => e.ToFileSystemInfo(), Recursive)
        {
            ShouldRecursePredicate = static (ref FileSystemEntry e) =>
                (e.Attributes & FileAttributes.ReparsePoint) == 0 && !RepoPath.NamesGitFolder(e.FileName.ToString()),
        };

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
        var files = new List<(string Rel, FileInfo Info)>();
        foreach (var entry in Entries(root))
        {
            ct.ThrowIfCancellationRequested();
            var rel = Path.GetRelativePath(root, entry.FullName).Replace(Path.DirectorySeparatorChar, '/');
            // A nested repository's .git is git's business, not the dataset's (and a tree may never name it).
            if (RepoPath.NamesGitFolder(rel)) continue;
            if (entry is not FileInfo info)
            {
                // A folder link would pull whatever it points to (a secrets folder, the home directory) into the version and
                // onto remotes, and checkout's deletions would follow it: never followed, refused by name.
                if (entry.LinkTarget is not null)
                    throw new DataCheckException($"'{datasetPath}/{rel}' is a symbolic link to a folder; obs does not follow folder links (replace it with the files, or move it out of the dataset); refused");
                continue;
            }
            // The attribute comes from the directory listing; LinkTarget would cost a readlink per file.
            if ((info.Attributes & FileAttributes.ReparsePoint) != 0 && info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                if (target is null || !RepoPath.IsUnder(target.FullName, repo.Root))
                    throw new DataCheckException($"'{datasetPath}/{rel}' is a symbolic link that leads outside the workspace; refused");
            }
            files.Add((rel, info));
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
            var (rel, info) = files[i];
            var stamp = new FileStamp(info.Length, info.LastWriteTimeUtc.Ticks, 0);
            if (known.TryGetValue(prefix + rel, out var entry) && entry.Stamp == stamp && (mode == Mode.HashOnly || repo.Cache.Contains(entry.Hash)))
                results[i] = new TreeEntry(rel, entry.Hash, info.Length);
            else
                toHash.Add(i);
        }
        progress.Begin(mode == Mode.IntoCache ? $"adding {datasetPath}" : $"checking {datasetPath}", toHash.Count);
        try
        {
            await Parallel.ForEachAsync(toHash, new ParallelOptions { MaxDegreeOfParallelism = repo.Jobs, CancellationToken = ct }, async (i, token) =>
            {
                var (rel, info) = files[i];
                var stamp = new FileStamp(info.Length, info.LastWriteTimeUtc.Ticks, 0);
                ContentHash hash; long size;
                try
                {
                    if (mode == Mode.IntoCache)
                    {
                        (hash, size) = repo.Config.Cache.Type == Config.CacheType.Hardlink
                            ? await repo.Cache.AddFileByLinkAsync(info.FullName, token)
                            : await repo.Cache.AddFileAsync(info.FullName, token);
                    }
                    else
                    {
                        await using var s = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
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
