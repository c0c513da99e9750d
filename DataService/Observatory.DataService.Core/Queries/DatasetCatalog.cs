using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Observatory.DataService.Core.Annotations;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Pointers;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Queries;

/// <summary>
/// Read-only questions about the datasets of one `obs` repository, answered with the same operations as the CLI
/// (<see cref="LogOperation"/>, <see cref="ListOperation"/>, <see cref="DiffOperation"/>). Shared by the Data HTTP API and the
/// dashboard. Each call opens the repository afresh (git handles are not thread-safe) and never writes to it.
/// </summary>
public sealed class DatasetCatalog(string repositoryPath, ObsEnvironment environment)
{
    // What a version's label files say (each image's classes, objects per class) depends only on the immutable tree object: the
    // gallery and the class balance read every label file once per tree, in one pass, and share it.
    private readonly ConcurrentDictionary<string, LabelIndex> _labels = new();

    // A tree's files by path and its class names, parsed once per (immutable) tree: every gallery page and diff thumbnail needs
    // them, and the label index is built from them.
    private readonly ConcurrentDictionary<string, TreeFiles> _trees = new();

    private sealed record TreeFiles(IReadOnlyList<TreeEntry> Entries, IReadOnlyDictionary<string, TreeEntry> ByPath, IReadOnlyDictionary<int, string> Names);

    // A stored validation report is immutable too (named by its hash): parsed once, not for every gallery page.
    private readonly ConcurrentDictionary<(string Hash, string Dataset), ReportView> _reports = new();

    private sealed record LabelIndex(
        IReadOnlyList<(string Image, int[] Classes)> Images, IReadOnlyList<ClassTally> ImagesPerClass,
        int LabelFiles, int Objects, int Missing, int Malformed, IReadOnlyList<ClassTally> ObjectsPerClass);

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
    /// <param name="boxIou">When set, the view also carries the box-level diff at this IoU threshold.</param>
    public async Task<DiffView> DiffAsync(string dataset, string from, string to, CancellationToken ct, double? boxIou = null)
    {
        using var repo = Open();
        var (fromSha, _) = Locate(repo, dataset, from, "from");
        var (toSha, _) = Locate(repo, dataset, to, "to");
        var diff = await Run(() => DiffOperation.RunAsync(repo, fromSha, toSha, [repo.FullPath(dataset)], ct, boxIou));
        var files = new List<ChangedFile>();
        files.AddRange(diff.Changes.Added.Select(c => Changed(c, "added")));
        files.AddRange(diff.Changes.Deleted.Select(c => Changed(c, "deleted")));
        files.AddRange(diff.Changes.Modified.Select(c => Changed(c, "modified")));
        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return new DiffView(dataset, from, to, fromSha, toSha, diff.Changes.Added.Count, diff.Changes.Deleted.Count, diff.Changes.Modified.Count,
            diff.BytesAdded, diff.BytesDeleted, diff.Annotations, files) { Boxes = diff.Boxes, BoxesUnavailable = diff.BoxesUnavailable };
    }

    /// <summary>The validation report stored for a version; null when the version was committed without validation.</summary>
    public async Task<ReportView?> ValidationReportAsync(string dataset, string revision, CancellationToken ct)
    {
        using var repo = Open();
        var (_, tracked) = Locate(repo, dataset, revision);
        return await ReportOfAsync(repo, dataset, tracked, revision, ct);
    }

    private async Task<ReportView?> ReportOfAsync(ObsRepository repo, string dataset, TrackedDataset tracked, string revision, CancellationToken ct)
    {
        if (tracked.Pointer.Validation?.Report is not { } hash) return null;
        if (_reports.TryGetValue((hash.Hex, dataset), out var cached)) return cached;
        if (!repo.Cache.Contains(hash))
            throw new QueryNotFoundException($"the validation report {hash.Short} of {dataset} at {revision} is not in the cache; run 'obs fetch'");
        var bytes = await repo.Cache.ReadAllBytesAsync(hash, ct);
        if (ContentHash.Compute(bytes) != hash) throw new DataCheckException($"validation report {hash.Short} is corrupt in the cache");
        return _reports[(hash.Hex, dataset)] = ParseReport(bytes, dataset);
    }

    /// <summary>Objects per class id over the YOLO label files (labels/**/*.txt) of a version.</summary>
    public async Task<ClassBalanceView> ClassBalanceAsync(string dataset, string revision, CancellationToken ct)
    {
        using var repo = Open();
        var (sha, tracked) = Locate(repo, dataset, revision);
        var b = await LabelIndexAsync(repo, tracked, ct);
        return new ClassBalanceView(dataset, sha, b.LabelFiles, b.Objects, b.Missing, b.Malformed, b.ObjectsPerClass);
    }

    private async Task<LabelIndex> LabelIndexAsync(ObsRepository repo, TrackedDataset tracked, CancellationToken ct)
    {
        var key = tracked.Pointer.Tree.Hex;
        if (_labels.TryGetValue(key, out var index)) return index;
        return _labels[key] = await IndexLabelsAsync(repo, await TreeFilesAsync(repo, tracked, ct), ct);
    }

    private async Task<TreeFiles> TreeFilesAsync(ObsRepository repo, TrackedDataset tracked, CancellationToken ct)
    {
        var key = tracked.Pointer.Tree.Hex;
        if (_trees.TryGetValue(key, out var files)) return files;
        var tree = await Run(() => Datasets.LoadTreeAsync(repo, tracked, ct));
        var byPath = tree.Entries.ToDictionary(e => e.Path, StringComparer.Ordinal);
        return _trees[key] = new TreeFiles(tree.Entries, byPath, await ClassNamesAsync(repo, byPath, ct));
    }

    /// <summary>
    /// Images of a version for the given paths (repo- or dataset-relative; a YOLO label path maps to its image), each with the
    /// boxes of its label file. Paths that name no image of the version are left out.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, AnnotatedImage>> ImagesAsync(string dataset, string revision, IEnumerable<string> paths, CancellationToken ct)
    {
        using var repo = Open();
        var (_, tracked) = Locate(repo, dataset, revision);
        return await ImagesInAsync(repo, dataset, await TreeFilesAsync(repo, tracked, ct), paths, ct);
    }

    private static async Task<IReadOnlyDictionary<string, AnnotatedImage>> ImagesInAsync(ObsRepository repo, string dataset, TreeFiles files, IEnumerable<string> paths, CancellationToken ct)
    {
        var (byPath, names) = (files.ByPath, files.Names);
        var result = new Dictionary<string, AnnotatedImage>(StringComparer.Ordinal);
        foreach (var requested in paths.Distinct(StringComparer.Ordinal))
        {
            var rel = requested.StartsWith(dataset + "/", StringComparison.Ordinal) ? requested[(dataset.Length + 1)..] : requested;
            var imagePath = ImageFiles.IsImage(rel) ? rel : YoloLabels.ImageFor(rel, byPath.ContainsKey);
            if (imagePath is null || !byPath.TryGetValue(imagePath, out var image)) continue;
            var labelPath = YoloLabels.LabelCandidates(imagePath).FirstOrDefault(byPath.ContainsKey);
            var boxes = new List<YoloBox>();
            if (labelPath is not null && await ReadLabelAsync(repo, byPath[labelPath], ct) is { } text)
            {
                var lines = text.Split('\n');
                for (var i = 0; i < lines.Length; i++)
                    if (YoloLabels.TryParseRow(lines[i], out var row))
                        boxes.Add(new YoloBox(row.Class, names.GetValueOrDefault(row.Class, row.Class.ToString(CultureInfo.InvariantCulture)), row.X, row.Y, row.Width, row.Height, i + 1));
            }
            else labelPath = null;
            result[requested] = new AnnotatedImage(dataset + "/" + imagePath, image.Hash.Hex, image.Size, labelPath is null ? null : dataset + "/" + labelPath, boxes);
        }
        return result;
    }

    /// <summary>
    /// A page (0-based) of a version's images in path order, each with its boxes, optionally only those with at least one box of
    /// <paramref name="classId"/> and/or a validation finding of <paramref name="rule"/> (on the image or its label file). Only the
    /// page's label files are read for its boxes; the per-tree index of image classes is read once and cached.
    /// </summary>
    public async Task<GalleryPage> GalleryAsync(string dataset, string revision, int? classId, string? rule, int page, int pageSize, CancellationToken ct)
    {
        if (pageSize < 1) throw new QueryException("pageSize", "the page size must be at least 1");
        if (page < 0) throw new QueryException("page", "the page must not be negative");
        // One repository handle for the whole page: the version, its label index (cached per tree), its report and the page's boxes.
        using var repo = Open();
        var (sha, tracked) = Locate(repo, dataset, revision);
        var index = await LabelIndexAsync(repo, tracked, ct);
        var report = await ReportOfAsync(repo, dataset, tracked, revision, ct);
        IEnumerable<(string Image, int[] Classes)> selected = index.Images;
        if (classId is { } c) selected = selected.Where(i => i.Classes.Contains(c));
        if (!string.IsNullOrEmpty(rule))
        {
            var images = new HashSet<string>(index.Images.Select(i => i.Image), StringComparer.Ordinal);
            var flagged = new HashSet<string>(StringComparer.Ordinal);
            foreach (var f in report?.Findings.Where(f => f.Rule == rule) ?? [])
            {
                var rel = DatasetRelative(dataset, f.Path);
                if ((images.Contains(rel) ? rel : YoloLabels.ImageFor(rel, images.Contains)) is { } image) flagged.Add(image);
            }
            selected = selected.Where(i => flagged.Contains(i.Image));
        }
        var matching = selected.Select(i => i.Image).ToList();
        var onPage = matching.Skip(page * pageSize).Take(pageSize).Select(i => dataset + "/" + i).ToList();
        var found = onPage.Count == 0 ? new Dictionary<string, AnnotatedImage>() : await ImagesInAsync(repo, dataset, await TreeFilesAsync(repo, tracked, ct), onPage, ct);
        var rules = report?.Findings.Select(f => f.Rule).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList() ?? [];
        return new GalleryPage(dataset, sha, matching.Count, page, pageSize, onPage.Where(found.ContainsKey).Select(p => found[p]).ToList(), index.ImagesPerClass, rules);
    }

    private static string DatasetRelative(string dataset, string path) =>
        path.StartsWith(dataset + "/", StringComparison.Ordinal) ? path[(dataset.Length + 1)..] : path;

    /// <summary>
    /// One pass over a tree's YOLO label files: every image with the distinct class ids of its label (none without a readable one),
    /// images and objects per class, and how many label files there are, are missing from the cache or have malformed rows.
    /// </summary>
    private static async Task<LabelIndex> IndexLabelsAsync(ObsRepository repo, TreeFiles tree, CancellationToken ct)
    {
        var (byPath, names) = (tree.ByPath, tree.Names);
        var classesOfLabel = new Dictionary<string, int[]>(StringComparer.Ordinal);
        var objectsPerClass = new SortedDictionary<int, int>();
        int labelFiles = 0, objects = 0, missing = 0, malformed = 0;
        foreach (var e in tree.Entries)
        {
            if (!YoloLabels.InLabelsFolder(e.Path)) continue;
            labelFiles++;
            if (!repo.Cache.Contains(e.Hash)) { missing++; continue; }
            if (await ReadLabelAsync(repo, e, ct) is not { } text) { malformed++; continue; }
            var classes = new SortedSet<int>();
            foreach (var line in text.Split('\n'))
            {
                if (line.Trim().Length == 0) continue;
                if (!YoloLabels.TryParseRow(line, out var row)) { malformed++; continue; }
                objectsPerClass[row.Class] = objectsPerClass.GetValueOrDefault(row.Class) + 1;
                objects++;
                classes.Add(row.Class);
            }
            classesOfLabel[e.Path] = classes.ToArray();
        }
        var images = new List<(string, int[])>();
        var imagesPerClass = new SortedDictionary<int, int>();
        foreach (var e in tree.Entries.Where(e => ImageFiles.IsImage(e.Path)).OrderBy(e => e.Path, StringComparer.Ordinal))
        {
            var classes = YoloLabels.LabelCandidates(e.Path).FirstOrDefault(byPath.ContainsKey) is { } label && classesOfLabel.TryGetValue(label, out var c) ? c : [];
            foreach (var id in classes) imagesPerClass[id] = imagesPerClass.GetValueOrDefault(id) + 1;
            images.Add((e.Path, classes));
        }
        // A declared class with no object is part of the balance.
        foreach (var id in names.Keys) { imagesPerClass.TryAdd(id, 0); objectsPerClass.TryAdd(id, 0); }
        List<ClassTally> Tallies(SortedDictionary<int, int> counts) =>
            counts.Select(kv => new ClassTally(kv.Key, names.GetValueOrDefault(kv.Key, kv.Key.ToString(CultureInfo.InvariantCulture)), kv.Value)).ToList();
        return new LabelIndex(images, Tallies(imagesPerClass), labelFiles, objects, missing, malformed, Tallies(objectsPerClass));
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

    /// <summary>The stored report read with validation's own serializer (the one JSON dialect of validation), shaped for the views.</summary>
    internal static ReportView ParseReport(ReadOnlySpan<byte> json, string dataset)
    {
        Validation.ValidationReport report;
        try
        {
            report = Validation.ValidationJson.Deserialize(json);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            throw new DataCheckException($"the validation report of {dataset} is not a report: {ex.Message}");
        }
        if (report.Summary is null || report.Findings is null)
            throw new DataCheckException($"the validation report of {dataset} is not a report: 'summary' or 'findings' is missing");
        var findings = report.Findings.Select(f => new FindingRow(f.Rule, f.Severity.ToString().ToLowerInvariant(), f.Path, f.Line, f.AnnotationId, f.Message)).ToList();
        var byRule = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (rule, count) in report.Summary.ByRule ?? new Dictionary<string, int>()) byRule[rule] = count;
        return new ReportView(report.Dataset ?? dataset, report.Files, new ReportSummary(report.Summary.Errors, report.Summary.Warnings, byRule), findings);
    }

    /// <summary>A label file's text, or null when it is not in the cache or larger than validation's annotation limit (never read whole).</summary>
    private static async Task<string?> ReadLabelAsync(ObsRepository repo, TreeEntry label, CancellationToken ct) =>
        label.Size > MaxLabelBytes || !repo.Cache.Contains(label.Hash) ? null : Encoding.UTF8.GetString(await repo.Cache.ReadAllBytesAsync(label.Hash, ct));

    /// <summary>Label files are shown, not validated, here: a file this large is a validation finding, not a view.</summary>
    private const long MaxLabelBytes = 16L * 1024 * 1024;

    /// <summary>Class names by id, with <see cref="ClassNames"/>' precedence (data.yaml, then classes.txt); none when neither is readable.</summary>
    private static async Task<IReadOnlyDictionary<int, string>> ClassNamesAsync(ObsRepository repo, IReadOnlyDictionary<string, TreeEntry> byPath, CancellationToken ct)
    {
        foreach (var candidate in ClassNames.DataYamlNames)
        {
            if (!byPath.TryGetValue(candidate, out var yaml) || yaml.Size > ClassNames.MaxBytes || !repo.Cache.Contains(yaml.Hash)) continue;
            // Problems are the validator's findings; here they only mean "no names from this file". A map with gaps still names its ids.
            if (ClassNames.ById(Encoding.UTF8.GetString(await repo.Cache.ReadAllBytesAsync(yaml.Hash, ct)), candidate, new List<ClassListProblem>()) is { } byId)
                return byId;
            break;
        }
        if (byPath.TryGetValue(ClassNames.ClassesTxt, out var txt) && txt.Size <= ClassNames.MaxBytes && repo.Cache.Contains(txt.Hash))
            return ClassNames.FromClassesTxt(Encoding.UTF8.GetString(await repo.Cache.ReadAllBytesAsync(txt.Hash, ct)))
                .Select((n, i) => (n, i)).ToDictionary(x => x.i, x => x.n);
        return new Dictionary<int, string>();
    }
}
