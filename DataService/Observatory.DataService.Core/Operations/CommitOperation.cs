using System.Globalization;
using System.Text.RegularExpressions;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Pointers;
using Observatory.DataService.Core.Store;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Operations;

public sealed record CommitOptions
{
    public required string Message { get; init; }
    /// <summary>Null: no tag. Empty: the default <c>&lt;name&gt;@v&lt;N&gt;</c> for each dataset that changed. Otherwise: this tag.</summary>
    public string? Tag { get; init; }
    public AddOptions Add { get; init; } = new();
}

public sealed record CommitResult(string? Commit, IReadOnlyList<string> ChangedDatasets, IReadOnlyList<string> Tags);

/// <summary>`obs commit`: re-adds changed datasets, stages their pointers and .gitignore files, commits, and tags.</summary>
public static partial class CommitOperation
{
    public static async Task<CommitResult> RunAsync(ObsRepository repo, CommitOptions options, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(options.Message)) throw new UsageException("a commit message is required (-m)");
        if (options.Tag is { Length: > 0 } t && !IsValidTagName(t)) throw new UsageException($"'{t}' is not a valid git tag name");

        var datasets = Datasets.InWorkspace(repo);
        var changed = new List<string>();
        var toStage = new List<string>();
        foreach (var dataset in datasets)
        {
            if (!Directory.Exists(repo.FullPath(dataset.DatasetPath)))
                throw new DataCheckException($"'{dataset.DatasetPath}' is missing from the workspace; run 'obs checkout {dataset.DatasetPath}' or delete {dataset.PointerPath}");
            await AddOperation.AddOneAsync(repo, dataset.DatasetPath, dataset.Pointer, options.Add, ct);
            toStage.Add(dataset.PointerPath);
            toStage.Add(DatasetGitignore.PathFor(dataset.DatasetPath));
            var committed = repo.Git.Head() is null ? null : repo.Git.ReadFile("HEAD", dataset.PointerPath);
            if (committed != await File.ReadAllTextAsync(repo.FullPath(dataset.PointerPath), ct)) changed.Add(dataset.DatasetPath);
        }
        var tags = new List<string>();
        var numbered = new List<(TrackedDataset Dataset, int Version)>();
        if (options.Tag is { Length: > 0 } explicitTag) tags.Add(explicitTag);
        else if (options.Tag is "")
        {
            var existing = repo.Git.Tags();
            foreach (var dataset in datasets.Where(d => changed.Contains(d.DatasetPath)))
            {
                var version = Math.Max(NextVersion(existing.Keys, dataset.Name), 1 + HighestRecordedVersion(repo, dataset.PointerPath));
                tags.Add($"{dataset.Name}@v{version}");
                numbered.Add((dataset, version));
            }
        }
        var known = repo.Git.Tags();
        foreach (var tag in tags)
            if (known.ContainsKey(tag)) throw new UsageException($"tag '{tag}' already exists; choose another with --tag NAME");
        foreach (var (dataset, version) in numbered)
        {
            // The number goes into the pointer too, so `name@vN` resolves in a clone that has no tags.
            var pointerFile = repo.FullPath(dataset.PointerPath);
            var pointer = PointerFile.Parse(await File.ReadAllTextAsync(pointerFile, ct), dataset.PointerPath);
            await AtomicFile.WriteAllTextAsync(pointerFile, (pointer with { Version = version }).Serialize(), repo.TempDir, ct);
        }

        foreach (var extra in new[] { ".obs/config", ".obs/.gitignore" })
            if (File.Exists(repo.FullPath(extra))) toStage.Add(extra);
        repo.Git.Stage(toStage.Distinct(StringComparer.Ordinal));
        if (!repo.Git.HasStagedChanges()) return new CommitResult(null, [], []);

        var sha = repo.Git.Commit(options.Message);
        foreach (var tag in tags) repo.Git.Tag(tag, sha, options.Message);
        return new CommitResult(sha, changed, tags);
    }

    /// <summary>The highest version any committed state of the pointer recorded (0 when none did).</summary>
    private static int HighestRecordedVersion(ObsRepository repo, string pointerPath)
    {
        if (repo.Git.Head() is null) return 0;
        var highest = 0;
        foreach (var commit in repo.Git.History(pointerPath))
            if (repo.Git.ReadFile(commit.Sha, pointerPath) is { } text && PointerFile.Parse(text, $"{pointerPath} at {commit.Sha}").Version is { } v)
                highest = Math.Max(highest, v);
        return highest;
    }

    /// <summary>1 + the highest N among tags <c>name@vN</c>.</summary>
    public static int NextVersion(IEnumerable<string> tags, string name)
    {
        var max = 0;
        var prefix = name + "@v";
        foreach (var tag in tags)
            if (tag.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(tag.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                max = Math.Max(max, n);
        return max + 1;
    }

    public static bool IsValidTagName(string tag) =>
        TagPattern().IsMatch(tag) && !tag.Contains("..", StringComparison.Ordinal) && !tag.EndsWith(".lock", StringComparison.Ordinal) && !tag.Contains("@{", StringComparison.Ordinal);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._@/+-]*$")]
    private static partial Regex TagPattern();
}
