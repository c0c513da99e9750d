using Observatory.DataService.Core.Queries;

namespace Observatory.Reports;

/// <summary>Gathers a <see cref="DatasetVersionsReport"/> from the catalog, as the Datasets page shows the same things (diff, class balance, findings).</summary>
public static class DatasetReports
{
    /// <summary>Relabelled images drawn before/after, at most: each pair reads two label files and two images.</summary>
    public const int MaxRelabelled = 12;

    /// <summary>Images embedded beside findings, at most (the table still lists every finding up to <see cref="HtmlReports.MaxRows"/>).</summary>
    public const int MaxFindingImages = 24;

    /// <param name="from">A revision of the repository (commit, tag, HEAD~1): the "before" side.</param>
    /// <param name="to">The "after" side.</param>
    /// <param name="skipMissing">Leave out a dataset absent from either revision (when the caller listed every dataset) instead of failing.</param>
    /// <param name="progress">One line per step, for a person watching (stderr in the CLI).</param>
    public static async Task<DatasetVersionsReport> BuildAsync(DatasetCatalog catalog, IReadOnlyList<string> datasets, string from, string to, bool skipMissing,
        TimeProvider time, Action<string>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(time);
        var comparisons = new List<DatasetComparison>();
        foreach (var dataset in datasets)
        {
            progress?.Invoke($"comparing {dataset} {from} → {to}");
            try { comparisons.Add(await CompareAsync(catalog, dataset, from, to, ct)); }
            catch (QueryNotFoundException ex) when (skipMissing) { progress?.Invoke($"skipping {dataset}: {ex.Message}"); }
        }
        return new DatasetVersionsReport(from, to, time.GetUtcNow(), comparisons);
    }

    /// <summary>One dataset: the diff with boxes, both class balances and validation reports, and bounded thumbnails.</summary>
    public static async Task<DatasetComparison> CompareAsync(DatasetCatalog catalog, string dataset, string from, string to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var diff = await catalog.DiffAsync(dataset, from, to, ct, DataService.Core.Annotations.AnnotationDiff.DefaultIou);
        var notes = new List<string>();
        var before = await catalog.ClassBalanceAsync(dataset, from, ct);
        var after = await catalog.ClassBalanceAsync(dataset, to, ct);
        var validationBefore = await ValidationAsync(catalog, dataset, from, notes, ct);
        var validationAfter = await ValidationAsync(catalog, dataset, to, notes, ct);

        var labels = diff.Files.Where(f => f.Change == "modified" && f.Path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)).Take(MaxRelabelled).Select(f => f.Path).ToList();
        var relabelled = new List<ImagePair>();
        if (labels.Count > 0)
        {
            var b = await catalog.ImagesAsync(dataset, from, labels, ct);
            var a = await catalog.ImagesAsync(dataset, to, labels, ct);
            foreach (var l in labels)
                if (b.TryGetValue(l, out var bi) && a.TryGetValue(l, out var ai)
                    && ReportImage.From(bi, await BytesAsync(catalog, bi, ct)) is { } rb && ReportImage.From(ai, await BytesAsync(catalog, ai, ct)) is { } ra)
                    relabelled.Add(new ImagePair(ai.Path, rb, ra));
        }

        var findingImages = new Dictionary<string, ReportImage>(StringComparer.Ordinal);
        if (validationAfter is { Findings.Count: > 0 } report)
        {
            var paths = report.Findings.Select(f => f.Path).Distinct(StringComparer.Ordinal).Take(MaxFindingImages).ToList();
            foreach (var (path, image) in await catalog.ImagesAsync(dataset, to, paths, ct))
                if (ReportImage.From(image, await BytesAsync(catalog, image, ct)) is { } ri) findingImages[path] = ri;
        }
        return new DatasetComparison(diff, before, after, validationBefore, validationAfter) { Relabelled = relabelled, FindingImages = findingImages, Notes = notes };
    }

    private static async Task<ReportView?> ValidationAsync(DatasetCatalog catalog, string dataset, string revision, List<string> notes, CancellationToken ct)
    {
        try { return await catalog.ValidationReportAsync(dataset, revision, ct); }
        catch (QueryNotFoundException ex) { notes.Add(ex.Message); return null; }
    }

    /// <summary>The image's bytes when the cache holds them and they are small enough to embed; null otherwise.</summary>
    private static async Task<byte[]?> BytesAsync(DatasetCatalog catalog, AnnotatedImage image, CancellationToken ct)
    {
        if (image.Size > ReportImage.MaxBytes) return null;
        await using var stream = catalog.OpenObject(image.Sha256);
        if (stream is null) return null;
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }
}
