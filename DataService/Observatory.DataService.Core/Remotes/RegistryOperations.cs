using Observatory.DataService.Core.Config;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Pointers;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Store;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Remotes;

/// <summary>A dataset in another repository's data registry: which repo, which dataset path, which revision.</summary>
public sealed record RegistryRequest(string Repo, string Path, string? Revision = null, string? Remote = null);

public sealed record RegistryResult(string DatasetPath, string Commit, int Files, long Bytes);

/// <summary>
/// `obs get`, `obs import` and `obs update`: read a pointer from a registry's git history (no checkout), then take its
/// objects from the registry's own cache when it is a local work tree, else from the registry's configured remote.
/// Every object is verified by hash on the way in.
/// </summary>
public static class RegistryOperations
{
    private sealed record Source(IVersionControl Registry, TrackedDataset Dataset, string Commit, IReadOnlyList<IRemoteStore> Stores) : IDisposable
    {
        public void Dispose()
        {
            foreach (var s in Stores) s.Dispose();
            Registry.Dispose();
        }
    }

    /// <summary>Downloads a registry dataset into <paramref name="output"/> (a new folder; written whole, then renamed into place).</summary>
    public static async Task<RegistryResult> GetAsync(ObsEnvironment env, RegistryRequest request, string output, IOperationProgress progress, CancellationToken ct)
    {
        var target = System.IO.Path.GetFullPath(output);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any()) throw new UsageException($"'{output}' already exists and is not empty");
        if (File.Exists(target)) throw new UsageException($"'{output}' is a file");
        var parent = System.IO.Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var scratch = System.IO.Path.Combine(parent, $".obs-get-{Guid.NewGuid():N}");
        try
        {
            var cache = new ObjectCache(System.IO.Path.Combine(scratch, "objects"), System.IO.Path.Combine(scratch, "tmp"));
            using var source = Open(env, request);
            var tree = await FetchAsync(source, cache, progress, env.Time, ct);
            var staging = System.IO.Path.Combine(scratch, "out");
            foreach (var e in tree.Entries)
            {
                var dest = RepoPath.Combine(staging, e.Path, $"tree of {request.Path}");
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(dest)!);
                File.Copy(cache.PathOf(e.Hash), dest);
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dest, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }
            Directory.CreateDirectory(staging);
            if (Directory.Exists(target)) Directory.Delete(target);
            Directory.Move(staging, target);
            return new RegistryResult(source.Dataset.DatasetPath, source.Commit, tree.Entries.Count, tree.TotalBytes);
        }
        finally
        {
            TryDeleteTree(scratch);
        }
    }

    /// <summary>Imports a registry dataset into this workspace: objects into the cache, a pointer recording the source, checkout.</summary>
    public static async Task<RegistryResult> ImportAsync(ObsRepository repo, RegistryRequest request, string? output, CancellationToken ct)
    {
        using var source = Open(repo.Environment, request);
        var name = source.Dataset.Name;
        var datasetFull = repo.ResolveUserPath(output ?? name);
        var datasetPath = repo.RelativeToRoot(datasetFull);
        if (datasetPath.Length == 0) throw new UsageException("cannot import into the workspace root; name a folder with -o");
        var pointerPath = ObsRepository.PointerPathFor(datasetPath);
        var existing = File.Exists(repo.FullPath(pointerPath)) ? PointerFile.Parse(File.ReadAllText(repo.FullPath(pointerPath)), pointerPath) : null;
        if (existing is { Source: null }) throw new UsageException($"'{datasetPath}' is already tracked locally (not imported); choose another folder with -o");
        if (existing is null && Directory.Exists(datasetFull) && Directory.EnumerateFileSystemEntries(datasetFull).Any())
            throw new UsageException($"'{datasetPath}' already exists and is not empty; choose another folder with -o");

        var tree = await FetchAsync(source, repo.Cache, repo.Progress, repo.Time, ct);
        var leaf = datasetPath.Contains('/') ? datasetPath[(datasetPath.LastIndexOf('/') + 1)..] : datasetPath;
        var pointer = source.Dataset.Pointer with
        {
            Path = leaf,
            Source = new PointerSource(PortableRepo(repo, request.Repo), source.Dataset.DatasetPath, request.Revision ?? "HEAD", source.Commit),
        };
        await AtomicFile.WriteAllTextAsync(repo.FullPath(pointerPath), pointer.Serialize(), repo.TempDir, ct);
        await DatasetGitignore.EnsureAsync(repo, datasetPath, ct);
        await CheckoutOperation.RunAsync(repo, [datasetFull], new CheckoutOptions(), ct);
        return new RegistryResult(datasetPath, source.Commit, tree.Entries.Count, tree.TotalBytes);
    }

    /// <summary>Moves imported datasets to the newest commit of their recorded revision (or to <paramref name="newRevision"/>).</summary>
    public static async Task<IReadOnlyList<(string DatasetPath, string? From, string To)>> UpdateAsync(ObsRepository repo, IReadOnlyList<string> userPaths, string? newRevision, CancellationToken ct)
    {
        var imported = Datasets.Select(repo, Datasets.InWorkspace(repo), userPaths).Select(s => s.Dataset).Where(d => d.Pointer.Source is not null).ToList();
        if (imported.Count == 0) throw new UsageException("no imported dataset selected (only datasets created by 'obs import' can be updated)");
        var result = new List<(string, string?, string)>();
        foreach (var d in imported)
        {
            var src = d.Pointer.Source!;
            var request = new RegistryRequest(ResolveRepo(repo, src.Repo), src.Path, newRevision ?? src.Rev);
            using (var probe = Open(repo.Environment, request))
            {
                if (probe.Commit == src.Commit && newRevision is null) { result.Add((d.DatasetPath, src.Commit, src.Commit)); continue; }
            }
            // Replace the pointer only after the new version's objects are safely in the cache.
            var r = await ImportAsync(repo, request, repo.FullPath(d.DatasetPath), ct);
            result.Add((d.DatasetPath, src.Commit, r.Commit));
        }
        return result;
    }

    /// <summary>A local registry path is recorded relative to the workspace root, so the pointer works in every clone.</summary>
    private static string PortableRepo(ObsRepository repo, string repoArg) =>
        IsUrl(repoArg) ? repoArg : System.IO.Path.GetRelativePath(repo.Root, System.IO.Path.GetFullPath(repoArg)).Replace('\\', '/');

    private static string ResolveRepo(ObsRepository repo, string recorded) =>
        IsUrl(recorded) || System.IO.Path.IsPathRooted(recorded) ? recorded : System.IO.Path.GetFullPath(System.IO.Path.Combine(repo.Root, recorded));

    private static bool IsUrl(string s) => s.Contains("://", StringComparison.Ordinal) || (s.Contains('@') && s.Contains(':') && !Directory.Exists(s));

    private static Source Open(ObsEnvironment env, RegistryRequest request)
    {
        var openRegistry = env.OpenRegistry ?? throw new InvalidOperationException("no registry opener configured");
        var factory = env.RemoteFactory ?? throw new InvalidOperationException("no remote factory configured");
        // Version names resolve from the registry's pointers too: a registry cloned without its tags still serves name@vN.
        var registry = new VersionNames(openRegistry(request.Repo));
        try
        {
            var rev = request.Revision ?? "HEAD";
            var commit = registry.TryResolve(rev) ?? throw new UsageException($"revision '{rev}' is not known in {request.Repo}");
            var path = request.Path.Trim('/');
            if (path.EndsWith(PointerFile.Extension, StringComparison.Ordinal)) path = path[..^PointerFile.Extension.Length];
            RepoPath.EnsureSafeRelative(path, "dataset path");
            var pointerPath = path + PointerFile.Extension;
            var text = registry.ReadFile(commit, pointerPath)
                ?? throw new UsageException($"'{path}' is not a dataset tracked in {request.Repo} at {rev} (no {pointerPath})");
            var pointer = PointerFile.Parse(text, $"{pointerPath} in {request.Repo} at {rev}");
            var dataset = new TrackedDataset(pointerPath, ObsRepository.DatasetPathOf(pointerPath, pointer), pointer);

            // The registry's workspace is the nearest folder above the pointer with .obs/config (the git root, or an
            // `obs init --subdir` folder of a monorepo).
            var (workspace, configText) = FindWorkspace(registry, commit, pointerPath);
            var stores = new List<IRemoteStore>();
            var localRoot = Directory.Exists(request.Repo) ? System.IO.Path.GetFullPath(System.IO.Path.Combine(request.Repo, workspace)) : null;
            if (localRoot is not null && Directory.Exists(System.IO.Path.Combine(localRoot, ".obs", "cache", "objects")))
                stores.Add(factory.Open("registry-cache", new RemoteConfig { Url = System.IO.Path.Combine(localRoot, ".obs", "cache") }, localRoot));
            var config = ObsConfig.Parse(configText, $".obs/config in {request.Repo}");
            if (config.Remotes.Count > 0)
            {
                var (name, remote) = RemoteSelection.Resolve(config, request.Remote);
                var url = remote.Url ?? "";
                if (localRoot is null && !url.Contains("://", StringComparison.Ordinal) && !System.IO.Path.IsPathRooted(url))
                    throw new UsageException($"the registry's remote '{name}' is a relative folder ({url}), which only works for a registry on this machine");
                stores.Add(factory.Open(name, remote, localRoot ?? "/", RemoteConfigOrigin.Foreign));
            }
            if (stores.Count == 0) throw new UsageException($"{request.Repo} has neither a local cache nor a remote to take objects from");
            return new Source(registry, dataset, commit, stores);
        }
        catch
        {
            registry.Dispose();
            throw;
        }
    }

    private static (string Workspace, string? ConfigText) FindWorkspace(IVersionControl registry, string commit, string pointerPath)
    {
        var dir = pointerPath.Contains('/') ? pointerPath[..pointerPath.LastIndexOf('/')] : "";
        while (true)
        {
            var text = registry.ReadFile(commit, (dir.Length == 0 ? "" : dir + "/") + ".obs/config");
            if (text is not null || dir.Length == 0) return (dir, text);
            dir = dir.Contains('/') ? dir[..dir.LastIndexOf('/')] : "";
        }
    }

    private static async Task<TreeObject> FetchAsync(Source source, ObjectCache cache, IOperationProgress progress, TimeProvider time, CancellationToken ct)
    {
        var treeHash = source.Dataset.Pointer.Tree;
        if (!cache.Contains(treeHash)) await DownloadAsync(source, cache, treeHash, time, ct);
        var tree = TreeObject.Parse(await cache.ReadAllBytesAsync(treeHash, ct), $"{treeHash.Hex} of {source.Dataset.PointerPath}");
        var missing = tree.Entries.Select(e => e.Hash).Distinct().Where(h => !cache.Contains(h)).ToList();
        var sizes = tree.Entries.GroupBy(e => e.Hash).ToDictionary(g => g.Key, g => g.First().Size);
        progress.Begin($"fetching {missing.Count} file(s) of {source.Dataset.DatasetPath}", missing.Sum(h => sizes[h]), unitsAreBytes: true);
        try
        {
            // Each store in turn (the registry's own cache, then its remote) supplies what the earlier ones could not.
            StoreException? last = null;
            foreach (var store in source.Stores)
            {
                if (missing.All(cache.Contains)) break;
                try
                {
                    var catalog = await RemoteCatalog.LoadAsync(store, listLoose: false, indexCacheDir: null, tempDir: null, time, ct);
                    await RemoteFetcher.FetchAsync(new RemoteFetcher.Request(store, catalog, cache, TransferOptions.DefaultJobs, progress, time), missing, ct);
                }
                catch (StoreException ex)
                {
                    last = ex;
                }
            }
            if (!missing.All(cache.Contains))
                throw last ?? new StoreException($"{missing.Count(h => !cache.Contains(h))} object(s) of {source.Dataset.DatasetPath} are not available from {source.Registry.WorkTreeRoot}");
        }
        finally
        {
            progress.End();
        }
        return tree;
    }

    private static async Task DownloadAsync(Source source, ObjectCache cache, ContentHash hash, TimeProvider time, CancellationToken ct)
    {
        StoreException? last = null;
        foreach (var store in source.Stores)
        {
            try
            {
                await RemoteFetcher.DownloadLooseAsync(store, cache, hash, store.DisplayUrl, time, ct);
                return;
            }
            catch (StoreException ex)
            {
                last = ex;
            }
        }
        throw last ?? new StoreException($"object {hash.Hex} is not available from {source.Registry.WorkTreeRoot}");
    }

    private static void TryDeleteTree(string path)
    {
        try
        {
            if (!Directory.Exists(path)) return;
            foreach (var f in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)) File.SetAttributes(f, FileAttributes.Normal);
            Directory.Delete(path, true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
