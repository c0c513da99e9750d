using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Metrics;
using Observatory.DataService.Core.Pointers;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Operations;

/// <summary>The metrics files of one side: repo-relative path → flattened metrics; <see cref="Label"/> names the side in output.</summary>
public sealed record MetricsSnapshot(string Label, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Files);

/// <summary>Two sides of `obs metrics diff` and the keys that differ (all keys with <c>all</c>).</summary>
public sealed record MetricsComparison(MetricsSnapshot Old, MetricsSnapshot New, IReadOnlyList<MetricChange> Changes);

/// <summary>
/// `obs metrics show|diff`: model metrics files committed to git as plain files (DVC's <c>metrics</c>), read at a revision
/// from git's objects or from the workspace. They are not obs-tracked data, so dataset folders are never searched.
/// </summary>
public static class MetricsOperation
{
    /// <summary>The name of the files on disk, as a side of a diff and in output (DVC's word).</summary>
    public const string Workspace = "workspace";

    /// <summary>
    /// Metrics at <paramref name="revision"/> (null: the workspace) of the files <paramref name="userPaths"/> name (a file, or a
    /// folder searched for metrics files); no paths finds every <c>metrics.*</c> and <c>*.metrics.*</c> file.
    /// </summary>
    public static MetricsSnapshot Show(ObsRepository repo, string? revision, IReadOnlyList<string> userPaths, CancellationToken ct)
    {
        var side = Side.For(repo, revision);
        var selected = Select(repo, [side], userPaths);
        return side.Read(selected[0], ct);
    }

    /// <summary>Metrics at <paramref name="a"/> and <paramref name="b"/> (either may be <see cref="Workspace"/>) and their changes.</summary>
    public static MetricsComparison Diff(ObsRepository repo, string a, string b, IReadOnlyList<string> userPaths, bool all, CancellationToken ct)
    {
        Side old = Side.For(repo, a == Workspace ? null : a), @new = Side.For(repo, b == Workspace ? null : b);
        var selected = Select(repo, [old, @new], userPaths);
        var x = old.Read(selected[0], ct);
        var y = @new.Read(selected[1], ct);
        return new MetricsComparison(x, y, MetricsDiff.Compare(x.Files, y.Files, all));
    }

    /// <summary>Per side, the files to read; a path that names nothing on every side is a usage error.</summary>
    private static List<List<string>> Select(ObsRepository repo, IReadOnlyList<Side> sides, IReadOnlyList<string> userPaths)
    {
        if (userPaths.Count == 0) return sides.Select(s => s.Discover().ToList()).ToList();
        var result = sides.Select(_ => new List<string>()).ToList();
        foreach (var userPath in userPaths)
        {
            var rel = repo.RelativeToRoot(repo.ResolveUserPath(userPath));
            var found = false;
            for (var i = 0; i < sides.Count; i++)
            {
                List<string> files;
                if (rel.Length > 0 && sides[i].IsFile(rel))
                {
                    if (!MetricsFile.IsSupported(rel)) throw new UsageException($"'{userPath}' is not a metrics file: metrics files are .json, .yaml or .yml");
                    files = [rel];
                }
                else
                {
                    files = sides[i].Discover().Where(p => rel.Length == 0 || p.StartsWith(rel + "/", StringComparison.Ordinal)).ToList();
                }
                found |= files.Count > 0;
                foreach (var f in files) if (!result[i].Contains(f)) result[i].Add(f);
            }
            if (!found)
                throw new UsageException($"no metrics file at '{userPath}' in {string.Join(" or ", sides.Select(s => s.Label).Distinct())} " +
                    "(metrics files are metrics.json|yaml|yml or *.metrics.json|yaml|yml; name another file directly)");
        }
        return result;
    }

    private abstract class Side(ObsRepository repo, string label)
    {
        protected ObsRepository Repo { get; } = repo;
        public string Label { get; } = label;

        public static Side For(ObsRepository repo, string? revision)
        {
            if (revision is null) return new WorkspaceSide(repo);
            if (repo.Git.TryResolve(revision) is null) throw new UsageException($"revision '{revision}' is not known to git");
            return new RevisionSide(repo, revision);
        }

        public abstract IEnumerable<string> Discover();
        public abstract bool IsFile(string rel);
        protected abstract IReadOnlyDictionary<string, double> Parse(string rel);

        public MetricsSnapshot Read(IEnumerable<string> paths, CancellationToken ct)
        {
            var files = new SortedDictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
            foreach (var rel in paths)
            {
                ct.ThrowIfCancellationRequested();
                files[rel] = Parse(rel);
            }
            return new MetricsSnapshot(Label, files);
        }
    }

    private sealed class RevisionSide(ObsRepository repo, string revision) : Side(repo, revision)
    {
        // The label is the revision as the user wrote it (v2, HEAD~1), which is also what errors should name.

        public override IEnumerable<string> Discover() =>
            Repo.Git.ListFiles(Label, "").Where(p => MetricsFile.IsMetricsName(p) && !p.StartsWith(ObsRepository.ObsDirName + "/", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

        public override bool IsFile(string rel) => Repo.Git.FileSize(Label, rel) is not null;

        protected override IReadOnlyDictionary<string, double> Parse(string rel)
        {
            // The size is read from git's object header so a huge blob is refused before it is loaded.
            MetricsFile.EnsureSize(rel, Repo.Git.FileSize(Label, rel) ?? 0, Label);
            return MetricsFile.ParseText(rel, Repo.Git.ReadFile(Label, rel) ?? "", Label);
        }
    }

    private sealed class WorkspaceSide(ObsRepository repo) : Side(repo, Workspace)
    {
        public override bool IsFile(string rel) => File.Exists(Repo.FullPath(rel));

        protected override IReadOnlyDictionary<string, double> Parse(string rel)
        {
            using var stream = new FileStream(Repo.FullPath(rel), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            MetricsFile.EnsureSize(rel, stream.Length, Workspace);
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return MetricsFile.Parse(rel, bytes, Workspace);
        }

        /// <summary>
        /// Walks the work tree, skipping what <see cref="TrackedDataset.InWorkspace"/> skips (.git, .obs, links, nested workspaces)
        /// and every folder beside a pointer of its name: dataset folders can hold millions of files and are not git's.
        /// </summary>
        public override IEnumerable<string> Discover()
        {
            var found = new List<string>();
            var pending = new Stack<string>();
            pending.Push(Repo.Root);
            while (pending.Count > 0)
            {
                var dir = pending.Pop();
                string[] files, dirs;
                try
                {
                    files = Directory.GetFiles(dir);
                    dirs = Directory.GetDirectories(dir);
                }
                catch (Exception e) when (e is UnauthorizedAccessException or DirectoryNotFoundException) { continue; }
                var datasets = new HashSet<string>(StringComparer.Ordinal);
                foreach (var file in files)
                {
                    var name = Path.GetFileName(file);
                    if (name.EndsWith(PointerFile.Extension, StringComparison.Ordinal) && name != PointerFile.Extension)
                        datasets.Add(Path.Combine(dir, name[..^PointerFile.Extension.Length]));
                    else if (MetricsFile.IsMetricsName(name))
                        found.Add(Repo.RelativeToRoot(file));
                }
                foreach (var sub in dirs)
                {
                    var name = Path.GetFileName(sub);
                    if (name is ".git" or ObsRepository.ObsDirName || datasets.Contains(sub) || new DirectoryInfo(sub).LinkTarget is not null) continue;
                    if (Directory.Exists(Path.Combine(sub, ObsRepository.ObsDirName))) continue;
                    pending.Push(sub);
                }
            }
            found.Sort(StringComparer.Ordinal);
            return found;
        }
    }
}
