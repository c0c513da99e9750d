using System.Globalization;
using System.Text.RegularExpressions;
using Observatory.DataService.Core.Errors;
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
        foreach (var extra in new[] { ".obs/config", ".obs/.gitignore" })
            if (File.Exists(repo.FullPath(extra))) toStage.Add(extra);
        repo.Git.Stage(toStage.Distinct(StringComparer.Ordinal));
        if (!repo.Git.HasStagedChanges()) return new CommitResult(null, [], []);

        var tags = new List<string>();
        if (options.Tag is { Length: > 0 } explicitTag) tags.Add(explicitTag);
        else if (options.Tag is "")
        {
            var existing = repo.Git.Tags();
            foreach (var path in changed)
            {
                var name = path.Contains('/') ? path[(path.LastIndexOf('/') + 1)..] : path;
                tags.Add($"{name}@v{NextVersion(existing.Keys, name)}");
            }
        }
        var known = repo.Git.Tags();
        foreach (var tag in tags)
            if (known.ContainsKey(tag)) throw new UsageException($"tag '{tag}' already exists; choose another with --tag NAME");

        var sha = repo.Git.Commit(options.Message);
        foreach (var tag in tags) repo.Git.Tag(tag, sha, options.Message);
        return new CommitResult(sha, changed, tags);
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
