using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Pointers;
using Observatory.DataService.Core.Workspace;
using YamlDotNet.Serialization;

namespace Observatory.DataService.Core.Queries;

/// <summary>
/// Read-only questions about the datasets of one `obs` repository, answered with the same operations as the CLI
/// (<see cref="LogOperation"/>, <see cref="ListOperation"/>, <see cref="DiffOperation"/>). Shared by the Data HTTP API and the
/// dashboard. Each call opens the repository afresh (git handles are not thread-safe) and never writes to it.
/// </summary>
public sealed class DatasetCatalog(string repositoryPath, ObsEnvironment environment)
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif"];

    // Class balance depends only on the (immutable) tree object, so it is computed once per tree.
    private readonly ConcurrentDictionary<string, (int LabelFiles, int Objects, int Missing, int Malformed, IReadOnlyList<ClassTally> Classes)> _balance = new();

    public string RepositoryPath { get; } = repositoryPath;

    /// <summary>Datasets named by pointer files in the work tree and at HEAD, by path.</summary>
    public IReadOnlyList<DatasetRow> ListDatasets()
    {
        using var repo = Open();
        return ListDatasets(repo);
    }

    /// <summary>Versions of a dataset from git history, newest first.</summary>
    public IReadOnlyList<VersionRow> Versions(string dataset)
    {
        using var repo = Open();
        RequireKnown(repo, dataset);
        return LogOperation.Run(repo, [repo.FullPath(dataset)])
            .Where(v => v.Dataset == dataset)
            .Select(v => new VersionRow(v.Dataset, v.Commit, TagsOf(dataset, v.Tags), v.Date, v.Message, v.Pointer.Tree.Hex, v.Pointer.Files, v.Pointer.Bytes, ToValidation(v.Pointer)))
            .ToList();
    }

    /// <summary>Files of a dataset at a revision (sha, tag, branch, HEAD~1…), from its tree object.</summary>
    public async Task<IReadOnlyList<FileRow>> FilesAsync(string dataset, string revision, CancellationToken ct)
    {
        using var repo = Open();
        var (sha, _) = Locate(repo, dataset, revision);
        var entries = await Run(() => ListOperation.RunAsync(repo, sha, [repo.FullPath(dataset)], ct));
        return entries.Select(e => new FileRow(e.Path, e.Hash.Hex, e.Size)).ToList();
    }

    /// <summary>Files added, deleted and modified in a dataset between two revisions.</summary>
    public async Task<DiffView> DiffAsync(string dataset, string from, string to, CancellationToken ct)
    {
        using var repo = Open();
        var (fromSha, _) = Locate(repo, dataset, from, "from");
        var (toSha, _) = Locate(repo, dataset, to, "to");
        var diff = await Run(() => DiffOperation.RunAsync(repo, fromSha, toSha, [repo.FullPath(dataset)], ct));
        var files = new List<ChangedFile>();
        files.AddRange(diff.Changes.Added.Select(c => Changed(c, "added")));
        files.AddRange(diff.Changes.Deleted.Select(c => Changed(c, "deleted")));
        files.AddRange(diff.Changes.Modified.Select(c => Changed(c, "modified")));
        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return new DiffView(dataset, from, to, fromSha, toSha, diff.Changes.Added.Count, diff.Changes.Deleted.Count, diff.Changes.Modified.Count,
            diff.BytesAdded, diff.BytesDeleted, diff.Annotations, files);
    }

    /// <summary>The validation report stored for a version; null when the version was committed without validation.</summary>
    public async Task<ReportView?> ValidationReportAsync(string dataset, string revision, CancellationToken ct)
    {
        using var repo = Open();
        var (_, tracked) = Locate(repo, dataset, revision);
        if (tracked.Pointer.Validation?.Report is not { } hash) return null;
        if (!repo.Cache.Contains(hash))
            throw new QueryNotFoundException($"the validation report {hash.Short} of {dataset} at {revision} is not in the cache; run 'obs fetch'");
        var bytes = await repo.Cache.ReadAllBytesAsync(hash, ct);
        if (ContentHash.Compute(bytes) != hash) throw new DataCheckException($"validation report {hash.Short} is corrupt in the cache");
        return ParseReport(bytes, dataset);
    }

    /// <summary>Objects per class id over the YOLO label files (labels/**/*.txt) of a version.</summary>
    public async Task<ClassBalanceView> ClassBalanceAsync(string dataset, string revision, CancellationToken ct)
    {
        using var repo = Open();
        var (sha, tracked) = Locate(repo, dataset, revision);
        var key = tracked.Pointer.Tree.Hex;
        if (!_balance.TryGetValue(key, out var b))
        {
            var tree = await Run(() => Datasets.LoadTreeAsync(repo, tracked, ct));
            b = await CountClassesAsync(repo, tree, ct);
            _balance[key] = b;
        }
        return new ClassBalanceView(dataset, sha, b.LabelFiles, b.Objects, b.Missing, b.Malformed, b.Classes);
    }

    /// <summary>
    /// Images of a version for the given paths (repo- or dataset-relative; a YOLO label path maps to its image), each with the
    /// boxes of its label file. Paths that name no image of the version are left out.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, AnnotatedImage>> ImagesAsync(string dataset, string revision, IEnumerable<string> paths, CancellationToken ct)
    {
        using var repo = Open();
        var (_, tracked) = Locate(repo, dataset, revision);
        var tree = await Run(() => Datasets.LoadTreeAsync(repo, tracked, ct));
        var byPath = tree.Entries.ToDictionary(e => e.Path, StringComparer.Ordinal);
        var names = await ClassNamesAsync(repo, byPath, ct);
        var result = new Dictionary<string, AnnotatedImage>(StringComparer.Ordinal);
        foreach (var requested in paths.Distinct(StringComparer.Ordinal))
        {
            var rel = requested.StartsWith(dataset + "/", StringComparison.Ordinal) ? requested[(dataset.Length + 1)..] : requested;
            var imagePath = IsImage(rel) ? rel : ImageForLabel(rel, byPath);
            if (imagePath is null || !byPath.TryGetValue(imagePath, out var image)) continue;
            var labelPath = LabelForImage(imagePath);
            var boxes = new List<YoloBox>();
            if (byPath.TryGetValue(labelPath, out var label) && repo.Cache.Contains(label.Hash))
            {
                var text = Encoding.UTF8.GetString(await repo.Cache.ReadAllBytesAsync(label.Hash, ct));
                var lines = text.Split('\n');
                for (var i = 0; i < lines.Length; i++)
                    if (TryParseYolo(lines[i], out var cls, out var box))
                        boxes.Add(new YoloBox(cls, names.GetValueOrDefault(cls, cls.ToString(CultureInfo.InvariantCulture)), box[0], box[1], box[2], box[3], i + 1));
            }
            else labelPath = null!;
            result[requested] = new AnnotatedImage(dataset + "/" + imagePath, image.Hash.Hex, image.Size, labelPath is null ? null : dataset + "/" + labelPath, boxes);
        }
        return result;
    }

    /// <summary>Opens an object of the cache by its hash; the stream fails at its end if the bytes do not match the name. Null when absent.</summary>
    public Stream? OpenObject(string sha256)
    {
        if (!ContentHash.TryParse(sha256, out var hash))
            throw new QueryException("sha256", $"'{sha256}' is not a SHA-256 hash (64 lowercase hex characters)");
        using var repo = Open();
        return repo.Cache.Contains(hash) ? new VerifyingStream(repo.Cache.OpenRead(hash), hash) : null;
    }

    private ObsRepository Open()
    {
        try { return ObsRepository.Open(RepositoryPath, environment); }
        catch (UsageException ex) { throw new StoreException($"the dataset repository at '{RepositoryPath}' cannot be opened: {ex.Message}", ex); }
    }

    private static IReadOnlyList<DatasetRow> ListDatasets(ObsRepository repo)
    {
        var workspace = Datasets.InWorkspace(repo);
        var head = repo.Git.Head() is null ? [] : Datasets.AtRevision(repo, "HEAD");
        var rows = new List<DatasetRow>();
        foreach (var path in workspace.Select(d => d.DatasetPath).Union(head.Select(d => d.DatasetPath)).Order(StringComparer.Ordinal))
        {
            var w = workspace.FirstOrDefault(d => d.DatasetPath == path);
            var h = head.FirstOrDefault(d => d.DatasetPath == path);
            var d = (w ?? h)!;
            rows.Add(new DatasetRow(path, d.Name, d.PointerPath, w is not null, h is not null, d.Pointer.Files, d.Pointer.Bytes, ToValidation(d.Pointer)));
        }
        return rows;
    }

    private static void RequireKnown(ObsRepository repo, string dataset)
    {
        if (string.IsNullOrWhiteSpace(dataset)) throw new QueryException("dataset", "a dataset path is required");
        var all = ListDatasets(repo);
        if (all.All(d => d.Path != dataset))
            throw new QueryException("dataset", $"'{dataset}' is not a tracked dataset (tracked: {(all.Count == 0 ? "none" : string.Join(", ", all.Select(d => d.Path)))})");
    }

    /// <summary>Resolves a revision to its commit and the dataset's pointer there.</summary>
    private static (string Sha, TrackedDataset Dataset) Locate(ObsRepository repo, string dataset, string revision, string parameter = "rev")
    {
        RequireKnown(repo, dataset);
        if (string.IsNullOrWhiteSpace(revision) || revision == DiffOperation.Workspace)
            throw new QueryException(parameter, $"a git revision is required (a commit, tag or branch){(revision == DiffOperation.Workspace ? "; the work tree is not served" : "")}");
        var sha = repo.Git.TryResolve(revision) ?? throw new QueryException(parameter, $"revision '{revision}' is not known to git");
        var tracked = Datasets.AtRevision(repo, sha).FirstOrDefault(d => d.DatasetPath == dataset)
            ?? throw new QueryNotFoundException($"dataset '{dataset}' has no version at '{revision}' ({sha[..10]})");
        return (sha, tracked);
    }

    /// <summary>Runs a Core operation, turning its usage errors (bad path, unknown revision) into query errors.</summary>
    private static async Task<T> Run<T>(Func<Task<T>> operation)
    {
        try { return await operation(); }
        catch (UsageException ex) { throw new QueryException("rev", ex.Message); }
    }

    /// <summary>The commit's tags minus the version tags of other datasets (<c>other@v3</c>): a commit can version several datasets.</summary>
    private static IReadOnlyList<string> TagsOf(string dataset, IReadOnlyList<string> tags)
    {
        var name = dataset.Contains('/') ? dataset[(dataset.LastIndexOf('/') + 1)..] : dataset;
        return tags.Where(t => t.StartsWith(name + "@", StringComparison.Ordinal) || !t.Contains('@')).ToList();
    }

    private static ChangedFile Changed(FileChange c, string kind) => new(c.Path, kind, c.Old?.Hash.Hex, c.New?.Hash.Hex, c.Old?.Size, c.New?.Size);

    private static VersionValidation? ToValidation(PointerFile p) =>
        p.Validation is { } v ? new VersionValidation(v.Errors, v.Warnings, v.Report?.Hex) : null;

    internal static ReportView ParseReport(ReadOnlySpan<byte> json, string dataset)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            var root = doc.RootElement;
            var summary = root.GetProperty("summary");
            var byRule = new SortedDictionary<string, int>(StringComparer.Ordinal);
            if (summary.TryGetProperty("by_rule", out var rules) && rules.ValueKind == JsonValueKind.Object)
                foreach (var r in rules.EnumerateObject()) byRule[r.Name] = r.Value.GetInt32();
            var findings = new List<FindingRow>();
            if (root.TryGetProperty("findings", out var list) && list.ValueKind == JsonValueKind.Array)
                foreach (var f in list.EnumerateArray())
                    findings.Add(new FindingRow(
                        f.GetProperty("rule").GetString() ?? "",
                        f.GetProperty("severity").GetString() ?? "",
                        f.TryGetProperty("path", out var p) ? p.GetString() ?? "" : "",
                        f.TryGetProperty("line", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetInt32() : null,
                        f.TryGetProperty("annotation_id", out var a) ? (a.ValueKind == JsonValueKind.String ? a.GetString() : a.GetRawText()) : null,
                        f.TryGetProperty("message", out var m) ? m.GetString() ?? "" : ""));
            return new ReportView(
                root.TryGetProperty("dataset", out var ds) ? ds.GetString() ?? dataset : dataset,
                root.TryGetProperty("files", out var files) && files.ValueKind == JsonValueKind.Number ? files.GetInt32() : 0,
                new ReportSummary(summary.GetProperty("errors").GetInt32(), summary.GetProperty("warnings").GetInt32(), byRule),
                findings);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new DataCheckException($"the validation report of {dataset} is not a report: {ex.Message}");
        }
    }

    private static async Task<(int, int, int, int, IReadOnlyList<ClassTally>)> CountClassesAsync(ObsRepository repo, TreeObject tree, CancellationToken ct)
    {
        var byPath = tree.Entries.ToDictionary(e => e.Path, StringComparer.Ordinal);
        var names = await ClassNamesAsync(repo, byPath, ct);
        var counts = new SortedDictionary<int, int>();
        int labelFiles = 0, objects = 0, missing = 0, malformed = 0;
        foreach (var e in tree.Entries)
        {
            if (!IsYoloLabel(e.Path)) continue;
            labelFiles++;
            if (!repo.Cache.Contains(e.Hash)) { missing++; continue; }
            var text = Encoding.UTF8.GetString(await repo.Cache.ReadAllBytesAsync(e.Hash, ct));
            foreach (var line in text.Split('\n'))
            {
                if (line.Trim().Length == 0) continue;
                if (!TryParseYolo(line, out var cls, out _)) { malformed++; continue; }
                counts[cls] = counts.GetValueOrDefault(cls) + 1;
                objects++;
            }
        }
        foreach (var id in names.Keys) counts.TryAdd(id, 0); // a declared class with no object is part of the balance
        var classes = counts.Select(kv => new ClassTally(kv.Key, names.GetValueOrDefault(kv.Key, kv.Key.ToString(CultureInfo.InvariantCulture)), kv.Value)).ToList();
        return (labelFiles, objects, missing, malformed, classes);
    }

    private static bool IsYoloLabel(string path) =>
        path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) && (path.StartsWith("labels/", StringComparison.Ordinal) || path.Contains("/labels/", StringComparison.Ordinal));

    /// <summary>A YOLO row "class cx cy w h" (extra columns, e.g. polygons or confidence, are ignored).</summary>
    private static bool TryParseYolo(string line, out int cls, out double[] box)
    {
        box = new double[4];
        cls = -1;
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 5 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out cls)) return false;
        for (var i = 0; i < 4; i++)
            if (!double.TryParse(parts[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out box[i])) return false;
        return true;
    }

    /// <summary>Class names from classes.txt (one per line) or data.yaml `names` (list or id map) at the dataset root.</summary>
    private static async Task<IReadOnlyDictionary<int, string>> ClassNamesAsync(ObsRepository repo, IReadOnlyDictionary<string, TreeEntry> byPath, CancellationToken ct)
    {
        var names = new Dictionary<int, string>();
        if (byPath.TryGetValue("classes.txt", out var classes) && repo.Cache.Contains(classes.Hash))
        {
            var lines = Encoding.UTF8.GetString(await repo.Cache.ReadAllBytesAsync(classes.Hash, ct)).Split('\n').Select(l => l.Trim()).ToList();
            while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
            for (var i = 0; i < lines.Count; i++) names[i] = lines[i];
            return names;
        }
        var yaml = byPath.TryGetValue("data.yaml", out var y) ? y : byPath.TryGetValue("data.yml", out var y2) ? y2 : null;
        if (yaml is null || !repo.Cache.Contains(yaml.Hash)) return names;
        try
        {
            var doc = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object?>>(Encoding.UTF8.GetString(await repo.Cache.ReadAllBytesAsync(yaml.Hash, ct)));
            switch (doc?.GetValueOrDefault("names"))
            {
                case List<object?> list:
                    for (var i = 0; i < list.Count; i++) names[i] = list[i]?.ToString() ?? i.ToString(CultureInfo.InvariantCulture);
                    break;
                case Dictionary<object, object?> map:
                    foreach (var (k, v) in map)
                        if (int.TryParse(k.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var id)) names[id] = v?.ToString() ?? k.ToString()!;
                    break;
            }
        }
        catch (YamlDotNet.Core.YamlException) { } // names are a nicety; a broken data.yaml is the validator's finding, not ours
        return names;
    }

    private static bool IsImage(string path) => ImageExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>YOLO convention: images/a/b.jpg ↔ labels/a/b.txt (else the .txt beside the image).</summary>
    private static string LabelForImage(string imagePath)
    {
        var stem = imagePath[..^Path.GetExtension(imagePath).Length] + ".txt";
        if (stem.StartsWith("images/", StringComparison.Ordinal)) return "labels/" + stem["images/".Length..];
        var i = stem.IndexOf("/images/", StringComparison.Ordinal);
        return i >= 0 ? stem[..i] + "/labels/" + stem[(i + "/images/".Length)..] : stem;
    }

    private static string? ImageForLabel(string labelPath, IReadOnlyDictionary<string, TreeEntry> byPath)
    {
        if (!labelPath.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)) return null;
        var stem = labelPath[..^4];
        string imagesStem;
        if (stem.StartsWith("labels/", StringComparison.Ordinal)) imagesStem = "images/" + stem["labels/".Length..];
        else if (stem.IndexOf("/labels/", StringComparison.Ordinal) is var i and >= 0) imagesStem = stem[..i] + "/images/" + stem[(i + "/labels/".Length)..];
        else imagesStem = stem;
        foreach (var ext in ImageExtensions)
            if (byPath.ContainsKey(imagesStem + ext)) return imagesStem + ext;
        return null;
    }
}
