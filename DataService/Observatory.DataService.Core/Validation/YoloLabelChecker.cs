using System.Globalization;
using System.Text;

namespace Observatory.DataService.Core.Validation;

/// <summary>
/// Checks a YOLO label file: rows <c>class cx cy w h</c> (or polygons <c>class x1 y1 … xn yn</c>), numbers finite,
/// coordinates in [0, 1], boxes non-empty and inside the image, class ids in the class list. An empty file means "no objects".
/// </summary>
internal static class YoloLabelChecker
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <param name="imageWidth">Pixel width of the paired image, 0 when unknown (tolerance then becomes 0.001 of the side).</param>
    /// <param name="classCounts">Objects per class id, incremented for rows whose class is valid.</param>
    public static void Check(byte[] content, int imageWidth, int imageHeight, ClassList? classes, ValidationRules rules,
        FindingSink sink, Dictionary<int, int> classCounts)
    {
        if (content.AsSpan().IndexOf((byte)0) >= 0)
        {
            sink.Add(RuleIds.YoloEncoding, "contains NUL bytes: binary data, not a YOLO text file");
            return;
        }
        string text;
        try
        {
            text = StrictUtf8.GetString(content);
        }
        catch (DecoderFallbackException e)
        {
            sink.Add(RuleIds.YoloEncoding, $"not UTF-8 text (invalid byte at offset {e.Index})");
            return;
        }
        var tolX = imageWidth > 0 ? rules.BoxTolerancePx / imageWidth : 1e-3;
        var tolY = imageHeight > 0 ? rules.BoxTolerancePx / imageHeight : 1e-3;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var lineNo = 0;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            lineNo++;
            var line = rawLine.Trim();
            if (line.IsEmpty) continue;
            var fields = line.ToString().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var isBox = fields.Length == 5;
            if (!isBox && !(fields.Length >= 7 && (fields.Length - 1) % 2 == 0))
            {
                sink.Add(RuleIds.YoloFieldCount, $"{fields.Length} fields; expected 'class cx cy w h' (5) or a polygon 'class x1 y1 x2 y2 x3 y3 …'", lineNo);
                continue;
            }
            var values = new double[fields.Length - 1];
            var bad = new List<string>();
            for (var i = 1; i < fields.Length; i++)
                if (!double.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i - 1]) || !double.IsFinite(values[i - 1]))
                    bad.Add($"field {i + 1} '{Clip(fields[i])}'");
            var classOk = CheckClass(fields[0], classes, sink, lineNo, out var classId);
            if (bad.Count > 0)
            {
                sink.Add(RuleIds.YoloNumber, $"not a finite number: {string.Join(", ", bad)}", lineNo);
                continue;
            }
            var normal = string.Join(' ', fields);
            if (seen.TryGetValue(normal, out var first))
                sink.Add(RuleIds.YoloDuplicateRow, $"same object as line {first}", lineNo);
            else seen[normal] = lineNo;
            if (classOk) classCounts[classId] = classCounts.GetValueOrDefault(classId) + 1;
            var outOfRange = values.Where(v => v < 0 || v > 1).ToList();
            if (outOfRange.Count > 0)
            {
                sink.Add(RuleIds.YoloRange, $"coordinate {Num(outOfRange[0])} outside [0, 1] (normalised coordinates expected)", lineNo);
                continue;
            }
            if (!isBox) continue;
            double cx = values[0], cy = values[1], w = values[2], h = values[3];
            if (w <= 0 || h <= 0)
            {
                sink.Add(RuleIds.YoloBoxSize, $"box width {Num(w)} and height {Num(h)} must both be > 0", lineNo);
                continue;
            }
            double x0 = cx - w / 2, x1 = cx + w / 2, y0 = cy - h / 2, y1 = cy + h / 2;
            if (x0 < -tolX || y0 < -tolY || x1 > 1 + tolX || y1 > 1 + tolY)
                sink.Add(RuleIds.YoloBoxOutside,
                    $"box spans x {Num(x0)}..{Num(x1)}, y {Num(y0)}..{Num(y1)}: beyond the image (0..1{(imageWidth > 0 ? $", tolerance {rules.BoxTolerancePx} px" : "")})", lineNo);
        }
    }

    private static bool CheckClass(string field, ClassList? classes, FindingSink sink, int lineNo, out int classId)
    {
        if (!int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out classId))
        {
            sink.Add(RuleIds.YoloClassId, $"class '{Clip(field)}' is not an integer >= 0", lineNo);
            return false;
        }
        if (classes is not null && classId >= classes.Names.Count)
        {
            sink.Add(RuleIds.YoloClassId, $"class {classId} is not in {classes.Source} ({classes.Names.Count} classes, ids 0..{classes.Names.Count - 1})", lineNo);
            return false;
        }
        return true;
    }

    internal static string Num(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);

    internal static string Clip(string s) => s.Length <= 24 ? s : s[..24] + "…";
}
