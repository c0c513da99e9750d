using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Pointers;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Operations;

/// <summary>One version of a dataset: the commit that changed its pointer and what the pointer said.</summary>
public sealed record DatasetVersion(string Dataset, string Commit, IReadOnlyList<string> Tags, DateTimeOffset Date, string Message, PointerFile Pointer);

/// <summary>`obs log [path]`: the versions of each dataset, newest first, read from git history.</summary>
public static class LogOperation
{
    public static IReadOnlyList<DatasetVersion> Run(ObsRepository repo, IReadOnlyList<string> userPaths)
    {
        if (repo.Git.Head() is null) return [];
        var known = Datasets.InWorkspace(repo).ToList();
        foreach (var d in Datasets.AtRevision(repo, "HEAD"))
            if (known.All(k => k.PointerPath != d.PointerPath)) known.Add(d);
        var selected = Datasets.Select(repo, known, userPaths).Select(s => s.Dataset).DistinctBy(d => d.PointerPath);
        var versions = new List<DatasetVersion>();
        foreach (var dataset in selected)
        {
            foreach (var commit in repo.Git.History(dataset.PointerPath))
            {
                var text = repo.Git.ReadFile(commit.Sha, dataset.PointerPath);
                if (text is null) continue; // the commit deleted the pointer
                PointerFile pointer;
                try { pointer = PointerFile.Parse(text, $"{dataset.PointerPath} at {commit.Sha[..10]}"); }
                catch (DataCheckException) { continue; }
                // The version name the pointer records is listed like a tag, so a clone without tags still shows it.
                var tags = pointer.Version is { } v && !commit.Tags.Contains($"{dataset.Name}@v{v}")
                    ? [.. commit.Tags, $"{dataset.Name}@v{v}"]
                    : commit.Tags;
                versions.Add(new DatasetVersion(dataset.DatasetPath, commit.Sha, tags, commit.Date, commit.Message.TrimEnd(), pointer));
            }
        }
        return versions;
    }
}
