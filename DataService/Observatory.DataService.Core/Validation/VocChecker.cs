using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Observatory.DataService.Core.Validation;

/// <summary>What a VOC file contributes to pairing and class balance.</summary>
internal sealed record VocResult(string? Image, IReadOnlyDictionary<string, int> ClassCounts)
{
    /// <summary>Named objects with a bndbox that has an area (pixels), for the annotation diff.</summary>
    public IReadOnlyList<Annotations.LabelBox> Boxes { get; init; } = [];
}

/// <summary>
/// Checks a Pascal VOC XML file: well-formed (DTDs refused, so entity-expansion bombs cannot run), root &lt;annotation&gt;,
/// &lt;size&gt; equal to the decoded image, every object named with a known class and a non-degenerate bndbox inside the image.
/// </summary>
internal static class VocChecker
{
    public static VocResult Check(byte[] content, string xmlPath, DatasetLayout layout, ClassList? classes,
        Func<string, ImageInspection?> inspectionOf, ValidationRules rules, FindingSink sink)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        XDocument doc;
        try
        {
            var settings = new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Prohibit,
                XmlResolver = null,
                MaxCharactersInDocument = rules.MaxAnnotationBytes,
                MaxCharactersFromEntities = 1024,
                IgnoreComments = true,
                IgnoreProcessingInstructions = true,
            };
            // First pass: a streaming read that refuses deep nesting (building a tree of 300,000 nested elements takes minutes).
            using (var probe = XmlReader.Create(new MemoryStream(content, writable: false), settings))
            {
                while (probe.Read())
                    if (probe.Depth > rules.MaxXmlDepth)
                    {
                        var line = probe is IXmlLineInfo li && li.HasLineInfo() ? li.LineNumber : (int?)null;
                        sink.Add(RuleIds.VocSyntax, $"XML nests deeper than max_xml_depth {rules.MaxXmlDepth}", line);
                        return new VocResult(null, counts);
                    }
            }
            using var reader = XmlReader.Create(new MemoryStream(content, writable: false), settings);
            doc = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            sink.Add(RuleIds.VocSyntax, $"not well-formed XML: {e.Message}", e.LineNumber > 0 ? e.LineNumber : null);
            return new VocResult(null, counts);
        }
        var root = doc.Root!;
        if (root.Name.LocalName != "annotation")
        {
            sink.Add(RuleIds.VocSchema, $"root element is <{root.Name.LocalName}>, not <annotation>", Line(root));
            return new VocResult(null, counts);
        }
        var fileName = root.Element("filename")?.Value.Trim();
        var image = fileName is { Length: > 0 } ? layout.ResolveImage(fileName, DatasetLayout.Directory(xmlPath), null) : null;
        image ??= ResolveByStem(layout, xmlPath);
        if (image is null)
            sink.Add(RuleIds.PairOrphanLabel, fileName is { Length: > 0 }
                ? $"VOC file names image '{YoloLabelChecker.Clip(fileName)}', which is not in the dataset"
                : "VOC file has no <filename> and no image with the same name exists");
        var real = image is null ? null : inspectionOf(image);
        double width = 0, height = 0;
        var size = root.Element("size");
        if (size is null || !TryNumber(size.Element("width"), out width) || !TryNumber(size.Element("height"), out height) || width <= 0 || height <= 0)
        {
            sink.Add(RuleIds.VocSchema, "<size> with numeric <width> and <height> > 0 is missing", Line(size ?? root));
            width = height = 0;
        }
        else if (real is { Status: InspectionStatus.Ok } && !CocoChecker.SameSize(real, (int)width, (int)height))
            sink.Add(RuleIds.VocSizeMismatch, $"<size> is {width}×{height} but {image} decodes as {real.Width}×{real.Height}", Line(size));
        if (width <= 0 && real is { Status: InspectionStatus.Ok }) (width, height) = (real.Width, real.Height);
        var n = 0;
        var boxes = new List<Annotations.LabelBox>();
        foreach (var obj in root.Elements("object"))
        {
            var aid = $"object:{++n}";
            var name = obj.Element("name")?.Value.Trim();
            if (string.IsNullOrEmpty(name)) sink.Add(RuleIds.VocSchema, $"object {n} has no <name>", Line(obj), aid);
            else if (classes is not null && !classes.Contains(name))
                sink.Add(RuleIds.VocUnknownClass, $"object {n} class '{YoloLabelChecker.Clip(name)}' is not in {classes.Source}", Line(obj), aid);
            else counts[name] = counts.GetValueOrDefault(name) + 1;
            var box = obj.Element("bndbox");
            if (box is null || !TryNumber(box.Element("xmin"), out var xmin) || !TryNumber(box.Element("ymin"), out var ymin)
                || !TryNumber(box.Element("xmax"), out var xmax) || !TryNumber(box.Element("ymax"), out var ymax))
            {
                sink.Add(RuleIds.VocSchema, $"object {n} needs <bndbox> with numeric xmin, ymin, xmax, ymax", Line(box ?? obj), aid);
                continue;
            }
            if (xmin >= xmax || ymin >= ymax)
            {
                sink.Add(RuleIds.VocBboxDegenerate, $"object {n} bndbox ({Num(xmin)}, {Num(ymin)})–({Num(xmax)}, {Num(ymax)}) has no area (needs xmin < xmax, ymin < ymax)", Line(box), aid);
                continue;
            }
            if (!string.IsNullOrEmpty(name)) boxes.Add(new Annotations.LabelBox(name, xmin, ymin, xmax, ymax));
            var tol = rules.BoxTolerancePx;
            if (width > 0 && (xmin < -tol || ymin < -tol || xmax > width + tol || ymax > height + tol))
                sink.Add(RuleIds.VocBboxOutside, $"object {n} bndbox ({Num(xmin)}, {Num(ymin)})–({Num(xmax)}, {Num(ymax)}) reaches beyond the {width}×{height} image", Line(box), aid);
        }
        return new VocResult(image, counts) { Boxes = boxes };
    }

    private static string? ResolveByStem(DatasetLayout layout, string xmlPath)
    {
        var stem = DatasetLayout.FileName(DatasetLayout.WithoutExtension(xmlPath));
        return layout.ImagesByFileStem.TryGetValue(stem, out var matches) && matches.Count == 1 ? matches[0] : null;
    }

    private static bool TryNumber(XElement? e, out double value)
    {
        value = 0;
        return e is not null && double.TryParse(e.Value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    private static int? Line(XObject o) => o is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : null;

    private static string Num(double v) => YoloLabelChecker.Num(v);
}
