namespace Observatory.DataService.Core.Annotations;

/// <summary>
/// One box as the annotation diff sees it: its class name and corners (x1, y1)–(x2, y2). The unit is whatever the format
/// uses (YOLO normalised, COCO/VOC pixels); IoU does not depend on it as long as both versions use the same format.
/// </summary>
public readonly record struct LabelBox(string Class, double X1, double Y1, double X2, double Y2)
{
    public double Area => Math.Max(0, X2 - X1) * Math.Max(0, Y2 - Y1);

    /// <summary>Intersection over union; 0 when either box has no area.</summary>
    public static double Iou(LabelBox a, LabelBox b)
    {
        var iw = Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1);
        var ih = Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1);
        if (iw <= 0 || ih <= 0) return 0;
        var inter = iw * ih;
        var union = a.Area + b.Area - inter;
        return union > 0 ? inter / union : 0;
    }
}

/// <summary>The annotation formats the diff reads, in order of preference when a dataset has more than one.</summary>
public enum AnnotationFormat { Yolo, Coco, Voc }

/// <summary>Box changes of one class over the compared images, and its box count in each version (class balance).</summary>
public sealed record ClassBoxChanges(int Added, int Removed, int Moved, int Relabelled, int Before, int After);

/// <summary>Box changes of one image whose labels changed.</summary>
public sealed record ImageBoxChanges(string Path, int Added, int Removed, int Moved, int Relabelled);

/// <summary>Annotation-level diff: per class and per changed image.</summary>
public sealed record AnnotationChanges(IReadOnlyDictionary<string, ClassBoxChanges> ByClass, IReadOnlyList<ImageBoxChanges> Images)
{
    public static AnnotationChanges Empty { get; } = new(new SortedDictionary<string, ClassBoxChanges>(StringComparer.Ordinal), []);
}

/// <summary>
/// Matches the boxes of each image in version A with those in version B. Matching is greedy by highest IoU, in three passes
/// so that a better explanation is never stolen by a worse one: (1) same class, IoU ≥ threshold → unchanged; (2) different
/// class, IoU ≥ threshold → relabelled (counted under the class in B, the class the box became); (3) same class,
/// 0 &lt; IoU &lt; threshold → moved. Left-over B boxes are added, left-over A boxes removed. Within a pass ties keep
/// file order (A index, then B index), so the result is deterministic.
/// Renaming a class (classes.txt / data.yaml edited, ids unchanged) is out of scope: boxes keep their id but change name, so they
/// show as relabelled.
/// </summary>
public static class AnnotationDiff
{
    public const double DefaultIou = 0.5;

    /// <summary>
    /// The one format a dataset is diffed in: the first of YOLO, COCO, VOC present in both versions, else the first present in
    /// either (a conversion from one format to another then shows as every box removed and added). Null when there is none.
    /// </summary>
    public static AnnotationFormat? ChooseFormat(IEnumerable<AnnotationFormat> a, IEnumerable<AnnotationFormat> b)
    {
        var inA = a.ToHashSet();
        var inB = b.ToHashSet();
        var order = Enum.GetValues<AnnotationFormat>();
        return order.Where(f => inA.Contains(f) && inB.Contains(f)).Cast<AnnotationFormat?>().FirstOrDefault()
            ?? order.Where(f => inA.Contains(f) || inB.Contains(f)).Cast<AnnotationFormat?>().FirstOrDefault();
    }

    /// <summary>Compares two versions given as boxes by image path; an image missing from one side has no boxes there.</summary>
    public static AnnotationChanges Compare(IReadOnlyDictionary<string, IReadOnlyList<LabelBox>> a, IReadOnlyDictionary<string, IReadOnlyList<LabelBox>> b,
        double iouThreshold = DefaultIou)
    {
        if (!(iouThreshold is > 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(iouThreshold), iouThreshold, "IoU threshold must be in (0, 1]");
        var classes = new Dictionary<string, int[]>(StringComparer.Ordinal); // added, removed, moved, relabelled, before, after
        int[] Of(string cls) => classes.TryGetValue(cls, out var c) ? c : classes[cls] = new int[6];
        var images = new List<ImageBoxChanges>();
        foreach (var path in a.Keys.Union(b.Keys).OrderBy(p => p, StringComparer.Ordinal))
        {
            var boxesA = a.GetValueOrDefault(path) ?? [];
            var boxesB = b.GetValueOrDefault(path) ?? [];
            foreach (var box in boxesA) Of(box.Class)[4]++;
            foreach (var box in boxesB) Of(box.Class)[5]++;
            var m = Match(boxesA, boxesB, iouThreshold);
            foreach (var cls in m.Added) Of(cls)[0]++;
            foreach (var cls in m.Removed) Of(cls)[1]++;
            foreach (var cls in m.Moved) Of(cls)[2]++;
            foreach (var cls in m.Relabelled) Of(cls)[3]++;
            if (m.Added.Count + m.Removed.Count + m.Moved.Count + m.Relabelled.Count > 0)
                images.Add(new ImageBoxChanges(path, m.Added.Count, m.Removed.Count, m.Moved.Count, m.Relabelled.Count));
        }
        var byClass = new SortedDictionary<string, ClassBoxChanges>(StringComparer.Ordinal);
        foreach (var (cls, c) in classes) byClass[cls] = new ClassBoxChanges(c[0], c[1], c[2], c[3], c[4], c[5]);
        return new AnnotationChanges(byClass, images);
    }

    /// <summary>The class names of the boxes of one image that were added, removed, moved and relabelled.</summary>
    public sealed record ImageMatch(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Moved, IReadOnlyList<string> Relabelled);

    /// <summary>Matches the boxes of one image (see the class summary for the rules).</summary>
    public static ImageMatch Match(IReadOnlyList<LabelBox> a, IReadOnlyList<LabelBox> b, double iouThreshold = DefaultIou)
    {
        var pairs = new List<(double Iou, int I, int J)>();
        for (var i = 0; i < a.Count; i++)
            for (var j = 0; j < b.Count; j++)
                if (LabelBox.Iou(a[i], b[j]) is var iou and > 0) pairs.Add((iou, i, j));
        // Stable sort: highest IoU first, ties in file order.
        var ordered = pairs.OrderByDescending(p => p.Iou).ThenBy(p => p.I).ThenBy(p => p.J).ToList();
        var usedA = new bool[a.Count];
        var usedB = new bool[b.Count];
        var moved = new List<string>();
        var relabelled = new List<string>();
        void Pass(Func<(double Iou, int I, int J), bool> accepts, List<string>? into)
        {
            foreach (var p in ordered)
            {
                if (usedA[p.I] || usedB[p.J] || !accepts(p)) continue;
                usedA[p.I] = usedB[p.J] = true;
                into?.Add(b[p.J].Class);
            }
        }
        bool Same((double Iou, int I, int J) p) => string.Equals(a[p.I].Class, b[p.J].Class, StringComparison.Ordinal);
        Pass(p => p.Iou >= iouThreshold && Same(p), null);
        Pass(p => p.Iou >= iouThreshold && !Same(p), relabelled);
        Pass(p => p.Iou < iouThreshold && Same(p), moved);
        var added = b.Where((_, j) => !usedB[j]).Select(x => x.Class).ToList();
        var removed = a.Where((_, i) => !usedA[i]).Select(x => x.Class).ToList();
        return new ImageMatch(added, removed, moved, relabelled);
    }
}
