using System.Collections.Concurrent;
using System.Globalization;
using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Validation;

/// <summary>
/// Validates one tracked dataset directory: images (decoded in parallel on every core through <see cref="IImageInspector"/>, each
/// distinct content once, cached by content hash), YOLO / COCO / VOC annotations, image↔label pairing, duplicates and class balance.
/// Malformed input of any kind becomes a finding; the only exceptions are cancellation and a dataset directory that does not exist.
/// </summary>
public sealed class DatasetValidator(IImageInspector inspector)
{
    /// <param name="datasetDirectory">Absolute path of the tracked directory on disk.</param>
    /// <param name="datasetPathFromRepoRoot">The same directory relative to the repository root ('/' separators, e.g. <c>data/food</c>); prefixes every finding path.</param>
    /// <param name="files">The directory's files with their already computed hashes (paths relative to <paramref name="datasetDirectory"/>).</param>
    /// <param name="cache">Inspection cache; with a warm cache nothing is decoded.</param>
    /// <param name="progress">Receives the number of image files inspected so far.</param>
    public async Task<ValidationReport> ValidateAsync(string datasetDirectory, string datasetPathFromRepoRoot, IReadOnlyList<TreeEntry> files,
        ValidationRules rules, IValidationCache? cache, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(datasetDirectory)) throw new DirectoryNotFoundException($"dataset directory not found: {datasetDirectory}");
        var datasetPath = datasetPathFromRepoRoot.Replace('\\', '/').Trim('/');
        var prefix = datasetPath.Length == 0 ? "" : datasetPath + "/";
        var datasetLabel = datasetPath.Length == 0 ? "." : datasetPath;
        var layout = DatasetLayout.Classify(files, rules);
        var sinks = new FindingSinks(rules, prefix);
        FindingSink SinkFor(string relPath) => sinks.For(relPath);
        var datasetSink = new FindingSink(rules, datasetLabel);
        var loose = new List<ValidationFinding>();
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = rules.Parallelism > 0 ? rules.Parallelism : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };

        ClassList? classes = null;
        try
        {
            classes = ClassList.Load(rules, datasetDirectory, layout, SinkFor);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            datasetSink.Add(RuleIds.FileUnreadable, $"class list unreadable: {e.Message}");
        }

        var inspections = await InspectImagesAsync(datasetDirectory, layout, rules, cache, progress, parallel, SinkFor).ConfigureAwait(false);
        ImageInspection? InspectionOf(string relPath) =>
            layout.ByPath.TryGetValue(relPath, out var e) && inspections.TryGetValue(e.Hash, out var i) ? i : null;

        foreach (var image in layout.Images)
        {
            var sink = SinkFor(image.Path);
            if (image.Size == 0) sink.Add(RuleIds.ImageEmpty, "zero-byte image file");
            else if (image.Size > rules.MaxImageBytes) sink.Add(RuleIds.ImageFileSize, $"{image.Size} bytes exceeds max_image_bytes {rules.MaxImageBytes}; not decoded");
            else if (inspections.TryGetValue(image.Hash, out var inspection)) ImageChecks.Check(image, inspection, rules, sink);
        }
        ImageChecks.ExactDuplicates(layout.Images, rules, prefix, loose);
        var nearCandidates = layout.Images
            .Where(i => i.Size > 0 && inspections.TryGetValue(i.Hash, out var x) && x.Status == InspectionStatus.Ok && x.PixelVariance >= rules.MinPixelVariance)
            .GroupBy(i => i.Hash)
            .Select(g => (Path: g.Select(e => e.Path).Min(StringComparer.Ordinal)!, Hash: inspections[g.Key].PerceptualHash, Inspection: inspections[g.Key]))
            .OrderBy(c => c.Path, StringComparer.Ordinal)
            .ToList();
        ImageChecks.NearDuplicates(nearCandidates, rules, prefix, loose, cancellationToken);

        // YOLO labels, in parallel: many small files.
        var yoloCounts = new Dictionary<int, int>();
        var labelledByYolo = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        await Task.Run(() => Parallel.ForEach(layout.YoloLabels, parallel, label =>
        {
            var sink = SinkFor(label.Path);
            var image = layout.ImageOfLabel(label.Path);
            if (image is null) sink.Add(RuleIds.PairOrphanLabel, "label file has no image (looked for the same name under images/ and beside it)");
            else labelledByYolo[image] = 0;
            var content = ReadAnnotation(datasetDirectory, label, rules, sink);
            if (content is null) return;
            var real = image is null ? null : InspectionOf(image);
            var ok = real is { Status: InspectionStatus.Ok };
            var counts = new Dictionary<int, int>();
            YoloLabelChecker.Check(content, ok ? real!.Width : 0, ok ? real!.Height : 0, classes, rules, sink, counts);
            lock (yoloCounts)
                foreach (var (id, n) in counts) yoloCounts[id] = yoloCounts.GetValueOrDefault(id) + n;
        }), cancellationToken).ConfigureAwait(false);
        if (layout.YoloLabels.Count > 0 && classes is null)
            datasetSink.Add(RuleIds.YoloNoClassList, "YOLO labels but no data.yaml, classes.txt or validation.classes: class ids checked only for being integers >= 0");

        var listedByCoco = new HashSet<string>(StringComparer.Ordinal);
        var cocoCounts = new Dictionary<int, (string Name, int Count)>();
        foreach (var json in layout.JsonFiles)
        {
            var sink = SinkFor(json.Path);
            var content = ReadAnnotation(datasetDirectory, json, rules, sink);
            if (content is null) continue;
            var result = CocoChecker.Check(content, json.Path, layout, InspectionOf, rules, sink);
            listedByCoco.UnionWith(result.ListedImages);
            foreach (var (id, (name, n)) in result.CategoryCounts) cocoCounts[id] = (name, cocoCounts.GetValueOrDefault(id).Count + n);
        }

        var vocCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var labelledByVoc = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        await Task.Run(() => Parallel.ForEach(layout.XmlFiles, parallel, xml =>
        {
            var sink = SinkFor(xml.Path);
            var content = ReadAnnotation(datasetDirectory, xml, rules, sink);
            if (content is null) return;
            var result = VocChecker.Check(content, xml.Path, layout, classes, InspectionOf, rules, sink);
            if (result.Image is not null) labelledByVoc[result.Image] = 0;
            lock (vocCounts)
                foreach (var (name, n) in result.ClassCounts) vocCounts[name] = vocCounts.GetValueOrDefault(name) + n;
        }), cancellationToken).ConfigureAwait(false);

        if (layout.YoloLabels.Count > 0 || layout.XmlFiles.Count > 0 || listedByCoco.Count > 0)
        {
            foreach (var image in layout.Images)
            {
                if (labelledByYolo.ContainsKey(image.Path) || labelledByVoc.ContainsKey(image.Path) || listedByCoco.Contains(image.Path)) continue;
                var looked = new List<string>();
                if (layout.YoloLabels.Count > 0) looked.Add($"no YOLO label {prefix}{DatasetLayout.LabelCandidates(image.Path).First()}");
                if (layout.XmlFiles.Count > 0) looked.Add("no VOC file names it");
                if (listedByCoco.Count > 0) looked.Add("no COCO file lists it");
                SinkFor(image.Path).Add(RuleIds.PairMissingLabel, $"image has no label: {string.Join(", ", looked)}");
            }
        }

        var balance = Balance(classes, yoloCounts, cocoCounts, vocCounts);
        if (balance is not null) datasetSink.Add(RuleIds.ClassBalance, Describe(balance));

        var findings = new List<ValidationFinding>(loose);
        sinks.DrainTo(findings);
        datasetSink.DrainTo(findings);
        findings.Sort(CompareFindings);
        return new ValidationReport(datasetLabel, files.Count, ValidationSummary.Of(findings), findings, balance);
    }

    private async Task<Dictionary<ContentHash, ImageInspection>> InspectImagesAsync(string datasetDirectory, DatasetLayout layout, ValidationRules rules,
        IValidationCache? cache, IProgress<int>? progress, ParallelOptions parallel, Func<string, FindingSink> sinkFor)
    {
        var limits = ImageInspectionLimits.From(rules);
        var variant = $"{inspector.Version}-{rules.InspectionFingerprint}";
        // One decode per distinct content: duplicates share the inspection.
        var work = layout.Images.Where(i => i.Size > 0 && i.Size <= rules.MaxImageBytes)
            .GroupBy(i => i.Hash)
            .Select(g => (Hash: g.Key, Entries: g.ToList()))
            .ToList();
        var results = new ConcurrentDictionary<ContentHash, ImageInspection>();
        var done = 0;
        // Synchronous reads inside Parallel.ForEach: for many small files they cost less than async I/O.
        await Task.Run(() => Parallel.ForEach(work, parallel, item =>
        {
            if (cache is not null && cache.TryGet(item.Hash, variant, out var cached))
                results[item.Hash] = cached;
            else
            {
                var first = item.Entries[0];
                byte[] bytes;
                try
                {
                    bytes = File.ReadAllBytes(Path.Combine(datasetDirectory, first.Path));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    foreach (var entry in item.Entries) sinkFor(entry.Path).Add(RuleIds.FileUnreadable, $"cannot read: {e.Message}");
                    return;
                }
                ImageInspection inspection;
                try
                {
                    inspection = inspector.Inspect(bytes, limits);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The port must not throw; if a decoder still does, the file is reported, not the run aborted.
                    inspection = new ImageInspection { Status = InspectionStatus.Corrupt, Format = ImageHeader.Sniff(bytes), Error = $"decoder failed: {e.Message}" };
                }
                results[item.Hash] = inspection;
                cache?.Set(item.Hash, variant, inspection);
            }
            progress?.Report(Interlocked.Add(ref done, item.Entries.Count));
        }), parallel.CancellationToken).ConfigureAwait(false);
        cache?.Flush();
        return new Dictionary<ContentHash, ImageInspection>(results);
    }

    private static byte[]? ReadAnnotation(string datasetDirectory, TreeEntry entry, ValidationRules rules, FindingSink sink)
    {
        if (entry.Size > rules.MaxAnnotationBytes)
        {
            sink.Add(RuleIds.AnnotationTooLarge, $"{entry.Size} bytes exceeds max_annotation_bytes {rules.MaxAnnotationBytes}; not parsed");
            return null;
        }
        try
        {
            var path = Path.Combine(datasetDirectory, entry.Path);
            // The size on disk may differ from the tree entry if the file changed since hashing; never read more than the limit.
            if (new FileInfo(path).Length > rules.MaxAnnotationBytes)
            {
                sink.Add(RuleIds.AnnotationTooLarge, $"file on disk exceeds max_annotation_bytes {rules.MaxAnnotationBytes}; not parsed");
                return null;
            }
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            sink.Add(RuleIds.FileUnreadable, $"cannot read: {e.Message}");
            return null;
        }
    }

    private static ClassBalance? Balance(ClassList? classes, Dictionary<int, int> yolo, Dictionary<int, (string Name, int Count)> coco, Dictionary<string, int> voc)
    {
        List<ClassCount> counts;
        string source;
        if (yolo.Count > 0)
        {
            source = "yolo";
            var ids = yolo.Keys.Union(Enumerable.Range(0, classes?.Names.Count ?? 0)).Order();
            counts = ids.Select(id => new ClassCount(classes is not null && id < classes.Names.Count ? classes.Names[id] : $"class {id}", id, yolo.GetValueOrDefault(id))).ToList();
        }
        else if (coco.Values.Any(c => c.Count > 0))
        {
            source = "coco";
            counts = coco.OrderBy(kv => kv.Key).Select(kv => new ClassCount(kv.Value.Name, kv.Key, kv.Value.Count)).ToList();
        }
        else if (voc.Count > 0)
        {
            source = "voc";
            var names = voc.Keys.Union(classes?.Names ?? []).Distinct(StringComparer.Ordinal);
            counts = names.Select(n => new ClassCount(n, classes is null ? null : IndexOf(classes.Names, n), voc.GetValueOrDefault(n)))
                .OrderBy(c => c.Id ?? int.MaxValue).ThenBy(c => c.Name, StringComparer.Ordinal).ToList();
        }
        else return null;
        var nonEmpty = counts.Where(c => c.Count > 0).Select(c => c.Count).ToList();
        double? ratio = nonEmpty.Count > 0 ? (double)nonEmpty.Max() / nonEmpty.Min() : null;
        return new ClassBalance(source, counts, ratio);
    }

    private static int? IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++) if (names[i] == name) return i;
        return null;
    }

    internal static string Describe(ClassBalance b)
    {
        var parts = string.Join(", ", b.Classes.Select(c => $"{c.Name} {c.Count}"));
        var empty = b.Classes.Count(c => c.Count == 0);
        var ratio = b.ImbalanceRatio is { } r ? string.Create(CultureInfo.InvariantCulture, $"; imbalance ratio {r:0.##} (largest / smallest class)") : "";
        return $"objects per class ({b.Source}): {parts}{ratio}{(empty > 0 ? $"; {empty} classes without objects" : "")}";
    }

    private static int CompareFindings(ValidationFinding a, ValidationFinding b)
    {
        var c = string.CompareOrdinal(a.Path, b.Path);
        if (c != 0) return c;
        c = (a.Line ?? 0).CompareTo(b.Line ?? 0);
        if (c != 0) return c;
        c = string.CompareOrdinal(a.Rule, b.Rule);
        if (c != 0) return c;
        c = string.CompareOrdinal(a.AnnotationId, b.AnnotationId);
        return c != 0 ? c : string.CompareOrdinal(a.Message, b.Message);
    }
}
