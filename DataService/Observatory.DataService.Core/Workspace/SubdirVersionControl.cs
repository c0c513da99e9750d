using Observatory.DataService.Core.Ports;

namespace Observatory.DataService.Core.Workspace;

/// <summary>
/// The git port seen from an obs workspace that lives in a sub-folder of the work tree (`obs init --subdir`, as DVC's
/// monorepo mode): paths given and returned are relative to the workspace; git sees them under <see cref="Prefix"/>.
/// </summary>
internal sealed class SubdirVersionControl(IVersionControl inner, string prefix, string root) : IVersionControl
{
    /// <summary>The workspace folder relative to the git root, '/'-terminated.</summary>
    public string Prefix { get; } = prefix;

    public string WorkTreeRoot { get; } = root;

    public string? TryResolve(string revision) => inner.TryResolve(revision);

    public string? ReadFile(string revision, string path) => inner.ReadFile(revision, Prefix + path);

    public long? FileSize(string revision, string path) => inner.FileSize(revision, Prefix + path);

    public IReadOnlyList<string> ListFiles(string revision, string suffix) =>
        inner.ListFiles(revision, suffix).Where(p => p.StartsWith(Prefix, StringComparison.Ordinal)).Select(p => p[Prefix.Length..]).ToList();

    public IReadOnlyList<CommitInfo> History(string path) => inner.History(Prefix + path);

    public IReadOnlyDictionary<string, string> Tags() => inner.Tags();

    public IReadOnlyList<string> AllCommits() => inner.AllCommits();

    public IReadOnlyList<GitRef> Refs() => inner.Refs();

    public IReadOnlyList<string> FetchAll() => inner.FetchAll();

    public string? Head() => inner.Head();

    public void Stage(IEnumerable<string> paths) => inner.Stage(paths.Select(p => Prefix + p));

    public bool HasStagedChanges() => inner.HasStagedChanges();

    public string Commit(string message) => inner.Commit(message);

    public void Tag(string name, string commitSha, string message) => inner.Tag(name, commitSha, message);

    public void Dispose() => inner.Dispose();
}
