using Observatory.DataService.Core.Annotations;
using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Validation;

/// <summary>
/// Sorts the files of a dataset into images, YOLO label files, JSON (COCO candidates), VOC XML and class lists, and maps images
/// to their label files the way Ultralytics does (the last <c>images/</c> folder becomes <c>labels/</c>, extension <c>.txt</c>;
/// a <c>.txt</c> beside the image also counts).
/// </summary>
internal sealed class DatasetLayout
{
    private static readonly HashSet<string> NotLabels = new(StringComparer.OrdinalIgnoreCase)
    {
        "classes.txt", "obj.names", "readme.txt", "license.txt", "requirements.txt", "labels.txt", "names.txt",
    };

    public List<TreeEntry> Images { get; } = [];
    public List<TreeEntry> YoloLabels { get; } = [];
    public List<TreeEntry> JsonFiles { get; } = [];
    public List<TreeEntry> XmlFiles { get; } = [];
    public TreeEntry? DataYaml { get; private set; }
    public TreeEntry? ClassesTxt { get; private set; }
    public Dictionary<string, TreeEntry> ByPath { get; } = new(StringComparer.Ordinal);

    // The maps below are built when first asked for: a YOLO dataset never needs the two by file name, and at 100,000 images each
    // map is about 15 MB of keys and lists.
    private Dictionary<string, List<string>>? _byName, _byStem, _byFileStem;

    /// <summary>Image paths by file name, for COCO file_name and VOC filename lookups.</summary>
    public Dictionary<string, List<string>> ImagesByName => _byName ??= Map(FileName);

    /// <summary>Image paths by path without extension, to find the image of a label file.</summary>
    public Dictionary<string, List<string>> ImagesByStem => _byStem ??= Map(WithoutExtension);

    /// <summary>Image paths by file name without extension (VOC files named like their image).</summary>
    public Dictionary<string, List<string>> ImagesByFileStem => _byFileStem ??= Map(p => FileName(WithoutExtension(p)));

    private Dictionary<string, List<string>> Map(Func<string, string> key)
    {
        var map = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var image in Images) Append(map, key(image.Path), image.Path);
        return map;
    }

    /// <summary>Builds every lookup the annotation files present need, so parallel checks only read them.</summary>
    private void EnsureMaps()
    {
        _ = ImagesByStem;
        if (JsonFiles.Count > 0 || XmlFiles.Count > 0) { _ = ImagesByName; _ = ImagesByFileStem; }
    }

    public static DatasetLayout Classify(IReadOnlyList<TreeEntry> files, ValidationRules rules)
    {
        var layout = new DatasetLayout();
        var imageExt = new HashSet<string>(rules.ImageExtensions.Select(e => e.TrimStart('.')), StringComparer.OrdinalIgnoreCase);
        var texts = new List<TreeEntry>();
        foreach (var f in files)
        {
            layout.ByPath[f.Path] = f;
            var ext = Extension(f.Path);
            if (imageExt.Contains(ext))
            {
                layout.Images.Add(f);
            }
            else if (ext.Equals("txt", StringComparison.OrdinalIgnoreCase)) texts.Add(f);
            else if (ext.Equals("json", StringComparison.OrdinalIgnoreCase)) layout.JsonFiles.Add(f);
            else if (ext.Equals("xml", StringComparison.OrdinalIgnoreCase)) layout.XmlFiles.Add(f);
        }
        layout.DataYaml = ClassNames.DataYamlNames.Select(n => layout.ByPath.GetValueOrDefault(n)).FirstOrDefault(e => e is not null);
        if (layout.ByPath.TryGetValue(ClassNames.ClassesTxt, out var classes)) layout.ClassesTxt = classes;
        var candidates = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in layout.Images)
            foreach (var c in LabelCandidates(image.Path)) candidates.Add(c);
        foreach (var t in texts)
        {
            if (NotLabels.Contains(FileName(t.Path)) && !candidates.Contains(t.Path)) continue;
            if (candidates.Contains(t.Path) || HasSegment(t.Path, "labels")) layout.YoloLabels.Add(t);
        }
        layout.Images.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        layout.YoloLabels.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        layout.EnsureMaps();
        return layout;
    }

    /// <summary>Label files an image may have, preferred first.</summary>
    public static IEnumerable<string> LabelCandidates(string imagePath) => Annotations.YoloLabels.LabelCandidates(imagePath);

    /// <summary>The image of a YOLO label file: the reverse of <see cref="LabelCandidates"/>.</summary>
    public string? ImageOfLabel(string labelPath)
    {
        var stem = WithoutExtension(labelPath);
        if (ImagesByStem.TryGetValue(stem, out var beside)) return beside[0];
        var segments = stem.Split('/');
        for (var i = segments.Length - 2; i >= 0; i--)
        {
            if (segments[i] != "labels") continue;
            segments[i] = "images";
            return ImagesByStem.TryGetValue(string.Join('/', segments), out var mapped) ? mapped[0] : null;
        }
        return null;
    }

    /// <summary>
    /// Finds the image an annotation names: as a path from the dataset root, then from <paramref name="nearDirectory"/>, then by
    /// file name (preferring a path containing <paramref name="splitHint"/> as a folder, then the closest folder).
    /// </summary>
    public string? ResolveImage(string name, string nearDirectory, string? splitHint)
    {
        if (string.IsNullOrEmpty(name)) return null;
        var normal = name.Replace('\\', '/').TrimStart('.', '/');
        if (ByPath.ContainsKey(normal) && ImagesByStem.ContainsKey(WithoutExtension(normal))) return normal;
        var near = nearDirectory.Length == 0 ? normal : $"{nearDirectory}/{normal}";
        if (ByPath.ContainsKey(near)) return near;
        if (!ImagesByName.TryGetValue(FileName(normal), out var list)) return null;
        if (list.Count == 1) return list[0];
        if (splitHint is not null)
        {
            var hinted = list.FirstOrDefault(p => HasSegment(p, splitHint));
            if (hinted is not null) return hinted;
        }
        return list.MaxBy(p => CommonPrefix(p, nearDirectory));
    }

    public static string Extension(string path)
    {
        var slash = path.LastIndexOf('/');
        var dot = path.LastIndexOf('.');
        return dot > slash ? path[(dot + 1)..] : "";
    }

    public static string FileName(string path) => path[(path.LastIndexOf('/') + 1)..];

    public static string Directory(string path) => path.LastIndexOf('/') is var i and >= 0 ? path[..i] : "";

    public static string WithoutExtension(string path)
    {
        var slash = path.LastIndexOf('/');
        var dot = path.LastIndexOf('.');
        return dot > slash ? path[..dot] : path;
    }

    private static bool HasSegment(string path, string segment) =>
        path.StartsWith(segment + "/", StringComparison.Ordinal) || path.Contains("/" + segment + "/", StringComparison.Ordinal);

    private static int CommonPrefix(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        var i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }

    private static void Append(Dictionary<string, List<string>> map, string key, string value)
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = [];
        list.Add(value);
    }
}
