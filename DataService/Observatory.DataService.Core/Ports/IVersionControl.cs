namespace Observatory.DataService.Core.Ports;

/// <summary>A commit as the data half sees it.</summary>
public sealed record CommitInfo(string Sha, DateTimeOffset Date, string Message, string Author, IReadOnlyList<string> Tags);

/// <summary>A ref that can hold a version: <see cref="Kind"/> is "branch", "remote-tracking branch", "tag" or "stash".</summary>
public sealed record GitRef(string Name, string Kind, string Sha);

/// <summary>The git work tree the store lives in. Implemented over LibGit2Sharp; paths are repo-relative with '/' separators.</summary>
public interface IVersionControl : IDisposable
{
    /// <summary>Absolute path of the work tree root.</summary>
    string WorkTreeRoot { get; }

    /// <summary>Commit sha of a revision (sha, tag, branch, HEAD~2…); null when it does not resolve.</summary>
    string? TryResolve(string revision);

    /// <summary>Content of a file at a revision, or null when the file does not exist there. Throws when the revision is unknown.</summary>
    string? ReadFile(string revision, string path);

    /// <summary>Size in bytes of a file at a revision without reading its content (to refuse large ones), or null when absent.</summary>
    long? FileSize(string revision, string path);

    /// <summary>Paths of the files at a revision whose name ends with <paramref name="suffix"/>.</summary>
    IReadOnlyList<string> ListFiles(string revision, string suffix);

    /// <summary>Commits (newest first) that changed <paramref name="path"/>, following first parents from HEAD.</summary>
    IReadOnlyList<CommitInfo> History(string path);

    /// <summary>Every tag name with the commit it points to.</summary>
    IReadOnlyDictionary<string, string> Tags();

    /// <summary>Shas of every commit reachable from any branch or tag.</summary>
    IReadOnlyList<string> AllCommits();

    /// <summary>Branches, remote-tracking branches, tags and every stash entry, each with the commit it names.</summary>
    IReadOnlyList<GitRef> Refs();

    /// <summary>Fetches branches and tags from every configured git remote; returns their names. Throws naming the remote that failed.</summary>
    IReadOnlyList<string> FetchAll();

    /// <summary>Sha of HEAD, or null in a repository with no commit yet.</summary>
    string? Head();

    void Stage(IEnumerable<string> paths);

    /// <summary>True when the index differs from HEAD.</summary>
    bool HasStagedChanges();

    /// <summary>Creates a commit of the index; returns its sha.</summary>
    string Commit(string message);

    /// <summary>Creates an annotated tag on a commit; fails if the tag exists.</summary>
    void Tag(string name, string commitSha, string message);
}
