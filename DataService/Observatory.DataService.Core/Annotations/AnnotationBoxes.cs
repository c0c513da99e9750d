using System.Text;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Validation;

namespace Observatory.DataService.Core.Annotations;

/// <summary>
/// The boxes of one dataset version by image path, read with the validation parsers (YOLO rows, <see cref="CocoChecker"/>,
/// <see cref="VocChecker"/>) so the diff and validation share one annotation vocabulary. Malformed rows and objects are skipped
/// (validation reports them); YOLO class ids are named from data.yaml / classes.txt of the same version, else kept as the id.
/// Each format is kept apart: a dataset that ships the same boxes as YOLO and COCO must not count them twice.
/// </summary>
internal sealed class AnnotationBoxes
{
    // YOLO rows by content hash: a label file unchanged between the two versions is parsed once.
    private readonly Dictionary<ContentHash, List<YoloRow>> _yoloRows = [];

    /// <param name="files">The dataset's files, paths relative to the dataset.</param>
    /// <param name="prefix">Prepended to every image path (the dataset path and '/').</param>
    /// <param name="read">Reads one file's bytes.</param>
    public async Task<Dictionary<AnnotationFormat, Dictionary<string, IReadOnlyList<LabelBox>>>> LoadAsync(IReadOnlyList<TreeEntry> files, string prefix,
        Func<TreeEntry, CancellationToken, Task<byte[]>> read, CancellationToken ct)
    {
        var rules = ValidationRules.Default;
        var layout = DatasetLayout.Classify(files, rules);
        var formats = new Dictionary<AnnotationFormat, Dictionary<string, List<LabelBox>>>();
        Dictionary<string, List<LabelBox>> result = null!;
        void Use(AnnotationFormat format)
        {
            if (!formats.TryGetValue(format, out result!)) formats[format] = result = new Dictionary<string, List<LabelBox>>(StringComparer.Ordinal);
        }
        void Add(string image, LabelBox box)
        {
            if (!result.TryGetValue(prefix + image, out var list)) result[prefix + image] = list = [];
            list.Add(box);
        }
        bool Readable(TreeEntry e) => e.Size <= rules.MaxAnnotationBytes;

        var names = layout.YoloLabels.Count > 0 ? await YoloNamesAsync(layout, read, ct) : new Dictionary<int, string>();
        foreach (var label in layout.YoloLabels.Where(Readable))
        {
            if (!_yoloRows.TryGetValue(label.Hash, out var rows))
            {
                rows = [];
                foreach (var line in Encoding.UTF8.GetString(await read(label, ct)).Split('\n'))
                    if (YoloLabels.TryParseRow(line, out var row) && row.Width > 0 && row.Height > 0) rows.Add(row);
                _yoloRows[label.Hash] = rows;
            }
            Use(AnnotationFormat.Yolo);
            var image = layout.ImageOfLabel(label.Path) ?? label.Path;
            if (!result.ContainsKey(prefix + image)) result[prefix + image] = []; // an empty label file is an image with no boxes
            foreach (var r in rows)
                Add(image, new LabelBox(names.TryGetValue(r.Class, out var n) ? n : r.Class.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    r.X - r.Width / 2, r.Y - r.Height / 2, r.X + r.Width / 2, r.Y + r.Height / 2));
        }
        foreach (var json in layout.JsonFiles.Where(Readable))
        {
            var coco = CocoChecker.Check(await read(json, ct), json.Path, layout, _ => null, rules, new FindingSink(rules, json.Path));
            if (!coco.IsCoco) continue;
            Use(AnnotationFormat.Coco);
            foreach (var (image, box) in coco.Boxes) Add(image, box);
        }
        foreach (var xml in layout.XmlFiles.Where(Readable))
        {
            var voc = VocChecker.Check(await read(xml, ct), xml.Path, layout, null, _ => null, rules, new FindingSink(rules, xml.Path));
            if (voc.Image is null && voc.Boxes.Count == 0) continue; // not a VOC file (or one naming no image and no box)
            Use(AnnotationFormat.Voc);
            var image = voc.Image ?? xml.Path;
            if (!result.ContainsKey(prefix + image)) result[prefix + image] = [];
            foreach (var box in voc.Boxes) Add(image, box);
        }
        return formats.ToDictionary(f => f.Key, f => f.Value.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<LabelBox>)kv.Value, StringComparer.Ordinal));
    }

    private static async Task<IReadOnlyDictionary<int, string>> YoloNamesAsync(DatasetLayout layout, Func<TreeEntry, CancellationToken, Task<byte[]>> read, CancellationToken ct)
    {
        var problems = new List<ClassListProblem>();
        if (layout.DataYaml is { Size: <= ClassNames.MaxBytes } yaml
            && ClassNames.ById(Encoding.UTF8.GetString(await read(yaml, ct)), yaml.Path, problems) is { } byId)
            return byId;
        if (layout.ClassesTxt is { Size: <= ClassNames.MaxBytes } txt)
            return ClassNames.FromClassesTxt(Encoding.UTF8.GetString(await read(txt, ct))).Select((n, i) => (n, i)).ToDictionary(x => x.i, x => x.n);
        return new Dictionary<int, string>();
    }
}
