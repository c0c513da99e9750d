using Observatory.DataService.Core.Errors;

namespace Observatory.DataService.Core.Objects;

/// <summary>Checks and joins the relative paths that trees and pointers name, so nothing ever resolves outside its root.</summary>
public static class RepoPath
{
    /// <summary>True when <paramref name="path"/> is a clean relative path: '/' separators, no empty, '.' or '..' segment, no NUL or backslash.</summary>
    public static bool IsSafeRelative(string path)
    {
        if (string.IsNullOrEmpty(path) || path.Length > 4096) return false;
        if (path[0] == '/' || path.Contains('\\') || path.Contains('\0')) return false;
        if (path.Length >= 2 && path[1] == ':') return false; // drive-letter paths from other systems
        foreach (var segment in path.Split('/'))
            if (segment.Length == 0 || segment == "." || segment == "..") return false;
        return true;
    }

    /// <summary>Throws when the relative path is unsafe; <paramref name="what"/> says where it came from.</summary>
    public static void EnsureSafeRelative(string path, string what)
    {
        if (!IsSafeRelative(path))
            throw new DataCheckException($"{what} names an unsafe path '{Printable(path)}' (absolute, '..', empty segment or backslash); refused");
    }

    /// <summary>
    /// True when a segment of <paramref name="path"/> is <c>.git</c>: git's own files are never dataset content, and a tree or
    /// pointer naming them would let a checkout overwrite or delete the repository itself. Compared the way git does on
    /// case-insensitive file systems (any case, trailing dots and spaces ignored), so <c>.GIT</c> or <c>.git.</c> is caught too.
    /// </summary>
    public static bool NamesGitFolder(string path)
    {
        // Split by spans: status asks this of every file, and a string per segment per file was most of its garbage.
        foreach (var range in path.AsSpan().Split('/'))
            if (path.AsSpan(range).TrimEnd(". ").Equals(".git", StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>
    /// Refuses a repo-relative dataset path that lies in <c>.git</c> (anywhere) or in the workspace's own <c>.obs</c> folder:
    /// obs never writes there, whatever a committed pointer says.
    /// </summary>
    public static void EnsureNotReserved(string repoRelative, string what)
    {
        var first = repoRelative.Split('/')[0].TrimEnd('.', ' ');
        if (NamesGitFolder(repoRelative))
            throw new DataCheckException($"{what} names '{Printable(repoRelative)}', inside a .git folder; obs never writes there; refused");
        if (first.Equals(".obs", StringComparison.OrdinalIgnoreCase))
            throw new DataCheckException($"{what} names '{Printable(repoRelative)}', inside the workspace's .obs folder; obs never tracks it; refused");
    }

    /// <summary>Joins a checked relative path under a root and proves the result stays inside it.</summary>
    public static string Combine(string root, string relative, string what)
    {
        EnsureSafeRelative(relative, what);
        var full = Path.GetFullPath(Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar)));
        if (!IsUnder(full, root))
            throw new DataCheckException($"{what} path '{Printable(relative)}' escapes '{root}'; refused");
        return full;
    }

    public static bool IsUnder(string fullPath, string root)
    {
        var r = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var p = Path.GetFullPath(fullPath);
        return p == r || p.StartsWith(r + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>Repo-relative form of a full path with '/' separators ("" for the root itself).</summary>
    public static string Relative(string root, string fullPath)
    {
        var rel = Path.GetRelativePath(root, fullPath);
        return rel == "." ? "" : rel.Replace(Path.DirectorySeparatorChar, '/');
    }

    /// <summary>
    /// Refuses when any existing component between <paramref name="root"/> and <paramref name="fullPath"/> is a symbolic link
    /// that resolves outside the root, so writes cannot be redirected out of the workspace.
    /// </summary>
    public static void EnsureNoSymlinkEscape(string root, string fullPath, string what)
    {
        var rootFull = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var current = Path.GetFullPath(fullPath);
        var chain = new Stack<string>();
        while (current.Length > rootFull.Length && IsUnder(current, rootFull))
        {
            chain.Push(current);
            current = Path.GetDirectoryName(current)!;
        }
        foreach (var part in chain)
        {
            FileSystemInfo info = Directory.Exists(part) ? new DirectoryInfo(part) : new FileInfo(part);
            if (!info.Exists || info.LinkTarget is null) continue;
            var target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            if (target is null || !IsUnder(target, rootFull))
                throw new DataCheckException($"{what}: '{Relative(rootFull, part)}' is a symbolic link that leads outside the workspace; refused");
        }
    }

    private static string Printable(string s) => s.Replace("\0", "\\0");
}
