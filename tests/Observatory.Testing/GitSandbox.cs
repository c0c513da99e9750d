using LibGit2Sharp;

namespace Observatory.Testing;

/// <summary>A real git repository in a temp folder, with a committer configured in its own config.</summary>
public sealed class GitSandbox : IDisposable
{
    private readonly TempDirectory _dir;

    public string Root { get; }

    public GitSandbox(string? name = null)
    {
        _dir = new TempDirectory(name ?? "repo");
        Root = _dir.Path;
        Repository.Init(Root);
        using var repo = new Repository(Root);
        repo.Config.Set("user.name", "Test User", ConfigurationLevel.Local);
        repo.Config.Set("user.email", "test@example.com", ConfigurationLevel.Local);
    }

    public string PathOf(string relative) => System.IO.Path.Combine(Root, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));

    public void WriteFile(string relative, string content)
    {
        var full = PathOf(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    public void WriteFile(string relative, byte[] content)
    {
        var full = PathOf(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
    }

    /// <summary>Files under a folder with their SHA-256, relative paths with '/' — for byte-identical comparisons.</summary>
    public IReadOnlyDictionary<string, string> Snapshot(string relativeFolder) => TreeSnapshot.Of(PathOf(relativeFolder));

    public IReadOnlyList<string> Tags()
    {
        using var repo = new Repository(Root);
        return repo.Tags.Select(t => t.FriendlyName).OrderBy(t => t, StringComparer.Ordinal).ToList();
    }

    public string? HeadFile(string path)
    {
        using var repo = new Repository(Root);
        return (repo.Head.Tip?[path]?.Target as Blob)?.GetContentText();
    }

    public void Dispose() => _dir.Dispose();
}

public static class TreeSnapshot
{
    public static IReadOnlyDictionary<string, string> Of(string folder)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(folder)) return result;
        foreach (var f in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            result[System.IO.Path.GetRelativePath(folder, f).Replace('\\', '/')] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)));
        return result;
    }
}
