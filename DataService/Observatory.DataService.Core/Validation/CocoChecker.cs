using System.Globalization;
using System.Text.Json;

namespace Observatory.DataService.Core.Validation;

/// <summary>What a COCO file contributes to pairing and class balance.</summary>
internal sealed record CocoResult(bool IsCoco, IReadOnlyCollection<string> ListedImages, IReadOnlyDictionary<int, (string Name, int Count)> CategoryCounts)
{
    /// <summary>Well-formed boxes (pixels) by the image they belong to (resolved path, else the JSON's file_name), for the annotation diff.</summary>
    public IReadOnlyList<(string Image, Annotations.LabelBox Box)> Boxes { get; init; } = [];
}

/// <summary>
/// Checks a COCO detection file: the images/annotations/categories schema, unique ids, references that resolve, bboxes inside their
/// image with positive size and area, listed files present, and JSON sizes equal to the decoded sizes (Detectron2's
/// check_image_size). JSON that is valid but has none of the three COCO arrays is not COCO and is ignored.
/// </summary>
internal static class CocoChecker
{
    public static CocoResult Check(byte[] content, string jsonPath, DatasetLayout layout, Func<string, ImageInspection?> inspectionOf,
        ValidationRules rules, FindingSink sink)
    {
        var none = new CocoResult(false, [], new Dictionary<int, (string, int)>());
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(content, new JsonDocumentOptions { MaxDepth = rules.MaxJsonDepth });
        }
        catch (JsonException e)
        {
            sink.Add(RuleIds.JsonSyntax, $"not valid JSON: {FirstSentence(e.Message)}", (int?)e.LineNumber + 1);
            return none;
        }
        try
        {
            using (doc) return CheckDocument(doc, jsonPath, layout, inspectionOf, rules, sink, none);
        }
        catch (InvalidOperationException e) when (e.InnerException is System.Text.DecoderFallbackException)
        {
            // System.Text.Json validates structure eagerly but string contents only when read.
            sink.Add(RuleIds.JsonSyntax, "a string is not valid UTF-8");
            return none;
        }
    }

    private static CocoResult CheckDocument(JsonDocument doc, string jsonPath, DatasetLayout layout, Func<string, ImageInspection?> inspectionOf,
        ValidationRules rules, FindingSink sink, CocoResult none)
    {
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return none;
            var hasImages = root.TryGetProperty("images", out var images);
            var hasAnns = root.TryGetProperty("annotations", out var anns);
            var hasCats = root.TryGetProperty("categories", out var cats);
            if (!hasImages && !hasAnns && !hasCats) return none;
            foreach (var (has, el, name) in new[] { (hasImages, images, "images"), (hasAnns, anns, "annotations"), (hasCats, cats, "categories") })
            {
                if (!has) sink.Add(RuleIds.CocoSchema, $"no '{name}' array");
                else if (el.ValueKind != JsonValueKind.Array) sink.Add(RuleIds.CocoSchema, $"'{name}' is {el.ValueKind.ToString().ToLowerInvariant()}, not an array");
            }
            var split = SplitOf(jsonPath);
            var jsonDir = DatasetLayout.Directory(jsonPath);
            var imageSizes = new Dictionary<long, (double W, double H)>();
            var imagePaths = new Dictionary<long, string>();
            var boxes = new List<(string, Annotations.LabelBox)>();
            var listed = new HashSet<string>(StringComparer.Ordinal);
            if (hasImages && images.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var img in images.EnumerateArray())
                {
                    var where = $"images[{index++}]";
                    if (img.ValueKind != JsonValueKind.Object) { sink.Add(RuleIds.CocoSchema, $"{where} is not an object"); continue; }
                    if (!TryId(img, "id", out var id)) { sink.Add(RuleIds.CocoSchema, $"{where} has no integer 'id'"); continue; }
                    var aid = $"image:{id}";
                    if (imageSizes.ContainsKey(id)) { sink.Add(RuleIds.CocoDuplicateId, $"image id {id} is used by more than one image", annotationId: aid); continue; }
                    var okW = TryNumber(img, "width", out var w) && w > 0 && w == Math.Floor(w);
                    var okH = TryNumber(img, "height", out var h) && h > 0 && h == Math.Floor(h);
                    if (!okW || !okH) sink.Add(RuleIds.CocoSchema, $"image {id}: 'width' and 'height' must be integers > 0", annotationId: aid);
                    imageSizes[id] = okW && okH ? (w, h) : (0, 0);
                    if (!img.TryGetProperty("file_name", out var fn) || fn.ValueKind != JsonValueKind.String)
                    {
                        sink.Add(RuleIds.CocoSchema, $"image {id} has no string 'file_name'", annotationId: aid);
                        continue;
                    }
                    var fileName = fn.GetString()!;
                    var resolved = layout.ResolveImage(fileName, jsonDir, split);
                    imagePaths[id] = resolved ?? fileName;
                    if (resolved is null)
                    {
                        sink.Add(RuleIds.CocoMissingFile, $"image {id} file_name '{YoloLabelChecker.Clip(fileName)}' is not in the dataset", annotationId: aid);
                        continue;
                    }
                    listed.Add(resolved);
                    if (okW && okH && inspectionOf(resolved) is { Status: InspectionStatus.Ok } real
                        && !SameSize(real, (int)w, (int)h))
                        sink.Add(RuleIds.CocoSizeMismatch, $"image {id} is {w}×{h} in the JSON but {resolved} decodes as {real.Width}×{real.Height}", annotationId: aid);
                }
            }
            var categories = new Dictionary<long, string>();
            if (hasCats && cats.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var cat in cats.EnumerateArray())
                {
                    var where = $"categories[{index++}]";
                    if (cat.ValueKind != JsonValueKind.Object || !TryId(cat, "id", out var id)) { sink.Add(RuleIds.CocoSchema, $"{where} has no integer 'id'"); continue; }
                    if (categories.ContainsKey(id)) { sink.Add(RuleIds.CocoDuplicateId, $"category id {id} is used by more than one category", annotationId: $"category:{id}"); continue; }
                    var name = cat.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : null;
                    if (name is null) sink.Add(RuleIds.CocoSchema, $"category {id} has no string 'name'", annotationId: $"category:{id}");
                    categories[id] = name ?? $"category {id}";
                }
            }
            var counts = new Dictionary<int, (string Name, int Count)>();
            if (hasAnns && anns.ValueKind == JsonValueKind.Array)
            {
                var ids = new HashSet<long>();
                var index = 0;
                foreach (var ann in anns.EnumerateArray())
                {
                    var where = $"annotations[{index++}]";
                    if (ann.ValueKind != JsonValueKind.Object || !TryId(ann, "id", out var id)) { sink.Add(RuleIds.CocoSchema, $"{where} has no integer 'id'"); continue; }
                    var aid = id.ToString(CultureInfo.InvariantCulture);
                    if (!ids.Add(id)) sink.Add(RuleIds.CocoDuplicateId, $"annotation id {id} is used by more than one annotation", annotationId: aid);
                    (double W, double H) size = (0, 0);
                    string? catName = null;
                    if (!TryId(ann, "image_id", out var imageId)) sink.Add(RuleIds.CocoSchema, $"annotation {id} has no integer 'image_id'", annotationId: aid);
                    else if (!imageSizes.TryGetValue(imageId, out size)) sink.Add(RuleIds.CocoUnresolvedImage, $"annotation {id} refers to image_id {imageId}, which is not in 'images'", annotationId: aid);
                    if (!TryId(ann, "category_id", out var catId)) sink.Add(RuleIds.CocoSchema, $"annotation {id} has no integer 'category_id'", annotationId: aid);
                    else if (!categories.TryGetValue(catId, out catName)) sink.Add(RuleIds.CocoUnresolvedCategory, $"annotation {id} refers to category_id {catId}, which is not in 'categories'", annotationId: aid);
                    else if (catId is >= int.MinValue and <= int.MaxValue) counts[(int)catId] = (catName, counts.GetValueOrDefault((int)catId).Count + 1);
                    if (ann.TryGetProperty("area", out var area) && !(Finite(area) > 0))
                        sink.Add(RuleIds.CocoArea, $"annotation {id} area {Clip(area)} is not > 0", annotationId: aid);
                    if (CheckBbox(ann, id, aid, size, rules, sink) is { } box && catName is not null && imagePaths.TryGetValue(imageId, out var imagePath))
                        boxes.Add((imagePath, new Annotations.LabelBox(catName, box.X, box.Y, box.X + box.W, box.Y + box.H)));
                }
            }
            foreach (var (catId, name) in categories)
                if (catId is >= int.MinValue and <= int.MaxValue && !counts.ContainsKey((int)catId)) counts[(int)catId] = (name, 0);
            return new CocoResult(true, listed, counts) { Boxes = boxes };
        }
    }

    /// <summary>Checks the bbox; returns it when it has 4 finite numbers and an area (even if it reaches beyond the image).</summary>
    private static (double X, double Y, double W, double H)? CheckBbox(JsonElement ann, long id, string aid, (double W, double H) size, ValidationRules rules, FindingSink sink)
    {
        if (!ann.TryGetProperty("bbox", out var bbox) || bbox.ValueKind != JsonValueKind.Array || bbox.GetArrayLength() != 4
            || bbox.EnumerateArray().Any(v => Finite(v) is null))
        {
            sink.Add(RuleIds.CocoSchema, $"annotation {id} 'bbox' is not [x, y, width, height] of 4 finite numbers", annotationId: aid);
            return null;
        }
        double x = Finite(bbox[0])!.Value, y = Finite(bbox[1])!.Value, w = Finite(bbox[2])!.Value, h = Finite(bbox[3])!.Value;
        if (w <= 0 || h <= 0)
        {
            sink.Add(RuleIds.CocoBboxDegenerate, $"annotation {id} bbox width {Num(w)} and height {Num(h)} must both be > 0", annotationId: aid);
            return null;
        }
        var tol = rules.BoxTolerancePx;
        if (size.W > 0 && (x < -tol || y < -tol || x + w > size.W + tol || y + h > size.H + tol))
            sink.Add(RuleIds.CocoBboxOutside, $"annotation {id} bbox [{Num(x)}, {Num(y)}, {Num(w)}, {Num(h)}] reaches beyond its {size.W}×{size.H} image", annotationId: aid);
        return (x, y, w, h);
    }

    internal static bool SameSize(ImageInspection real, int w, int h) =>
        (real.Width == w && real.Height == h) || (real.Transposed && real.Width == h && real.Height == w);

    /// <summary>Split named by the file (instances_train.json → train), used to pick among images with the same file name.</summary>
    private static string? SplitOf(string jsonPath)
    {
        var stem = DatasetLayout.WithoutExtension(DatasetLayout.FileName(jsonPath));
        var underscore = stem.LastIndexOf('_');
        return underscore >= 0 && underscore < stem.Length - 1 ? stem[(underscore + 1)..] : null;
    }

    private static bool TryId(JsonElement e, string name, out long value)
    {
        value = 0;
        return e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out value);
    }

    private static double? Finite(JsonElement e) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var v) && double.IsFinite(v) ? v : null;

    private static bool TryNumber(JsonElement e, string name, out double value)
    {
        value = 0;
        return e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetDouble(out value) && double.IsFinite(value);
    }

    private static string Num(double v) => YoloLabelChecker.Num(v);

    private static string Clip(JsonElement e) => YoloLabelChecker.Clip(e.GetRawText());

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(" LineNumber", StringComparison.Ordinal);
        return i > 0 ? message[..i].TrimEnd('.', ' ') : message;
    }
}
