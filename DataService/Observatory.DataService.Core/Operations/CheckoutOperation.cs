using System.Buffers;
using System.Security.Cryptography;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Store;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Operations;

public sealed record CheckoutOptions
{
    /// <summary>Git revision whose pointers to restore; null = the pointers in the workspace.</summary>
    public string? Revision { get; init; }
    /// <summary>Overwrite or delete workspace changes whose content is not in the cache.</summary>
    public bool Force { get; init; }
}

/// <param name="PointerMovedTo">The revision the dataset's pointer file was rewritten to, when a checkout from history changed it.</param>
public sealed record CheckoutResult(string DatasetPath, int Written, int Deleted, int Unchanged, string? PointerMovedTo = null, string? PointerPath = null);

/// <summary>
/// `obs checkout`: makes dataset folders match a pointer (from the workspace or from any git revision, read from history).
/// Everything is checked before the first write: every needed object is in the cache, no path escapes, no unsaved change is
/// lost. Each file is written to a temp file, verified against its hash, then renamed into place, so a kill leaves only
/// whole files; running checkout again finishes the job.
/// </summary>
public static class CheckoutOperation
{
    public static async Task<IReadOnlyList<CheckoutResult>> RunAsync(ObsRepository repo, IReadOnlyList<string> userPaths, CheckoutOptions options, CancellationToken ct)
    {
        var all = Datasets.At(repo, options.Revision);
        if (all.Count == 0)
            throw new UsageException(options.Revision is null ? "no dataset is tracked in the workspace" : $"no dataset is tracked at revision '{options.Revision}'");
        var selection = Datasets.Select(repo, all, userPaths);

        // Plan everything first: nothing is written unless every dataset can be restored.
        var plans = new List<Plan>();
        foreach (var (dataset, subPath) in selection)
            plans.Add(await PlanAsync(repo, new SelectedDataset(dataset, subPath, await Datasets.LoadTreeAsync(repo, dataset, ct)), options, ct));
        return await ApplyAsync(repo, plans, options, staging: null, ct);
    }

    /// <summary>A pull's checkout: the datasets and trees its fetch read, and the copies it staged.</summary>
    internal static async Task<IReadOnlyList<CheckoutResult>> RunAsync(ObsRepository repo, IReadOnlyList<SelectedDataset> selection, CheckoutOptions options,
        StagedCopies staging, CancellationToken ct)
    {
        var plans = new List<Plan>();
        foreach (var selected in selection)
            plans.Add(await PlanAsync(repo, selected, options, ct));
        return await ApplyAsync(repo, plans, options, staging, ct);
    }

    private static async Task<IReadOnlyList<CheckoutResult>> ApplyAsync(ObsRepository repo, IReadOnlyList<Plan> plans, CheckoutOptions options, StagedCopies? staging, CancellationToken ct)
    {
        var results = new List<CheckoutResult>();
        foreach (var plan in plans)
            results.Add(await ApplyAsync(repo, plan, options, staging, ct));
        return results;
    }

    private sealed record Plan(TrackedDataset Dataset, string? SubPath, string Root, IReadOnlyList<TreeEntry> ToWrite, IReadOnlyList<string> ToDelete, int Unchanged);

    private static async Task<Plan> PlanAsync(ObsRepository repo, SelectedDataset selected, CheckoutOptions options, CancellationToken ct)
    {
        var (dataset, subPath, tree) = (selected.Dataset, selected.SubPath, selected.Tree);
        var root = repo.FullPath(dataset.DatasetPath);
        RepoPath.EnsureNoSymlinkEscape(repo.Root, root, $"dataset '{dataset.DatasetPath}'");
        if (File.Exists(root)) throw new DataCheckException($"'{dataset.DatasetPath}' is a file in the workspace, but the pointer names a folder; move it away first");

        var wanted = tree.Entries.Where(e => selected.InScope(e.Path)).ToList();
        if (subPath is not null && wanted.Count == 0)
            throw new UsageException($"'{dataset.DatasetPath}/{subPath}' is not in the version of {dataset.DatasetPath} being checked out");

        var current = Directory.Exists(root)
            ? (await WorkspaceScanner.ScanAsync(repo, dataset.DatasetPath, WorkspaceScanner.Mode.HashOnly, ct)).Where(e => selected.InScope(e.Path)).ToList()
            : [];
        var changes = TreeChanges.Compare(current, wanted);
        var toWrite = changes.Added.Concat(changes.Modified).Select(c => c.New!).OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
        var toDelete = changes.Deleted.Select(c => c.Old!.Path).ToList();

        foreach (var entry in toWrite)
        {
            var target = RepoPath.Combine(root, entry.Path, $"tree of {dataset.PointerPath}");
            RepoPath.EnsureNoSymlinkEscape(repo.Root, target, $"'{dataset.DatasetPath}/{entry.Path}'");
            if (Directory.Exists(target))
                throw new DataCheckException($"'{dataset.DatasetPath}/{entry.Path}' is a folder in the workspace but a file in the version; move it away first");
            if (!repo.Cache.Contains(entry.Hash))
                throw new StoreException($"object {entry.Hash.Hex} ({dataset.DatasetPath}/{entry.Path}) is not in the cache; run 'obs pull{(options.Revision is null ? "" : " --rev " + options.Revision)} {dataset.DatasetPath}' first (nothing was changed)");
        }

        if (!options.Force)
        {
            // Content about to be overwritten or deleted must be recoverable from the cache.
            var lost = changes.Modified.Select(c => c.Old!).Concat(changes.Deleted.Select(c => c.Old!))
                .Where(e => !repo.Cache.Contains(e.Hash)).Select(e => dataset.DatasetPath + "/" + e.Path).ToList();
            if (lost.Count > 0)
                throw new DataCheckException(
                    $"checkout would overwrite or delete {lost.Count} file(s) whose content is not saved in the cache ({string.Join(", ", lost.Take(5))}{(lost.Count > 5 ? ", …" : "")}); run 'obs add {dataset.DatasetPath}' first or pass --force");
        }
        return new Plan(dataset, subPath, root, toWrite, toDelete, wanted.Count - toWrite.Count);
    }

    private static async Task<CheckoutResult> ApplyAsync(ObsRepository repo, Plan plan, CheckoutOptions options, StagedCopies? staging, CancellationToken ct)
    {
        var prefix = plan.Dataset.DatasetPath + "/";
        var stats = new System.Collections.Concurrent.ConcurrentBag<StatEntry>();
        repo.Progress.Begin($"checking out {plan.Dataset.DatasetPath}", plan.ToWrite.Count);
        try
        {
            Directory.CreateDirectory(plan.Root);
            await Parallel.ForEachAsync(plan.ToWrite, new ParallelOptions { MaxDegreeOfParallelism = repo.Jobs, CancellationToken = ct }, async (entry, token) =>
            {
                var target = RepoPath.Combine(plan.Root, entry.Path, "tree");
                await RestoreFileAsync(repo, entry.Hash, target, token, staging?.WasVerified(entry.Hash) == true, staging?.Take(entry.Hash));
                var info = new FileInfo(target);
                stats.Add(new StatEntry(prefix + entry.Path, new FileStamp(info.Length, info.LastWriteTimeUtc.Ticks, 0), entry.Hash));
                repo.Progress.Advance(1);
            });
        }
        finally
        {
            repo.Progress.End();
        }
        foreach (var path in plan.ToDelete)
        {
            var full = RepoPath.Combine(plan.Root, path, "workspace");
            File.Delete(full);
            RemoveEmptyParents(Path.GetDirectoryName(full)!, plan.Root);
        }
        if (!stats.IsEmpty) repo.State.Upsert(stats.ToArray());

        // A whole dataset restored from history also restores its pointer, as `git checkout REV -- path` would.
        string? movedTo = null;
        if (options.Revision is not null && plan.SubPath is null)
        {
            var pointerFile = repo.FullPath(plan.Dataset.PointerPath);
            var text = plan.Dataset.Pointer.Serialize();
            // Reported because later plain checkouts follow the rewritten pointer, which surprises anyone expecting a one-off view.
            if (!File.Exists(pointerFile) || await File.ReadAllTextAsync(pointerFile, ct) != text) movedTo = options.Revision;
            await AtomicFile.WriteAllTextAsync(pointerFile, text, repo.TempDir, ct);
            await DatasetGitignore.EnsureAsync(repo, plan.Dataset.DatasetPath, ct);
        }
        return new CheckoutResult(plan.Dataset.DatasetPath, plan.ToWrite.Count, plan.ToDelete.Count, plan.Unchanged, movedTo, plan.Dataset.PointerPath);
    }

    /// <summary>
    /// Copies an object to a temp file while re-hashing it (or, with <c>cache.type: hardlink</c>, links it after verifying it)
    /// and renames it into place only if the hash matches.
    /// </summary>
    /// <param name="justVerified">Fetched (and hashed) by this same pull: copied by the kernel without a second hash.</param>
    /// <param name="staged">A verified copy the pull wrote beside the cache in the same pass: renamed into place instead of copied.</param>
    private static async Task RestoreFileAsync(ObsRepository repo, ContentHash hash, string target, CancellationToken ct, bool justVerified, string? staged)
    {
        var temp = staged ?? AtomicFile.TempPath(repo.TempDir);
        if (justVerified && repo.Config.Cache.Type == Config.CacheType.Copy)
        {
            try
            {
                // A staged copy was created by this pull with the user's umask; a copy of the read-only object needs its mode reset.
                if (staged is null)
                {
                    Directory.CreateDirectory(repo.TempDir);
                    File.Copy(repo.Cache.PathOf(hash), temp); // copy_file_range: no user-space pass over the bytes
                    if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                }
                AtomicFile.MoveInto(temp, target);
                return;
            }
            catch
            {
                AtomicFile.TryDelete(temp);
                throw;
            }
        }
        if (staged is not null) AtomicFile.TryDelete(staged); // only the copy mode takes a staged file
        temp = AtomicFile.TempPath(repo.TempDir);
        Directory.CreateDirectory(repo.TempDir);
        if (repo.Config.Cache.Type == Config.CacheType.Hardlink)
        {
            if (!await repo.Cache.VerifyAsync(hash, ct))
                throw new DataCheckException($"cache object {hash.Hex} is corrupt (its content does not match its name); delete {repo.Cache.PathOf(hash)} and run 'obs pull'");
            if (HardLink.TryCreate(repo.Cache.PathOf(hash), temp))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Move(temp, target, overwrite: true);
                return;
            }
        }
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 17);
        try
        {
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                await using var src = repo.Cache.OpenRead(hash);
                await using var dst = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
                int n;
                while ((n = await src.ReadAsync(buffer.AsMemory(0, 1 << 17), ct)) > 0)
                {
                    sha.AppendData(buffer, 0, n);
                    await dst.WriteAsync(buffer.AsMemory(0, n), ct);
                }
                var actual = ContentHash.FromBytes(sha.GetHashAndReset());
                if (actual != hash)
                    throw new DataCheckException($"cache object {hash.Hex} is corrupt (its content hashes to {actual.Hex}); delete {repo.Cache.PathOf(hash)} and run 'obs pull'");
            }
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void RemoveEmptyParents(string dir, string stopAt)
    {
        while (dir.Length > stopAt.Length && RepoPath.IsUnder(dir, stopAt) && Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
        {
            Directory.Delete(dir);
            dir = Path.GetDirectoryName(dir)!;
        }
    }
}
