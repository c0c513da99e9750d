using System.Globalization;

namespace Observatory.DataService.Core.Annotations;

/// <summary>One YOLO row: class id and the normalised box centre and size (extra columns, such as polygons, are ignored).</summary>
public readonly record struct YoloRow(int Class, double X, double Y, double Width, double Height);

/// <summary>
/// YOLO label files as Ultralytics pairs them with images: the last <c>images/</c> folder of the image's path becomes
/// <c>labels/</c> and the extension <c>.txt</c>; a <c>.txt</c> beside the image also counts.
/// </summary>
public static class YoloLabels
{
    /// <summary>Label files an image may have, preferred first.</summary>
    public static IEnumerable<string> LabelCandidates(string imagePath)
    {
        var stem = WithoutExtension(imagePath);
        var segments = stem.Split('/');
        for (var i = segments.Length - 2; i >= 0; i--)
        {
            if (segments[i] != "images") continue;
            segments[i] = "labels";
            yield return string.Join('/', segments) + ".txt";
            break;
        }
        yield return stem + ".txt";
    }

    /// <summary>The image a label file belongs to (the inverse of <see cref="LabelCandidates"/>), or null when none exists.</summary>
    public static string? ImageFor(string labelPath, Func<string, bool> exists)
    {
        if (!labelPath.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)) return null;
        var stem = labelPath[..^4];
        var segments = stem.Split('/');
        var stems = new List<string>();
        for (var i = segments.Length - 2; i >= 0; i--)
        {
            if (segments[i] != "labels") continue;
            segments[i] = "images";
            stems.Add(string.Join('/', segments));
            break;
        }
        stems.Add(stem);
        foreach (var s in stems)
            foreach (var ext in ImageFiles.Extensions)
            {
                // Cameras write IMG_0001.JPG: both spellings are tried, as the extension check itself ignores case.
                if (exists(s + "." + ext)) return s + "." + ext;
                if (exists(s + "." + ext.ToUpperInvariant())) return s + "." + ext.ToUpperInvariant();
            }
        return null;
    }

    /// <summary>A .txt file inside a <c>labels/</c> folder: counted as YOLO labels even when no image names it.</summary>
    public static bool InLabelsFolder(string path) =>
        path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) && (path.StartsWith("labels/", StringComparison.Ordinal) || path.Contains("/labels/", StringComparison.Ordinal));

    /// <summary>Parses a row "class cx cy w h"; false for blank, short or non-numeric rows.</summary>
    public static bool TryParseRow(string line, out YoloRow row)
    {
        row = default;
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 5 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var cls)) return false;
        var box = new double[4];
        for (var i = 0; i < 4; i++)
            if (!double.TryParse(parts[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out box[i])) return false;
        row = new YoloRow(cls, box[0], box[1], box[2], box[3]);
        return true;
    }

    private static string WithoutExtension(string path)
    {
        var slash = path.LastIndexOf('/');
        var dot = path.LastIndexOf('.');
        return dot > slash ? path[..dot] : path;
    }
}
