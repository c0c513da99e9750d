using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Operations;

/// <summary>A file that changed between two trees.</summary>
public sealed record FileChange(string Path, TreeEntry? Old, TreeEntry? New);

/// <summary>Added, deleted and modified files between two trees (by ordinal path merge, O(n)).</summary>
public sealed record TreeChanges(IReadOnlyList<FileChange> Added, IReadOnlyList<FileChange> Deleted, IReadOnlyList<FileChange> Modified)
{
    public bool IsEmpty => Added.Count == 0 && Deleted.Count == 0 && Modified.Count == 0;

    /// <param name="prefix">Prepended to every path (e.g. the dataset path and '/'), so results are repo-relative.</param>
    public static TreeChanges Compare(IReadOnlyList<TreeEntry>? from, IReadOnlyList<TreeEntry>? to, string prefix = "")
    {
        from ??= [];
        to ??= [];
        var added = new List<FileChange>();
        var deleted = new List<FileChange>();
        var modified = new List<FileChange>();
        int i = 0, j = 0;
        while (i < from.Count || j < to.Count)
        {
            var c = i >= from.Count ? 1 : j >= to.Count ? -1 : string.CompareOrdinal(from[i].Path, to[j].Path);
            if (c < 0) { deleted.Add(new FileChange(prefix + from[i].Path, from[i], null)); i++; }
            else if (c > 0) { added.Add(new FileChange(prefix + to[j].Path, null, to[j])); j++; }
            else
            {
                if (from[i].Hash != to[j].Hash) modified.Add(new FileChange(prefix + to[j].Path, from[i], to[j]));
                i++; j++;
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
