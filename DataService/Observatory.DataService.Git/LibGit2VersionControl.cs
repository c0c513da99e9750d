using LibGit2Sharp;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Ports;

namespace Observatory.DataService.Git;

/// <summary>Git through LibGit2Sharp. Its types never leave this class; its exceptions become <see cref="StoreException"/>.</summary>
public sealed class LibGit2VersionControl : IVersionControl
{
    private readonly Repository _repo;

    private LibGit2VersionControl(Repository repo)
    {
        _repo = repo;
        WorkTreeRoot = Path.TrimEndingDirectorySeparator(repo.Info.WorkingDirectory ?? repo.Info.Path);
    }

    public string WorkTreeRoot { get; }

    /// <summary>Opens the repository containing <paramref name="path"/>, or null when there is none (or it is bare).</summary>
    public static LibGit2VersionControl? Discover(string path)
    {
        var gitDir = Repository.Discover(Path.GetFullPath(path));
        if (gitDir is null) return null;
        var repo = new Repository(gitDir);
        if (repo.Info.IsBare) { repo.Dispose(); return null; }
        return new LibGit2VersionControl(repo);
    }

    /// <summary>
    /// Opens a data registry for reading: a local work tree or bare repository in place, or a URL cloned (bare) once into
    /// <paramref name="cacheDirectory"/> and fetched on later calls, so registries are not re-cloned every time.
    /// </summary>
    public static LibGit2VersionControl OpenRegistry(string urlOrPath, string cacheDirectory)
    {
        try
        {
            if (Directory.Exists(urlOrPath))
            {
                var gitDir = Repository.Discover(Path.GetFullPath(urlOrPath))
                    ?? throw new UsageException($"'{urlOrPath}' is not a git repository");
                return new LibGit2VersionControl(new Repository(gitDir), Path.GetFullPath(urlOrPath));
            }
            var key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(urlOrPath)))[..16];
            var clone = Path.Combine(cacheDirectory, key);
            if (Directory.Exists(clone))
            {
                var repo = new Repository(clone);
                var remote = repo.Network.Remotes["origin"];
                Commands.Fetch(repo, "origin", remote.FetchRefSpecs.Select(r => r.Specification).Append("+refs/tags/*:refs/tags/*"), new FetchOptions(), null);
                return new LibGit2VersionControl(repo, urlOrPath);
            }
            Directory.CreateDirectory(cacheDirectory);
            var temp = clone + ".tmp-" + Environment.ProcessId;
            Repository.Clone(urlOrPath, temp, new CloneOptions { IsBare = true });
            Directory.Move(temp, clone);
            return new LibGit2VersionControl(new Repository(clone), urlOrPath);
        }
        catch (LibGit2SharpException ex)
        {
            throw new StoreException($"could not open the registry '{urlOrPath}': {ex.Message}", ex);
        }
    }

    private LibGit2VersionControl(Repository repo, string root)
    {
        _repo = repo;
        WorkTreeRoot = root;
    }

    public string? TryResolve(string revision) => Peel(revision)?.Sha;

    public string? ReadFile(string revision, string path)
    {
        var commit = Peel(revision) ?? throw new UsageException($"revision '{revision}' is not known to git");
        return commit[path]?.Target is Blob blob ? blob.GetContentText() : null;
    }

    public long? FileSize(string revision, string path)
    {
        var commit = Peel(revision) ?? throw new UsageException($"revision '{revision}' is not known to git");
        return commit[path] is { TargetType: TreeEntryTargetType.Blob } entry ? _repo.ObjectDatabase.RetrieveObjectMetadata(entry.Target.Id).Size : null;
    }

    public IReadOnlyList<string> ListFiles(string revision, string suffix)
    {
        var commit = Peel(revision) ?? throw new UsageException($"revision '{revision}' is not known to git");
        var result = new List<string>();
        Walk(commit.Tree, "", suffix, result);
        return result;
    }

    private static void Walk(Tree tree, string prefix, string suffix, List<string> result)
    {
        foreach (var entry in tree)
        {
            var path = prefix + entry.Name;
            if (entry.TargetType == TreeEntryTargetType.Tree) Walk((Tree)entry.Target, path + "/", suffix, result);
            else if (entry.TargetType == TreeEntryTargetType.Blob && path.EndsWith(suffix, StringComparison.Ordinal)) result.Add(path);
        }
    }

    public IReadOnlyList<CommitInfo> History(string path)
    {
        if (_repo.Head?.Tip is null) return [];
        var tags = TagsByCommit();
        var result = new List<CommitInfo>();
        // Walk first-parent history and keep commits where the file's blob differs from the parent's: cheap and exact for pointers.
        var filter = new CommitFilter { SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Time, FirstParentOnly = true };
        foreach (var commit in _repo.Commits.QueryBy(filter))
        {
            var mine = commit[path]?.Target.Sha;
            var parent = commit.Parents.FirstOrDefault()?[path]?.Target.Sha;
            if (mine == parent) continue;
            result.Add(ToInfo(commit, tags));
        }
        return result;
    }

    public IReadOnlyDictionary<string, string> Tags()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in _repo.Tags)
            if (tag.PeeledTarget is Commit c) result[tag.FriendlyName] = c.Sha;
        return result;
    }

    public IReadOnlyList<string> AllCommits()
    {
        var filter = new CommitFilter { IncludeReachableFrom = _repo.Refs.Select(r => r.ResolveToDirectReference()?.Target).OfType<GitObject>().ToList() };
        return _repo.Commits.QueryBy(filter).Select(c => c.Sha).ToList();
    }

    public IReadOnlyList<GitRef> Refs()
    {
        var result = new List<GitRef>();
        foreach (var r in _repo.Refs)
        {
            var name = r.CanonicalName;
            var kind = name.StartsWith("refs/heads/", StringComparison.Ordinal) ? "branch"
                : name.StartsWith("refs/remotes/", StringComparison.Ordinal) ? "remote-tracking branch"
                : name.StartsWith("refs/tags/", StringComparison.Ordinal) ? "tag"
                : null;
            if (kind is null || r.ResolveToDirectReference()?.Target is not { } target || Peeled(target) is not { } commit) continue;
            result.Add(new GitRef(name, kind, commit.Sha));
        }
        // Every stash entry, not only the newest (the others live in refs/stash's reflog): a stash holds pointers too.
        var i = 0;
        foreach (var stash in _repo.Stashes) result.Add(new GitRef($"stash@{{{i++}}}", "stash", stash.WorkTree.Sha));
        return result;
    }

    public IReadOnlyList<string> FetchAll()
    {
        var fetched = new List<string>();
        foreach (var remote in _repo.Network.Remotes)
        {
            try
            {
                Commands.Fetch(_repo, remote.Name, remote.FetchRefSpecs.Select(r => r.Specification), new FetchOptions { TagFetchMode = TagFetchMode.All }, null);
            }
            catch (LibGit2SharpException ex)
            {
                // The remote's URL is not echoed: it may carry credentials.
                throw new StoreException($"git fetch from remote '{remote.Name}' failed: {ex.Message}", ex);
            }
            fetched.Add(remote.Name);
        }
        return fetched;
    }

    public string? Head() => _repo.Head.Tip?.Sha;

    public void Stage(IEnumerable<string> paths)
    {
        var list = paths.ToList();
        if (list.Count == 0) return;
        Wrap(() => Commands.Stage(_repo, list), "stage files");
    }

    public bool HasStagedChanges()
    {
        var tip = _repo.Head.Tip;
        using var changes = _repo.Diff.Compare<TreeChanges>(tip?.Tree, DiffTargets.Index);
        return changes.Count > 0;
    }

    public string Commit(string message)
    {
        var sig = Signature();
        return Wrap(() => _repo.Commit(message, sig, sig).Sha, "commit");
    }

    public void Tag(string name, string commitSha, string message)
    {
        Wrap(() => _repo.ApplyTag(name, commitSha, Signature(), message), $"create tag '{name}'");
    }

    /// <summary>The commit a ref's target leads to, or null (a tag on a tree or blob).</summary>
    private static Commit? Peeled(GitObject target)
    {
        try { return target.Peel<Commit>(); }
        catch (Exception ex) when (ex is LibGit2SharpException or InvalidOperationException or ArgumentException) { return null; }
    }

    private Commit? Peel(string revision)
    {
        try
        {
            return _repo.Lookup(revision)?.Peel<Commit>();
        }
        catch (Exception ex) when (ex is LibGit2SharpException or ArgumentException)
        {
            return null;
        }
    }

    private Dictionary<string, List<string>> TagsByCommit()
    {
        var map = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, sha) in Tags())
        {
            if (!map.TryGetValue(sha, out var list)) map[sha] = list = [];
            list.Add(name);
        }
        return map;
    }

    private static CommitInfo ToInfo(Commit c, Dictionary<string, List<string>> tags) =>
        new(c.Sha, c.Author.When, c.Message, c.Author.Name, tags.TryGetValue(c.Sha, out var t) ? t.Order(StringComparer.Ordinal).ToList() : []);

    /// <summary>The configured user, else GIT_AUTHOR_* variables, else a fixed identity, so commits work on fresh CI machines.</summary>
    private Signature Signature()
    {
        var name = Environment.GetEnvironmentVariable("GIT_AUTHOR_NAME");
        var email = Environment.GetEnvironmentVariable("GIT_AUTHOR_EMAIL");
        name ??= _repo.Config.Get<string>("user.name")?.Value;
        email ??= _repo.Config.Get<string>("user.email")?.Value;
        return new Signature(string.IsNullOrWhiteSpace(name) ? "obs" : name, string.IsNullOrWhiteSpace(email) ? "obs@localhost" : email, DateTimeOffset.Now);
    }

    private static T Wrap<T>(Func<T> action, string what)
    {
        try { return action(); }
        catch (LibGit2SharpException ex) { throw new StoreException($"git could not {what}: {ex.Message}", ex); }
    }

    private static void Wrap(Action action, string what) => Wrap(() => { action(); return 0; }, what);

    public void Dispose() => _repo.Dispose();
}
