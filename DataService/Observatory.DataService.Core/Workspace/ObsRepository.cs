using Observatory.DataService.Core.Config;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Pointers;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Store;

namespace Observatory.DataService.Core.Workspace;

/// <summary>The adapters an `obs` workspace is composed from; the host (CLI, API) fills them in once.</summary>
public sealed record ObsEnvironment(
    Func<string, IVersionControl?> DiscoverGit,
    Func<string, IStatCache> OpenStatCache,
    TimeProvider Time)
{
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public IOperationProgress Progress { get; init; } = NullProgress.Instance;
    public int? Jobs { get; init; }
    /// <summary>Opens another repository (local path or URL) read-only, for `get`/`import`.</summary>
    public Func<string, IVersionControl>? OpenRegistry { get; init; }
    /// <summary>Opens remotes named by a configuration (the registry's, for `get`/`import`).</summary>
    public IRemoteStoreFactory? RemoteFactory { get; init; }
}

/// <summary>
/// An `obs` workspace: a git work tree with a <c>.obs/</c> folder (config, cache, state). Everything an operation touches goes
/// through here, so paths are checked against the work tree in one place.
/// </summary>
public sealed class ObsRepository : IDisposable
{
    public const string ObsDirName = ".obs";

    private IStatCache? _state;

    public string Root { get; }
    public string ObsDir { get; }
    public IVersionControl Git { get; }
    public ObjectCache Cache { get; }
    public ObsEnvironment Environment { get; }
    public ObsConfig Config { get; private set; }
    public ObsConfig SharedConfig { get; private set; }
    public ObsConfig LocalConfig { get; private set; }
    public TimeProvider Time => Environment.Time;
    public IOperationProgress Progress => Environment.Progress;
    public string TempDir => Path.Combine(ObsDir, "tmp");
    public string ConfigPath => Path.Combine(ObsDir, "config");
    public string LocalConfigPath => Path.Combine(ObsDir, "config.local");
    /// <summary>Pack indexes already read from remotes (immutable: named by their own hash), so listing a remote stays one request.</summary>
    public string PackIndexDir => Path.Combine(ObsDir, "cache", "pack-indexes");

    /// <summary>Parallelism for hashing and transfers: config `core.jobs`, else the environment, else 2 × cores.</summary>
    public int Jobs => Environment.Jobs ?? Config.Core.Jobs ?? Math.Max(2, System.Environment.ProcessorCount * 2);

    public IStatCache State => _state ??= Environment.OpenStatCache(Path.Combine(ObsDir, "state.db"));

    private ObsRepository(string root, IVersionControl git, ObsEnvironment env)
    {
        Root = root;
        ObsDir = Path.Combine(root, ObsDirName);
        Git = git;
        Environment = env;
        Cache = new ObjectCache(Path.Combine(ObsDir, "cache", "objects"), Path.Combine(ObsDir, "tmp"));
        (SharedConfig, LocalConfig, Config) = LoadConfig();
    }

    /// <summary>
    /// Opens the workspace containing <paramref name="startDirectory"/>: the nearest folder at or above it (within the git work
    /// tree) that holds <c>.obs/</c> — the git root, or a sub-folder made with <c>obs init --subdir</c>. Fails clearly outside git
    /// or before `obs init`; with <paramref name="subdirRoot"/> the start folder itself becomes the workspace root.
    /// </summary>
    public static ObsRepository Open(string startDirectory, ObsEnvironment env, bool requireInit = true, bool subdirRoot = false)
    {
        var git = env.DiscoverGit(startDirectory)
            ?? throw new UsageException($"'{startDirectory}' is not inside a git work tree; run 'git init' first");
        var gitRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(git.WorkTreeRoot));
        var root = subdirRoot ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(startDirectory)) : FindWorkspaceRoot(startDirectory, gitRoot) ?? gitRoot;
        if (requireInit && !Directory.Exists(Path.Combine(root, ObsDirName)))
        {
            git.Dispose();
            throw new UsageException($"'{root}' has no {ObsDirName}/ folder; run 'obs init' first");
        }
        IVersionControl vcs = root == gitRoot ? git : new SubdirVersionControl(git, RepoPath.Relative(gitRoot, root) + "/", root);
        return new ObsRepository(root, new VersionNames(vcs), env);
    }

    private static string? FindWorkspaceRoot(string startDirectory, string gitRoot)
    {
        var dir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(startDirectory));
        while (RepoPath.IsUnder(dir, gitRoot))
        {
            if (File.Exists(Path.Combine(dir, ObsDirName, "config"))) return dir;
            if (dir == gitRoot) break;
            dir = Path.GetDirectoryName(dir)!;
        }
        return null;
    }

    public Task<WorkspaceLock> LockAsync(CancellationToken ct) =>
        WorkspaceLock.AcquireAsync(Path.Combine(ObsDir, "lock"), Environment.LockTimeout, Time, ct);

    /// <summary>Takes the write lock and removes what an interrupted command left in the scratch folder.</summary>
    public async Task<WorkspaceLock> LockForWriteAsync(CancellationToken ct)
    {
        var l = await LockAsync(ct);
        Cache.CleanTemp();
        return l;
    }

    public void ReloadConfig() => (SharedConfig, LocalConfig, Config) = LoadConfig();

    private (ObsConfig Shared, ObsConfig Local, ObsConfig Merged) LoadConfig()
    {
        var shared = ObsConfig.Parse(File.Exists(ConfigPath) ? File.ReadAllText(ConfigPath) : null, ".obs/config");
        var local = ObsConfig.Parse(File.Exists(LocalConfigPath) ? File.ReadAllText(LocalConfigPath) : null, ".obs/config.local");
        return (shared, local, ObsConfig.Merge(shared, local));
    }

    /// <summary>Full path of a user-given path (relative to the current directory), refused when outside the work tree.</summary>
    public string ResolveUserPath(string userPath)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(userPath));
        if (!RepoPath.IsUnder(full, Root))
            throw new UsageException($"'{userPath}' is outside the workspace '{Root}'");
        if (full == Root) return full;
        var rel = RepoPath.Relative(Root, full);
        if (rel == ".git" || rel.StartsWith(".git/", StringComparison.Ordinal) || rel == ObsDirName || rel.StartsWith(ObsDirName + "/", StringComparison.Ordinal))
            throw new UsageException($"'{userPath}' is inside {(rel.StartsWith(".git", StringComparison.Ordinal) ? ".git" : ObsDirName)}; obs does not track it");
        return full;
    }

    public string RelativeToRoot(string fullPath) => RepoPath.Relative(Root, fullPath);

    /// <summary>Repo-relative path of the pointer that tracks the dataset at repo-relative <paramref name="datasetPath"/>.</summary>
    public static string PointerPathFor(string datasetPath) => datasetPath + PointerFile.Extension;

    /// <summary>Repo-relative dataset path that a pointer (at repo-relative <paramref name="pointerPath"/>) names.</summary>
    public static string DatasetPathOf(string pointerPath, PointerFile pointer)
    {
        var folder = pointerPath.Contains('/') ? pointerPath[..pointerPath.LastIndexOf('/')] : "";
        var path = folder.Length == 0 ? pointer.Path : folder + "/" + pointer.Path;
        RepoPath.EnsureSafeRelative(path, $"pointer {pointerPath}");
        RepoPath.EnsureNotReserved(path, $"pointer {pointerPath}");
        return path;
    }

    public string FullPath(string repoRelative) => RepoPath.Combine(Root, repoRelative, "workspace");

    public void Dispose()
    {
        _state?.Dispose();
        Git.Dispose();
    }
}
