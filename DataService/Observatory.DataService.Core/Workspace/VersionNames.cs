using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Pointers;
using Observatory.DataService.Core.Ports;

namespace Observatory.DataService.Core.Workspace;

/// <summary>
/// The git port with dataset version names: <c>name@vN</c> resolves to the commit that made version N of the dataset
/// <c>name</c>, read from the version number its pointer records, so the name works in a clone that has no tags (git does not
/// fetch tags that are not on a pushed branch, and many hosts drop them). A tag of that name, when present, wins — but it must
/// agree with the pointer: a tag that names a commit whose pointer records another version is refused rather than followed.
/// </summary>
internal sealed partial class VersionNames(IVersionControl inner) : IVersionControl
{
    private readonly ConcurrentDictionary<string, string?> _found = new(StringComparer.Ordinal);

    public string WorkTreeRoot => inner.WorkTreeRoot;

    /// <summary>The revision git should see: a version name becomes its commit sha; anything else is passed through.</summary>
    private string Map(string revision)
    {
        var m = VersionName().Match(revision);
        if (!m.Success) return revision;
        return _found.GetOrAdd(revision, _ => Find(revision, m.Groups[1].Value, int.Parse(m.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture)))
            ?? revision;
    }

    private string? Find(string revision, string name, int version)
    {
        var pointers = inner.Head() is null ? [] : inner.ListFiles("HEAD", PointerFile.Extension)
            .Where(p => Path.GetFileName(p) == name + PointerFile.Extension).ToList();
        if (inner.TryResolve(revision) is { } tagged)
        {
            foreach (var path in pointers)
            {
                if (inner.ReadFile(tagged, path) is not { } text) continue;
                if (PointerFile.Parse(text, $"{path} at {revision}").Version is { } recorded && recorded != version)
                    throw new DataCheckException($"tag '{revision}' names a commit whose {path} records version {recorded}, not {version}; fix or delete the tag");
            }
            return tagged;
        }
        string? oldest = null;
        foreach (var path in pointers)
        {
            foreach (var commit in inner.History(path))
            {
                if (inner.ReadFile(commit.Sha, path) is not { } text) continue;
                if (PointerFile.Parse(text, $"{path} at {commit.Sha[..12]}").Version == version) oldest = commit.Sha;
                else if (oldest is not null) return oldest; // History is newest first: the version began at the last match.
            }
            if (oldest is not null) return oldest;
        }
        return null;
    }

    [GeneratedRegex(@"^([A-Za-z0-9][A-Za-z0-9._-]*)@v([0-9]{1,9})$")]
    private static partial Regex VersionName();

    public string? TryResolve(string revision) => inner.TryResolve(Map(revision));

    public string? ReadFile(string revision, string path) => inner.ReadFile(Map(revision), path);

    public long? FileSize(string revision, string path) => inner.FileSize(Map(revision), path);

    public IReadOnlyList<string> ListFiles(string revision, string suffix) => inner.ListFiles(Map(revision), suffix);

    public IReadOnlyList<CommitInfo> History(string path) => inner.History(path);

    public IReadOnlyDictionary<string, string> Tags() => inner.Tags();

    public IReadOnlyList<string> AllCommits() => inner.AllCommits();

    public IReadOnlyList<GitRef> Refs() => inner.Refs();

    public IReadOnlyList<string> FetchAll() => inner.FetchAll();

    public string? Head() => inner.Head();

    public void Stage(IEnumerable<string> paths) => inner.Stage(paths);

    public bool HasStagedChanges() => inner.HasStagedChanges();

    public string Commit(string message) => inner.Commit(message);

    public void Tag(string name, string commitSha, string message)
    {
        inner.Tag(name, commitSha, message);
        _found.TryRemove(name, out _);
    }

    public void Dispose() => inner.Dispose();
}
