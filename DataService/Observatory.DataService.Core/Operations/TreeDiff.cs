using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Operations;

/// <summary>A file that changed between two trees.</summary>
public sealed record FileChange(string Path, TreeEntry? Old, TreeEntry? New);

/// <summary>Added, deleted and modified files between two trees (by ordinal path merge, O(n)).</summary>
public sealed record TreeChanges(IReadOnlyList<FileChange> Added, IReadOnlyList<FileChange> Deleted, IReadOnlyList<FileChange> Modified)
{
    public bool IsEmpty => Added.Count == 0 && Deleted.Count == 0 && Modified.Count == 0;

    /// <param name="prefix">Prepended to every path (e.g. the dataset path and '/'), so results are repo-relative.</param>
    public static TreeChanges Compare(IReadOnlyList<TreeEntry>? from, IReadOnlyList<TreeEntry>? to, string prefix = "") =>
        Compare((IEnumerable<TreeEntry>?)from, to, prefix);

    /// <summary>
    /// The same over entries read one at a time (a stored tree streamed from the cache), each side sorted by ordinal path;
    /// only the changes are kept.
    /// </summary>
    public static TreeChanges Compare(IEnumerable<TreeEntry>? from, IEnumerable<TreeEntry>? to, string prefix = "")
    {
        var added = new List<FileChange>();
        var deleted = new List<FileChange>();
        var modified = new List<FileChange>();
        using var a = (from ?? []).GetEnumerator();
        using var b = (to ?? []).GetEnumerator();
        bool hasA = a.MoveNext(), hasB = b.MoveNext();
        while (hasA || hasB)
        {
            var c = !hasA ? 1 : !hasB ? -1 : string.CompareOrdinal(a.Current.Path, b.Current.Path);
            if (c < 0) { deleted.Add(new FileChange(prefix + a.Current.Path, a.Current, null)); hasA = a.MoveNext(); }
            else if (c > 0) { added.Add(new FileChange(prefix + b.Current.Path, null, b.Current)); hasB = b.MoveNext(); }
            else
            {
                if (a.Current.Hash != b.Current.Hash) modified.Add(new FileChange(prefix + b.Current.Path, a.Current, b.Current));
                hasA = a.MoveNext();
                hasB = b.MoveNext();
            }
        }
        return new TreeChanges(added, deleted, modified);
    }

    public static TreeChanges Concat(IEnumerable<TreeChanges> parts)
    {
        var list = parts.ToList();
        return new TreeChanges(list.SelectMany(p => p.Added).ToList(), list.SelectMany(p => p.Deleted).ToList(), list.SelectMany(p => p.Modified).ToList());
    }
}
