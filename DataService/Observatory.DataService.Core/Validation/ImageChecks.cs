using System.Globalization;
using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Validation;

/// <summary>Rules applied to one image's inspection, and the dataset-wide duplicate rules.</summary>
internal static class ImageChecks
{
    public static void Check(TreeEntry entry, ImageInspection inspection, ValidationRules rules, FindingSink sink)
    {
        var expected = ImageHeader.FormatOfExtension(DatasetLayout.Extension(entry.Path));
        switch (inspection.Status)
        {
            case InspectionStatus.NotAnImage:
                sink.Add(RuleIds.ImageNotImage, $"not an image: {inspection.Error}");
                return;
            case InspectionStatus.Unsupported:
                sink.Add(RuleIds.ImageUnsupported, $"{inspection.Format} image cannot be decoded here; pixels not checked");
                return;
        }
        if (expected != ImageFormat.Unknown && inspection.Format != expected)
            sink.Add(RuleIds.ImageFormatMismatch, $"content is {inspection.Format} but the extension says {expected}");
        switch (inspection.Status)
        {
            case InspectionStatus.TooLarge:
                sink.Add(RuleIds.ImageTooLarge, $"{inspection.Width}×{inspection.Height} exceeds max_side {rules.MaxSide} or max_pixels {rules.MaxPixels}; not decoded");
                return;
            case InspectionStatus.Corrupt:
                sink.Add(RuleIds.ImageCorrupt, $"corrupt {inspection.Format}: {inspection.Error}");
                return;
            case InspectionStatus.Truncated:
                sink.Add(RuleIds.ImageTruncated, $"truncated {inspection.Format}: {inspection.Error}");
                return;
        }
        if (entry.Size < rules.MinImageBytes)
            sink.Add(RuleIds.ImageFileSize, $"{entry.Size} bytes is below min_image_bytes {rules.MinImageBytes}");
        if (inspection.Width < rules.MinWidth || inspection.Height < rules.MinHeight)
            sink.Add(RuleIds.ImageTooSmall, $"{inspection.Width}×{inspection.Height} is below the minimum {rules.MinWidth}×{rules.MinHeight}");
        var mode = ModeName(inspection);
        var modeSeverity = rules.ColourModeSeverity(mode);
        if (modeSeverity != Severity.Off)
            sink.Add(RuleIds.ImageColourMode, modeSeverity, $"colour mode {mode} ({inspection.Channels} channels{(inspection.HasTransparency ? ", transparent pixels" : "")}) is flagged by colour_modes.{mode}");
        if (inspection.BitDepth > 8)
            sink.Add(RuleIds.ImageBitDepth, $"{inspection.BitDepth} bits per channel (8 expected)");
        if (inspection.PixelVariance < rules.MinPixelVariance)
            sink.Add(RuleIds.ImageNearConstant, string.Create(CultureInfo.InvariantCulture,
                $"nearly uniform: pixel variance {inspection.PixelVariance:0.###} < min_pixel_variance {rules.MinPixelVariance} (mean luma {inspection.LumaMean:0.#})"));
        if (inspection.MissingJpegEoi)
            sink.Add(RuleIds.ImageJpegNoEoi, "JPEG does not end with the FF D9 end-of-image marker (bytes after the image data)");
    }

    private static double ColourShift(ImageInspection a, ImageInspection b) =>
        Math.Max(Math.Abs(a.MeanRed - b.MeanRed), Math.Max(Math.Abs(a.MeanGreen - b.MeanGreen), Math.Abs(a.MeanBlue - b.MeanBlue)));

    /// <summary>Config name of the colour mode; an alpha channel whose pixels are all opaque counts as no alpha.</summary>
    public static string ModeName(ImageInspection i) => i.ColourMode switch
    {
        ColourMode.Grayscale => "grayscale",
        ColourMode.GrayscaleAlpha => i.HasTransparency ? "grayscale_alpha" : "grayscale",
        ColourMode.Rgba => i.HasTransparency ? "rgba" : "rgb",
        ColourMode.Palette => "palette",
        ColourMode.Cmyk => "cmyk",
        _ => "rgb",
    };

    /// <summary>Every byte-identical copy after the first (ordinal path order) is reported against the first.</summary>
    public static void ExactDuplicates(IEnumerable<TreeEntry> images, ValidationRules rules, string prefix, List<ValidationFinding> output)
    {
        var severity = rules.SeverityOf(RuleIds.ImageDuplicate);
        if (severity == Severity.Off) return;
        foreach (var group in images.Where(i => i.Size > 0).GroupBy(i => i.Hash))
        {
            var paths = group.Select(g => g.Path).Order(StringComparer.Ordinal).ToList();
            for (var k = 1; k < paths.Count; k++)
                output.Add(new ValidationFinding(RuleIds.ImageDuplicate, severity, prefix + paths[k], $"identical to {prefix}{paths[0]} (same SHA-256)"));
        }
    }

    /// <summary>
    /// Reports pairs of distinct images whose perceptual hashes differ in at most near_duplicate_distance bits. Multi-index hashing:
    /// the 64 bits are cut into distance + 1 chunks; by the pigeonhole principle a near pair agrees on at least one chunk, so only
    /// images sharing a chunk value are compared — near-linear instead of all pairs.
    /// </summary>
    public static void NearDuplicates(IReadOnlyList<(string Path, ulong Hash, ImageInspection Inspection)> candidates, ValidationRules rules, string prefix, List<ValidationFinding> output,
        CancellationToken ct)
    {
        var severity = rules.SeverityOf(RuleIds.ImageNearDuplicate);
        if (severity == Severity.Off || candidates.Count < 2 || rules.MaxNearDuplicatePairs == 0) return;
        var d = rules.NearDuplicateDistance;
        var chunks = Math.Min(d + 1, 64);
        var pairs = new SortedSet<(int A, int B)>();
        var truncated = false;
        for (var c = 0; c < chunks && !truncated; c++)
        {
            ct.ThrowIfCancellationRequested();
            int start = c * 64 / chunks, end = (c + 1) * 64 / chunks;
            var mask = end - start == 64 ? ulong.MaxValue : ((1UL << (end - start)) - 1) << start;
            var buckets = new Dictionary<ulong, List<int>>();
            for (var i = 0; i < candidates.Count; i++)
            {
                var key = candidates[i].Hash & mask;
                if (!buckets.TryGetValue(key, out var list)) buckets[key] = list = [];
                list.Add(i);
            }
            foreach (var list in buckets.Values)
            {
                for (var x = 0; x < list.Count && !truncated; x++)
                    for (var y = x + 1; y < list.Count; y++)
                    {
                        int a = list[x], b = list[y];
                        if (PerceptualHashing.Distance(candidates[a].Hash, candidates[b].Hash) > d) continue;
                        if (ColourShift(candidates[a].Inspection, candidates[b].Inspection) > rules.NearDuplicateMaxColourShift) continue;
                        if (LumaStatistics.ThumbnailDifference(candidates[a].Inspection.Thumbnail, candidates[b].Inspection.Thumbnail) > rules.NearDuplicateMaxThumbnailDifference) continue;
                        pairs.Add(a < b ? (a, b) : (b, a));
                        if (pairs.Count >= rules.MaxNearDuplicatePairs) { truncated = true; break; }
                    }
                if (truncated) break;
            }
        }
        foreach (var (a, b) in pairs)
        {
            var (first, second) = string.CompareOrdinal(candidates[a].Path, candidates[b].Path) < 0 ? (a, b) : (b, a);
            var dist = PerceptualHashing.Distance(candidates[a].Hash, candidates[b].Hash);
            output.Add(new ValidationFinding(RuleIds.ImageNearDuplicate, severity, prefix + candidates[second].Path,
                $"near-duplicate of {prefix}{candidates[first].Path} (perceptual hash distance {dist} of 64 bits)"));
        }
        if (truncated)
            output.Add(new ValidationFinding(RuleIds.FindingsTruncated, Severity.Info, prefix.TrimEnd('/'),
                $"near-duplicate pairs stopped at max_near_duplicate_pairs = {rules.MaxNearDuplicatePairs}"));
    }
}
