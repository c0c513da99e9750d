using System.Text;
using Observatory.DataService.Core.Annotations;
using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Tests.Annotations;

/// <summary>
/// The box-level diff on hand-made YOLO, COCO and VOC versions, read through the validation parsers. Class renames in
/// classes.txt / data.yaml are out of scope (they show as relabelled boxes) and not tested here.
/// </summary>
public sealed class AnnotationDiffTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static async Task<AnnotationChanges> DiffAsync(Dictionary<string, string> a, Dictionary<string, string> b, double iou = AnnotationDiff.DefaultIou)
    {
        var loader = new AnnotationBoxes();
        async Task<Dictionary<AnnotationFormat, Dictionary<string, IReadOnlyList<LabelBox>>>> Load(Dictionary<string, string> files)
        {
            var bytes = files.ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetBytes(kv.Value));
            var entries = bytes.Select(kv => new TreeEntry(kv.Key, ContentHash.Compute(kv.Value), kv.Value.Length)).ToList();
            return await loader.LoadAsync(entries, "ds/", (e, _) => Task.FromResult(bytes[e.Path]), Ct);
        }
        var (inA, inB) = (await Load(a), await Load(b));
        var format = AnnotationDiff.ChooseFormat(inA.Keys, inB.Keys);
        return format is { } f ? AnnotationDiff.Compare(inA.GetValueOrDefault(f) ?? [], inB.GetValueOrDefault(f) ?? [], iou) : AnnotationChanges.Empty;
    }

    private static void AssertClass(AnnotationChanges d, string cls, int added, int removed, int moved, int relabelled, int before, int after) =>
        Assert.Equal(new ClassBoxChanges(added, removed, moved, relabelled, before, after), d.ByClass[cls]);

    [Fact]
    public async Task Yolo_AddMoveRelabelDelete_AreCountedPerClassAndImage()
    {
        var a = new Dictionary<string, string>
        {
            ["classes.txt"] = "cat\ndog\n",
            ["images/a.jpg"] = "x", ["images/b.jpg"] = "y",
            ["labels/a.txt"] = "0 0.2 0.2 0.2 0.2\n1 0.7 0.7 0.2 0.2\n0 0.5 0.5 0.1 0.1\n",
            ["labels/b.txt"] = "1 0.5 0.5 0.4 0.4\n",
        };
        var b = new Dictionary<string, string>(a)
        {
            // box 1 moved by half its width (IoU 1/3), box 2 relabelled dog → cat, box 3 deleted, a new dog added
            ["labels/a.txt"] = "0 0.3 0.2 0.2 0.2\n0 0.7 0.7 0.2 0.2\n1 0.1 0.9 0.1 0.1\n",
        };
        var d = await DiffAsync(a, b);
        AssertClass(d, "cat", added: 0, removed: 1, moved: 1, relabelled: 1, before: 2, after: 2);
        AssertClass(d, "dog", added: 1, removed: 0, moved: 0, relabelled: 0, before: 2, after: 2);
        Assert.Equal([new ImageBoxChanges("ds/images/a.jpg", 1, 1, 1, 1)], d.Images);
    }

    [Fact]
    public async Task Yolo_IouThreshold_DecidesBetweenUnchangedAndMoved()
    {
        var a = new Dictionary<string, string> { ["images/a.jpg"] = "x", ["labels/a.txt"] = "0 0.2 0.2 0.2 0.2\n" };
        var b = new Dictionary<string, string>(a) { ["labels/a.txt"] = "0 0.3 0.2 0.2 0.2\n" }; // IoU 1/3
        Assert.Equal(1, (await DiffAsync(a, b, 0.5)).ByClass["0"].Moved);
        var lenient = await DiffAsync(a, b, 0.3);
        Assert.Equal(new ClassBoxChanges(0, 0, 0, 0, 1, 1), lenient.ByClass["0"]);
        Assert.Empty(lenient.Images);
    }

    [Fact]
    public async Task Coco_AddMoveRelabelDelete_AreCountedByCategoryName()
    {
        const string Head = """
            {"images":[{"id":1,"file_name":"a.jpg","width":100,"height":100},{"id":2,"file_name":"b.jpg","width":100,"height":100}],
             "categories":[{"id":1,"name":"car"},{"id":2,"name":"bus"}],
             "annotations":[
            """;
        var a = new Dictionary<string, string>
        {
            ["images/a.jpg"] = "x", ["images/b.jpg"] = "y",
            ["annotations.json"] = Head + """
                {"id":1,"image_id":1,"category_id":1,"bbox":[0,0,20,20]},
                {"id":2,"image_id":1,"category_id":1,"bbox":[50,50,20,20]},
                {"id":3,"image_id":2,"category_id":2,"bbox":[10,10,30,30]},
                {"id":4,"image_id":2,"category_id":2,"bbox":[60,60,30,30]}]}
                """,
        };
        var b = new Dictionary<string, string>(a)
        {
            ["annotations.json"] = Head + """
                {"id":1,"image_id":1,"category_id":1,"bbox":[10,0,20,20]},
                {"id":2,"image_id":1,"category_id":2,"bbox":[50,50,20,20]},
                {"id":3,"image_id":2,"category_id":2,"bbox":[10,10,30,30]},
                {"id":5,"image_id":2,"category_id":1,"bbox":[5,70,10,10]}]}
                """,
        };
        var d = await DiffAsync(a, b);
        AssertClass(d, "car", added: 1, removed: 0, moved: 1, relabelled: 0, before: 2, after: 2);
        AssertClass(d, "bus", added: 0, removed: 1, moved: 0, relabelled: 1, before: 2, after: 2);
        Assert.Equal([new ImageBoxChanges("ds/images/a.jpg", 0, 0, 1, 1), new ImageBoxChanges("ds/images/b.jpg", 1, 1, 0, 0)], d.Images);
    }

    private static string Voc(string image, params (string Name, int X1, int Y1, int X2, int Y2)[] objects) =>
        $"<annotation><filename>{image}</filename><size><width>100</width><height>100</height></size>" +
        string.Concat(objects.Select(o => $"<object><name>{o.Name}</name><bndbox><xmin>{o.X1}</xmin><ymin>{o.Y1}</ymin><xmax>{o.X2}</xmax><ymax>{o.Y2}</ymax></bndbox></object>")) +
        "</annotation>";

    [Fact]
    public async Task Voc_AddMoveRelabelDelete_AreCountedByObjectName()
    {
        var a = new Dictionary<string, string>
        {
            ["JPEGImages/a.jpg"] = "x",
            ["Annotations/a.xml"] = Voc("a.jpg", ("person", 0, 0, 20, 20), ("person", 40, 40, 60, 60), ("bike", 70, 70, 90, 90)),
        };
        var b = new Dictionary<string, string>(a)
        {
            ["Annotations/a.xml"] = Voc("a.jpg", ("person", 10, 0, 30, 20), ("bike", 40, 40, 60, 60), ("bike", 0, 80, 10, 90)),
        };
        var d = await DiffAsync(a, b);
        AssertClass(d, "person", added: 0, removed: 0, moved: 1, relabelled: 0, before: 2, after: 1);
        AssertClass(d, "bike", added: 1, removed: 1, moved: 0, relabelled: 1, before: 1, after: 2);
        Assert.Equal([new ImageBoxChanges("ds/JPEGImages/a.jpg", 1, 1, 1, 1)], d.Images);
    }

    [Fact]
    public async Task EmptiedLabelFile_RemovesEveryBoxOfItsImage()
    {
        var a = new Dictionary<string, string> { ["images/a.jpg"] = "x", ["labels/a.txt"] = "0 0.2 0.2 0.2 0.2\n0 0.6 0.6 0.2 0.2\n" };
        var b = new Dictionary<string, string>(a) { ["labels/a.txt"] = "" };
        var d = await DiffAsync(a, b);
        AssertClass(d, "0", added: 0, removed: 2, moved: 0, relabelled: 0, before: 2, after: 0);
        Assert.Equal([new ImageBoxChanges("ds/images/a.jpg", 0, 2, 0, 0)], d.Images);
    }

    [Fact]
    public async Task EmptyLabelFileInBothVersions_IsNoChange()
    {
        var a = new Dictionary<string, string> { ["images/a.jpg"] = "x", ["labels/a.txt"] = "" };
        var d = await DiffAsync(a, new Dictionary<string, string>(a));
        Assert.Empty(d.ByClass);
        Assert.Empty(d.Images);
    }

    [Fact]
    public async Task DeletedImageWithItsLabels_RemovesItsBoxes_AndANewImageAddsThem()
    {
        var a = new Dictionary<string, string> { ["images/a.jpg"] = "x", ["labels/a.txt"] = "0 0.2 0.2 0.2 0.2\n" };
        var b = new Dictionary<string, string> { ["images/b.jpg"] = "y", ["labels/b.txt"] = "0 0.2 0.2 0.2 0.2\n1 0.5 0.5 0.1 0.1\n" };
        var d = await DiffAsync(a, b);
        AssertClass(d, "0", added: 1, removed: 1, moved: 0, relabelled: 0, before: 1, after: 1);
        AssertClass(d, "1", added: 1, removed: 0, moved: 0, relabelled: 0, before: 0, after: 1);
        Assert.Equal([new ImageBoxChanges("ds/images/a.jpg", 0, 1, 0, 0), new ImageBoxChanges("ds/images/b.jpg", 2, 0, 0, 0)], d.Images);
    }

    [Fact]
    public async Task YoloAndCocoOfTheSameBoxes_AreCountedOnce_InYolo()
    {
        var a = new Dictionary<string, string>
        {
            ["images/a.jpg"] = "x",
            ["labels/a.txt"] = "0 0.2 0.2 0.2 0.2\n",
            ["coco.json"] = """{"images":[{"id":1,"file_name":"a.jpg","width":10,"height":10}],"categories":[{"id":0,"name":"0"}],"annotations":[{"id":1,"image_id":1,"category_id":0,"bbox":[1,1,2,2]}]}""",
        };
        var b = new Dictionary<string, string>(a) { ["labels/a.txt"] = "0 0.2 0.2 0.2 0.2\n0 0.7 0.7 0.2 0.2\n" };
        var d = await DiffAsync(a, b);
        AssertClass(d, "0", added: 1, removed: 0, moved: 0, relabelled: 0, before: 1, after: 2);
    }

    [Fact]
    public void ChooseFormat_PrefersOneInBothVersions_ThenYoloCocoVoc()
    {
        Assert.Equal(AnnotationFormat.Coco, AnnotationDiff.ChooseFormat([AnnotationFormat.Yolo, AnnotationFormat.Coco], [AnnotationFormat.Coco]));
        Assert.Equal(AnnotationFormat.Yolo, AnnotationDiff.ChooseFormat([AnnotationFormat.Voc, AnnotationFormat.Yolo], [AnnotationFormat.Yolo, AnnotationFormat.Voc]));
        Assert.Equal(AnnotationFormat.Voc, AnnotationDiff.ChooseFormat([AnnotationFormat.Voc], []));
        Assert.Null(AnnotationDiff.ChooseFormat([], []));
    }

    [Fact]
    public void Match_PrefersSameClassOverAHigherIouRelabel()
    {
        // B's box overlaps A's dog box slightly better, but a same-class match above the threshold explains it without a relabel.
        var a = new[] { new LabelBox("cat", 0, 0, 10, 10), new LabelBox("dog", 0, 0, 10, 10.5) };
        var b = new[] { new LabelBox("cat", 0, 0, 10, 10.4) };
        var m = AnnotationDiff.Match(a, b);
        Assert.Empty(m.Relabelled);
        Assert.Equal(["dog"], m.Removed);
        Assert.Empty(m.Added);
    }

    [Fact]
    public void Match_IsGreedyByHighestIou()
    {
        // Two B boxes compete for one A box: the closer one is the match, the other is added.
        var a = new[] { new LabelBox("c", 0, 0, 10, 10) };
        var b = new[] { new LabelBox("c", 1, 0, 11, 10), new LabelBox("c", 0, 0, 10, 10) };
        var m = AnnotationDiff.Match(a, b);
        Assert.Equal(["c"], m.Added);
        Assert.Empty(m.Moved);
        Assert.Empty(m.Removed);
    }

    [Fact]
    public void Compare_RejectsAThresholdOutsideZeroToOne() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => AnnotationDiff.Compare(new Dictionary<string, IReadOnlyList<LabelBox>>(), new Dictionary<string, IReadOnlyList<LabelBox>>(), 0));
}
