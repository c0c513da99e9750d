using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Observatory.DataService.Core.Annotations;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Validation;
using Observatory.Monitoring.Contracts;

namespace Observatory.Cli.ImportWindow;

/// <summary>One file an import writes, relative to the dataset folder: bytes made here, or a downloaded image to copy.</summary>
internal sealed record PlannedFile(string Path, byte[]? Content, string? SourceFile);

/// <summary>
/// What an import of one export changes in a dataset folder and what it found: new files, images already there with the same
/// bytes, and where the pre-labels came from.
/// </summary>
internal sealed record WindowPlan(IReadOnlyList<PlannedFile> Files, int Items, int NewImages, int SkippedIdentical, int Feedback, int Prediction, bool NewFolder);

/// <summary>
/// Turns an export manifest and its verified images into files of the dataset's own layout (YOLO, COCO or CSV), merged with what
/// the folder already holds. Pure planning: it reads the folder and the downloaded images and decides every byte before anything
/// is written, so every refusal (an unsafe name, a hash mismatch, a class the dataset lacks) leaves the folder untouched, and a
/// second run of the same export plans nothing. Files already there are never rewritten except the one merged annotation file
/// (annotations.json, labels.csv), and only when an image is added: a label a person corrected stays corrected.
/// </summary>
internal static partial class WindowDatasetWriter
{
    /// <summary>An image larger than this is refused (the service keeps camera frames, not archives).</summary>
    public const long MaxImageBytes = 50L * 1024 * 1024;

    public const string CocoFile = "annotations.json";
    public const string CsvFile = "labels.csv";

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex SafeName();

    /// <summary>Refuses a manifest whose names could leave the folder or collide, before anything is downloaded.</summary>
    public static void CheckManifest(ExportManifest manifest)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var stems = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in manifest.Items)
        {
            CheckFileName(item);
            if (!names.Add(item.FileName)) throw new StoreException($"export {manifest.Id} names the file '{item.FileName}' twice; nothing written");
            // YOLO labels are named by stem: a.jpg and a.png would share labels/a.txt.
            if (!stems.Add(Path.GetFileNameWithoutExtension(item.FileName)))
                throw new StoreException($"export {manifest.Id} has two images named '{Path.GetFileNameWithoutExtension(item.FileName)}.*'; nothing written");
            if (!ContentHash.TryParse(item.Sha256, out _)) throw new StoreException($"item {item.EventId} ({item.FileName}) has an invalid sha256 '{Clip(item.Sha256)}'; nothing written");
            if (item.Bytes > MaxImageBytes) throw TooLarge(item);
            CheckClassName(item.Label, item);
            foreach (var box in item.Boxes ?? []) CheckClassName(box.Class, item);
        }
        foreach (var c in manifest.Classes) CheckClassName(c, null);
    }

    /// <summary>Refuses split names that are not one plain folder name (they become a path segment).</summary>
    public static void CheckSplit(string split)
    {
        if (!SafeName().IsMatch(split) || split.Contains("..", StringComparison.Ordinal) || split.Length > 100)
            throw new UsageException($"--split '{Clip(split)}' must be one folder name of letters, digits, '.', '_' or '-'");
    }

    /// <summary>The split an import writes when none is named: <c>train</c> when the dataset already has images/train, else none.</summary>
    public static string? DefaultSplit(string datasetDir) => Directory.Exists(Path.Combine(datasetDir, "images", "train")) ? "train" : null;

    /// <summary>The layout of an existing folder (annotations.json: COCO, labels.csv: CSV), else YOLO.</summary>
    public static ExportFormat DetectFormat(string datasetDir) =>
        File.Exists(Path.Combine(datasetDir, CocoFile)) ? ExportFormat.Coco
        : File.Exists(Path.Combine(datasetDir, CsvFile)) ? ExportFormat.Csv
        : ExportFormat.Yolo;

    /// <param name="imageFile">The downloaded file of an item (verified again here: a mismatch is a refusal).</param>
    /// <param name="inspector">Decodes images for the pixel sizes COCO boxes need.</param>
    public static WindowPlan Plan(ExportManifest manifest, string datasetDir, ExportFormat format, string? split, Func<ExportItem, string> imageFile,
        IImageInspector inspector)
    {
        CheckManifest(manifest);
        if (split is not null) CheckSplit(split);
        var newFolder = !Directory.Exists(datasetDir);
        if (!newFolder) RefuseLink(datasetDir, datasetDir);
        var imagesDir = split is null ? "images" : $"images/{split}";
        var files = new List<PlannedFile>();
        var isNew = new Dictionary<string, bool>(StringComparer.Ordinal);
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var skipped = 0;
        foreach (var item in manifest.Items)
        {
            var source = imageFile(item);
            Verify(item, source);
            sources[item.EventId + "\n" + item.FileName] = source;
            var rel = $"{imagesDir}/{item.FileName}";
            var target = Existing(datasetDir, rel);
            if (target is null)
            {
                files.Add(new PlannedFile(rel, null, source));
                isNew[item.FileName] = true;
                continue;
            }
            if (!string.Equals(HashOf(target), item.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new DataCheckException($"{rel} is already in {datasetDir} with other bytes than item {item.EventId}; nothing written (move it away, or import into another folder)");
            isNew[item.FileName] = false;
            skipped++;
        }

        switch (format)
        {
            case ExportFormat.Yolo:
                PlanYolo(manifest, datasetDir, split, files);
                break;
            case ExportFormat.Coco:
                PlanCoco(manifest, datasetDir, imagesDir, item => sources[item.EventId + "\n" + item.FileName], inspector, files);
                break;
            case ExportFormat.Csv:
                PlanCsv(manifest, datasetDir, imagesDir, files);
                break;
            default:
                throw new UsageException($"unknown format {format}");
        }
        return new WindowPlan(files, manifest.Items.Count, isNew.Count(kv => kv.Value), skipped,
            manifest.Items.Count(i => i.LabelSource == LabelSource.Feedback), manifest.Items.Count(i => i.LabelSource == LabelSource.Prediction), newFolder);
    }

    private static void PlanYolo(ExportManifest manifest, string datasetDir, string? split, List<PlannedFile> files)
    {
        var (classes, from) = DatasetClasses(datasetDir);
        var ids = IdsOf(classes ?? manifest.Classes);
        int Id(string name) => ids.TryGetValue(name, out var id) ? id : throw MissingClass(name, from ?? "class list", datasetDir, manifest);
        var labelsDir = split is null ? "labels" : $"labels/{split}";
        foreach (var item in manifest.Items)
        {
            var lines = new StringBuilder();
            // A classification model sends no boxes: its label becomes one box over the whole frame, so the folder is still YOLO.
            var boxes = item.Boxes is { Count: > 0 } b ? b : [new EventBox(item.Label, 0.5, 0.5, 1, 1)];
            foreach (var box in boxes)
            {
                var (x, y, w, h) = Clamp(box);
                lines.Append(CultureInfo.InvariantCulture, $"{Id(box.Class)} {x:0.000000} {y:0.000000} {w:0.000000} {h:0.000000}\n");
            }
            var rel = $"{labelsDir}/{Path.GetFileNameWithoutExtension(item.FileName)}.txt";
            if (Existing(datasetDir, rel) is null) files.Add(new PlannedFile(rel, Encoding.UTF8.GetBytes(lines.ToString()), null));
        }
        if (classes is null && Existing(datasetDir, ClassNames.ClassesTxt) is null)
            files.Add(new PlannedFile(ClassNames.ClassesTxt, Encoding.UTF8.GetBytes(string.Concat(manifest.Classes.Select(c => c + "\n"))), null));
    }

    private static void PlanCoco(ExportManifest manifest, string datasetDir, string imagesDir, Func<ExportItem, string> source, IImageInspector inspector,
        List<PlannedFile> files)
    {
        var path = Existing(datasetDir, CocoFile);
        JsonObject root;
        if (path is null) root = new JsonObject();
        else
        {
            try
            {
                root = JsonNode.Parse(ReadSmall(path, CocoFile)) as JsonObject ?? throw new DataCheckException($"{CocoFile} in {datasetDir} is not a JSON object; nothing written");
            }
            catch (JsonException e)
            {
                throw new DataCheckException($"{CocoFile} in {datasetDir} is not valid JSON ({e.Message}); nothing written");
            }
        }
        var images = ArrayOf(root, "images");
        var annotations = ArrayOf(root, "annotations");
        var categories = ArrayOf(root, "categories");
        var categoryIds = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var c in categories)
            if (c?["name"]?.GetValueKind() == JsonValueKind.String && LongOf(c["id"]) is { } cid) categoryIds.TryAdd(c["name"]!.GetValue<string>(), cid);
        var from = $"{CocoFile} categories";
        if (categories.Count == 0)
        {
            // COCO's category ids start at 1 (0 is background in the reference tools).
            var (classes, classesFrom) = DatasetClasses(datasetDir);
            from = classesFrom ?? "class list";
            foreach (var (name, i) in (classes ?? manifest.Classes).Select((n, i) => (n, i)))
            {
                if (!categoryIds.TryAdd(name, i + 1)) continue;
                categories.Add(new JsonObject { ["id"] = i + 1, ["name"] = name });
            }
        }
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var img in images)
            if (img?["file_name"]?.GetValueKind() == JsonValueKind.String) listed.Add(img["file_name"]!.GetValue<string>());
        long nextImage = images.Select(i => LongOf(i?["id"]) ?? 0).DefaultIfEmpty(0).Max() + 1;
        long nextAnnotation = annotations.Select(a => LongOf(a?["id"]) ?? 0).DefaultIfEmpty(0).Max() + 1;
        var limits = ImageInspectionLimits.From(new ValidationRules());
        var added = 0;
        foreach (var item in manifest.Items)
        {
            var rel = $"{imagesDir}/{item.FileName}";
            if (listed.Contains(rel) || listed.Contains(item.FileName)) continue;
            var boxes = item.Boxes is { Count: > 0 } b ? b : [new EventBox(item.Label, 0.5, 0.5, 1, 1)];
            var ids = boxes.Select(box => categoryIds.TryGetValue(box.Class, out var id) ? id : throw MissingClass(box.Class, from, datasetDir, manifest)).ToList();
            var inspection = inspector.Inspect(File.ReadAllBytes(source(item)), limits);
            if (inspection.Status != InspectionStatus.Ok || inspection.Width <= 0 || inspection.Height <= 0)
                throw new DataCheckException($"item {item.EventId} ({item.FileName}) does not decode ({inspection.Status}{(inspection.Error is null ? "" : ": " + inspection.Error)}); its COCO box needs the image size; nothing written");
            var (w, h) = (inspection.Width, inspection.Height);
            var imageId = nextImage++;
            images.Add(new JsonObject { ["id"] = imageId, ["file_name"] = rel, ["width"] = w, ["height"] = h });
            foreach (var (box, categoryId) in boxes.Zip(ids))
            {
                var (cx, cy, bw, bh) = Clamp(box);
                double[] bbox = [Round((cx - bw / 2) * w), Round((cy - bh / 2) * h), Round(bw * w), Round(bh * h)];
                annotations.Add(new JsonObject
                {
                    ["id"] = nextAnnotation++, ["image_id"] = imageId, ["category_id"] = categoryId,
                    ["bbox"] = new JsonArray(bbox.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
                    ["area"] = Round(bbox[2] * bbox[3]), ["iscrowd"] = 0,
                });
            }
            added++;
        }
        if (added == 0) return;
        var text = root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        files.Add(new PlannedFile(CocoFile, Encoding.UTF8.GetBytes(text), null));
    }

    private static void PlanCsv(ExportManifest manifest, string datasetDir, string imagesDir, List<PlannedFile> files)
    {
        var path = Existing(datasetDir, CsvFile);
        var existing = path is null ? [] : ReadSmall(path, CsvFile);
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in Encoding.UTF8.GetString(existing).Split('\n').Skip(1))
            if (FirstField(line.TrimEnd('\r')) is { Length: > 0 } f) listed.Add(f);
        var rows = new StringBuilder();
        foreach (var item in manifest.Items)
        {
            var rel = $"{imagesDir}/{item.FileName}";
            if (listed.Contains(rel) || listed.Contains(item.FileName)) continue;
            rows.Append(rel).Append(',').Append(CsvField(item.Label)).Append('\n');
        }
        if (rows.Length == 0) return;
        var head = path is null ? "file,label\n"u8.ToArray() : existing.Length > 0 && existing[^1] != (byte)'\n' ? [.. existing, (byte)'\n'] : existing;
        files.Add(new PlannedFile(CsvFile, [.. head, .. Encoding.UTF8.GetBytes(rows.ToString())], null));
    }

    /// <summary>The class list the dataset already has (data.yaml names win over classes.txt, as validation reads them), and its file.</summary>
    private static (IReadOnlyList<string>? Names, string? From) DatasetClasses(string datasetDir)
    {
        foreach (var name in ClassNames.DataYamlNames)
        {
            if (Existing(datasetDir, name) is not { } yaml) continue;
            var problems = new List<ClassListProblem>();
            if (ClassNames.FromDataYaml(Encoding.UTF8.GetString(ReadSmall(yaml, name)), name, problems) is { Count: > 0 } names) return (names, name);
        }
        if (Existing(datasetDir, ClassNames.ClassesTxt) is { } txt)
        {
            var names = ClassNames.FromClassesTxt(Encoding.UTF8.GetString(ReadSmall(txt, ClassNames.ClassesTxt)));
            if (names.Count == 0) throw new DataCheckException($"{ClassNames.ClassesTxt} in {datasetDir} lists no classes; fill it in or remove it; nothing written");
            return (names, ClassNames.ClassesTxt);
        }
        return (null, null);
    }

    private static Dictionary<string, int> IdsOf(IReadOnlyList<string> classes)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < classes.Count; i++) ids.TryAdd(classes[i], i);
        return ids;
    }

    private static DataCheckException MissingClass(string name, string from, string datasetDir, ExportManifest manifest) =>
        new(from == "class list"
            ? $"class '{Clip(name)}' of export {manifest.Id} is not in the export's own class list; nothing written"
            : $"the export has class '{Clip(name)}', which {from} in {datasetDir} does not list; add it there (at the end, so ids stay) and run again; nothing written");

    private static void Verify(ExportItem item, string file)
    {
        var length = new FileInfo(file).Length;
        if (length > MaxImageBytes) throw TooLarge(item);
        var actual = HashOf(file);
        if (!string.Equals(actual, item.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new StoreException($"item {item.EventId} ({item.FileName}): the downloaded image hashes to {actual[..12]}…, the export says {Clip(item.Sha256)}; nothing written");
    }

    public static StoreException TooLarge(ExportItem item) =>
        new($"item {item.EventId} ({item.FileName}) is larger than {MaxImageBytes / 1048576} MiB; refused, nothing written");

    private static void CheckFileName(ExportItem item)
    {
        var n = item.FileName;
        if (string.IsNullOrEmpty(n) || n.Length > 200 || !SafeName().IsMatch(n) || n.Contains("..", StringComparison.Ordinal) || n.StartsWith('.') || !ImageFiles.IsImage(n))
            throw new StoreException($"item {item.EventId} has the unsafe file name '{Clip(n ?? "")}' (one name of letters, digits, '.', '_', '-' with an image extension); nothing written");
    }

    private static void CheckClassName(string name, ExportItem? item)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200 || name.Any(char.IsControl) || name != name.Trim())
            throw new StoreException($"{(item is null ? "the export" : $"item {item.EventId}")} has the class name '{Clip(name)}', which no class list can hold; nothing written");
    }

    /// <summary>The full path of <paramref name="rel"/> when it exists as a file; refuses links, which could lead a write elsewhere.</summary>
    private static string? Existing(string datasetDir, string rel)
    {
        var full = datasetDir;
        foreach (var segment in rel.Split('/'))
        {
            full = Path.Combine(full, segment);
            RefuseLink(full, datasetDir);
            if (!Path.Exists(full)) return null;
        }
        if (Directory.Exists(full)) throw new DataCheckException($"{rel} in {datasetDir} is a folder where the import writes a file; nothing written");
        return full;
    }

    private static void RefuseLink(string path, string datasetDir)
    {
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (info.Exists && info.LinkTarget is not null)
            throw new DataCheckException($"{path} is a link; the import writes only plain files and folders inside {datasetDir}; nothing written");
    }

    private static string HashOf(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static byte[] ReadSmall(string path, string name)
    {
        if (new FileInfo(path).Length > 256L * 1024 * 1024) throw new DataCheckException($"{name} is larger than 256 MiB; not merged; nothing written");
        return File.ReadAllBytes(path);
    }

    private static (double X, double Y, double W, double H) Clamp(EventBox b)
    {
        double x1 = Math.Clamp(b.X - b.Width / 2, 0, 1), x2 = Math.Clamp(b.X + b.Width / 2, 0, 1);
        double y1 = Math.Clamp(b.Y - b.Height / 2, 0, 1), y2 = Math.Clamp(b.Y + b.Height / 2, 0, 1);
        return ((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1);
    }

    private static double Round(double v) => Math.Round(v, 2, MidpointRounding.AwayFromZero);

    private static JsonArray ArrayOf(JsonObject root, string name)
    {
        if (root[name] is JsonArray a) return a;
        if (root[name] is not null) throw new DataCheckException($"'{name}' in {CocoFile} is not an array; nothing written");
        var created = new JsonArray();
        root[name] = created;
        return created;
    }

    private static long? LongOf(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var l) ? l
        : node is JsonValue d && d.GetValueKind() == JsonValueKind.Number && d.TryGetValue<double>(out var x) && x == Math.Floor(x) ? (long)x : null;

    private static string? FirstField(string line)
    {
        if (line.Length == 0) return null;
        if (line[0] != '"') return line.Split(',')[0];
        var sb = new StringBuilder();
        for (var i = 1; i < line.Length; i++)
        {
            if (line[i] != '"') { sb.Append(line[i]); continue; }
            if (i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; continue; }
            break;
        }
        return sb.ToString();
    }

    private static string CsvField(string s) => s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Clip(string s) => s.Length <= 80 ? s : s[..80] + "…";
}
