using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Observatory.DataService.Core.Validation;
using Observatory.Samples;
using SkiaSharp;

namespace Observatory.DataService.Tests.Validation;

/// <summary>A finding reduced to what the exact-findings test compares.</summary>
internal sealed record Expected(string Rule, string Path, int? Line = null, string? AnnotationId = null)
{
    public static Expected Of(ValidationFinding f) => new(f.Rule, f.Path, f.Line, f.AnnotationId);
}

/// <summary>
/// A generated sample dataset (YOLO labels, COCO files, classes.txt, data.yaml, plus VOC XML written here) with every defect the
/// validator knows injected at a known path, and the exact findings that must come back.
/// </summary>
internal static class DefectDataset
{
    public const string RepoPath = "data/ds";
    public const string P = RepoPath + "/";
    private const string GoodLabel = "0 0.5 0.5 0.2 0.2\n";

    /// <summary>Rules of the defect test: defaults, with a max_image_bytes small enough for the oversized file.</summary>
    public static ValidationRules Rules => new() { MaxImageBytes = 2_000_000 };

    public static IReadOnlyList<SampleImage> CreateClean(string root)
    {
        var images = SampleDataset.Generate(root, new SampleDatasetOptions { TrainCount = 16, ValCount = 4 });
        foreach (var image in Jpegs(images).Skip(3).Take(3))
            File.WriteAllText(Path.Combine(root, "voc", Stem(image) + ".xml"), Voc(image, image.Width, image.Height, Objects(image)));
        return images;
    }

    public static HashSet<Expected> InjectAll(string root, IReadOnlyList<SampleImage> images)
    {
        var expected = new HashSet<Expected> { new(RuleIds.ClassBalance, RepoPath) };
        var jpgs = Jpegs(images);
        if (jpgs.Count < 8) throw new InvalidOperationException("sample has too few JPEGs for the injections");

        void Image(string rel, byte[] bytes, string? rule, bool label = true)
        {
            Write(root, rel, bytes);
            if (label) Write(root, LabelOf(rel), Encoding.ASCII.GetBytes(GoodLabel));
            if (rule is not null) expected.Add(new(rule, P + rel));
        }

        // Images.
        Image("images/train/fmt_mismatch.jpg", TestImages.Render(101, png: true), RuleIds.ImageFormatMismatch);
        var cut = TestImages.Render(102, 640, 480);
        Image("images/train/truncated.jpg", cut[..(cut.Length * 6 / 10)], RuleIds.ImageTruncated);
        var corrupt = TestImages.Png(64, 64, 2, 8, seed: 103);
        for (var i = 45; i < 80; i++) corrupt[i] ^= 0x5A;
        Image("images/train/corrupt.png", corrupt, RuleIds.ImageCorrupt);
        Image("images/train/empty.jpg", [], RuleIds.ImageEmpty);
        Image("images/train/notes.jpg", "these are notes, not a picture\n"u8.ToArray(), RuleIds.ImageNotImage);
        Image("images/train/tiny.png", TestImages.Png(8, 8, 2, 8, seed: 104), RuleIds.ImageTooSmall);
        Image("images/train/huge.png", TestImages.Png(8, 8, 2, 8, seed: 105, headerWidth: 100_000, headerHeight: 100_000), RuleIds.ImageTooLarge);
        var big = new byte[2_500_000];
        new Random(106).NextBytes(big);
        Image("images/train/oversized.bmp", big, RuleIds.ImageFileSize);
        Image("images/train/gray.png", TestImages.Noise(107, 40, 30, SKColorType.Gray8, SKEncodedImageFormat.Png), RuleIds.ImageColourMode);
        Image("images/train/alpha.png", TestImages.Png(32, 24, 6, 8, seed: 108), RuleIds.ImageColourMode);
        Image("images/train/deep16.png", TestImages.Png(32, 24, 2, 16, seed: 109), RuleIds.ImageBitDepth);
        Image("images/train/blank.jpg", TestImages.Solid(160, 120, new SKColor(90, 90, 90)), RuleIds.ImageNearConstant);
        Image("images/train/trailing.jpg", [.. TestImages.Render(110), .. "junk after the end marker"u8], RuleIds.ImageJpegNoEoi);
        Image("images/val/dup_copy.jpg", File.ReadAllBytes(Path.Combine(root, jpgs[0].RelativePath)), RuleIds.ImageDuplicate);
        var nearOriginal = TestImages.Render(120);
        Image("images/train/near_original.jpg", nearOriginal, null);
        Image("images/val/near_copy.jpg", TestImages.Reencode(nearOriginal, 60), RuleIds.ImageNearDuplicate);
        Image("images/train/unlabelled.jpg", TestImages.Render(111), RuleIds.PairMissingLabel, label: false);
        Write(root, "labels/train/orphan.txt", Encoding.ASCII.GetBytes(GoodLabel));
        expected.Add(new(RuleIds.PairOrphanLabel, P + "labels/train/orphan.txt"));

        // YOLO rows appended to a real label file, at known lines.
        var yolo = LabelOf(jpgs[2].RelativePath);
        var n = File.ReadAllLines(Path.Combine(root, yolo)).Length;
        string[] bad =
        [
            "0 0.5 0.5 0.2", "0 0.5 abc 0.2 0.2", "0 1.5 0.5 0.2 0.2", "0 0.5 0.5 0 0.2", "0 0.95 0.5 0.2 0.2",
            "7 0.5 0.5 0.2 0.2", "-1 0.5 0.5 0.2 0.2", "2 0.3 0.3 0.1 0.1", "2 0.3 0.3 0.1 0.1",
        ];
        File.AppendAllText(Path.Combine(root, yolo), string.Join('\n', bad) + "\n");
        string[] rules = [RuleIds.YoloFieldCount, RuleIds.YoloNumber, RuleIds.YoloRange, RuleIds.YoloBoxSize, RuleIds.YoloBoxOutside, RuleIds.YoloClassId, RuleIds.YoloClassId, "", RuleIds.YoloDuplicateRow];
        for (var i = 0; i < rules.Length; i++)
            if (rules[i].Length > 0) expected.Add(new(rules[i], P + yolo, n + 1 + i));
        File.WriteAllText(Path.Combine(root, LabelOf(jpgs[6].RelativePath)), ""); // empty = no objects: no finding
        Write(root, LabelOf(jpgs[7].RelativePath), [0x00, 0xFF, 0x13, 0x37, 0x0A, 0x00, 0x42]);
        expected.Add(new(RuleIds.YoloEncoding, P + LabelOf(jpgs[7].RelativePath)));

        // COCO.
        var cocoPath = Path.Combine(root, "annotations", "instances_train.json");
        var coco = JsonNode.Parse(File.ReadAllText(cocoPath))!.AsObject();
        var cocoImages = coco["images"]!.AsArray();
        var anns = coco["annotations"]!.AsArray();
        var firstImage = (int)cocoImages[0]!["id"]!;
        cocoImages[0]!["width"] = 321;
        expected.Add(new(RuleIds.CocoSizeMismatch, P + "annotations/instances_train.json", null, $"image:{firstImage}"));
        var others = anns.Where(a => (int)a!["image_id"]! != firstImage).Select(a => a!.AsObject()).ToList();
        var F = P + "annotations/instances_train.json";
        others[1]["id"] = (int)others[0]["id"]!;
        expected.Add(new(RuleIds.CocoDuplicateId, F, null, ((int)others[0]["id"]!).ToString(CultureInfo.InvariantCulture)));
        others[2]["image_id"] = 9999;
        expected.Add(new(RuleIds.CocoUnresolvedImage, F, null, Id(others[2])));
        others[3]["category_id"] = 77;
        expected.Add(new(RuleIds.CocoUnresolvedCategory, F, null, Id(others[3])));
        others[4]["bbox"] = new JsonArray(150, 10, 30, 30);
        expected.Add(new(RuleIds.CocoBboxOutside, F, null, Id(others[4])));
        others[5]["bbox"] = new JsonArray(10, 10, 0, 20);
        expected.Add(new(RuleIds.CocoBboxDegenerate, F, null, Id(others[5])));
        others[6]["area"] = 0;
        expected.Add(new(RuleIds.CocoArea, F, null, Id(others[6])));
        cocoImages.Add(new JsonObject { ["id"] = 9001, ["file_name"] = "ghost.jpg", ["width"] = 160, ["height"] = 120 });
        expected.Add(new(RuleIds.CocoMissingFile, F, null, "image:9001"));
        var second = cocoImages[1]!.AsObject();
        cocoImages.Add(new JsonObject { ["id"] = (int)second["id"]!, ["file_name"] = (string)second["file_name"]!, ["width"] = 160, ["height"] = 120 });
        expected.Add(new(RuleIds.CocoDuplicateId, F, null, $"image:{(int)second["id"]!}"));
        File.WriteAllText(cocoPath, coco.ToJsonString());
        Write(root, "annotations/broken_schema.json", """{"images": {}, "annotations": [], "categories": []}"""u8.ToArray());
        expected.Add(new(RuleIds.CocoSchema, P + "annotations/broken_schema.json"));
        Write(root, "annotations/bad_syntax.json", """{"images": ["""u8.ToArray());
        expected.Add(new(RuleIds.JsonSyntax, P + "annotations/bad_syntax.json", 1));
        Write(root, "annotations/deep.json", Encoding.ASCII.GetBytes(new string('[', 10_000)));
        expected.Add(new(RuleIds.JsonSyntax, P + "annotations/deep.json", 1));

        // VOC (lines follow the one-element-per-line layout of Voc()).
        var sizeImage = jpgs[4];
        File.WriteAllText(Path.Combine(root, "voc", Stem(sizeImage) + ".xml"), Voc(sizeImage, 999, sizeImage.Height, Objects(sizeImage)));
        expected.Add(new(RuleIds.VocSizeMismatch, P + $"voc/{Stem(sizeImage)}.xml", 3));
        var boxImage = jpgs[5];
        var objects = Objects(boxImage).ToList();
        var k = objects.Count;
        objects.Add(("circle", 100, 10, 500, 50));
        objects.Add(("square", 50, 10, 40, 50));
        objects.Add(("dog", 10, 10, 20, 20));
        File.WriteAllText(Path.Combine(root, "voc", Stem(boxImage) + ".xml"), Voc(boxImage, boxImage.Width, boxImage.Height, objects));
        var vocFile = P + $"voc/{Stem(boxImage)}.xml";
        expected.Add(new(RuleIds.VocBboxOutside, vocFile, ObjectLine(k + 1) + 2, $"object:{k + 1}"));
        expected.Add(new(RuleIds.VocBboxDegenerate, vocFile, ObjectLine(k + 2) + 2, $"object:{k + 2}"));
        expected.Add(new(RuleIds.VocUnknownClass, vocFile, ObjectLine(k + 3), $"object:{k + 3}"));
        Write(root, "voc/ghost.xml", Encoding.UTF8.GetBytes(Voc(new SampleImage("images/train/ghost.jpg", "train", 160, 120, []), 160, 120, [])));
        expected.Add(new(RuleIds.PairOrphanLabel, P + "voc/ghost.xml"));
        Write(root, "voc/laughs.xml", Encoding.UTF8.GetBytes(BillionLaughs));
        expected.Add(new(RuleIds.VocSyntax, P + "voc/laughs.xml"));
        Write(root, "voc/broken.xml", "<annotation><size>"u8.ToArray());
        expected.Add(new(RuleIds.VocSyntax, P + "voc/broken.xml", 1));
        return expected;
    }

    public const string BillionLaughs = """
        <?xml version="1.0"?>
        <!DOCTYPE lolz [
          <!ENTITY lol "lol">
          <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
          <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
          <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
          <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
          <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
          <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
          <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
          <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
        ]>
        <annotation><filename>&lol9;</filename></annotation>
        """;

    /// <summary>Line of the k-th (1-based) &lt;object&gt; in <see cref="Voc"/>'s layout.</summary>
    public static int ObjectLine(int k) => 8 + (k - 1) * 9;

    public static string Voc(SampleImage image, int width, int height, IEnumerable<(string Name, int X0, int Y0, int X1, int Y1)> objects)
    {
        var sb = new StringBuilder();
        sb.Append("<annotation>\n");
        sb.Append(CultureInfo.InvariantCulture, $"  <filename>{Path.GetFileName(image.RelativePath)}</filename>\n");
        sb.Append("  <size>\n");
        sb.Append(CultureInfo.InvariantCulture, $"    <width>{width}</width>\n");
        sb.Append(CultureInfo.InvariantCulture, $"    <height>{height}</height>\n");
        sb.Append("    <depth>3</depth>\n");
        sb.Append("  </size>\n");
        foreach (var (name, x0, y0, x1, y1) in objects)
        {
            sb.Append("  <object>\n");
            sb.Append(CultureInfo.InvariantCulture, $"    <name>{name}</name>\n");
            sb.Append("    <bndbox>\n");
            sb.Append(CultureInfo.InvariantCulture, $"      <xmin>{x0}</xmin>\n");
            sb.Append(CultureInfo.InvariantCulture, $"      <ymin>{y0}</ymin>\n");
            sb.Append(CultureInfo.InvariantCulture, $"      <xmax>{x1}</xmax>\n");
            sb.Append(CultureInfo.InvariantCulture, $"      <ymax>{y1}</ymax>\n");
            sb.Append("    </bndbox>\n");
            sb.Append("  </object>\n");
        }
        sb.Append("</annotation>\n");
        return sb.ToString();
    }

    public static IEnumerable<(string, int, int, int, int)> Objects(SampleImage image) =>
        image.Objects.Select(o => (SampleDataset.DefaultClasses[o.ClassId], o.X, o.Y, o.X + o.W, o.Y + o.H));

    public static List<SampleImage> Jpegs(IReadOnlyList<SampleImage> images) =>
        images.Where(i => i.Split == "train" && i.RelativePath.EndsWith(".jpg", StringComparison.Ordinal)).ToList();

    private static string Stem(SampleImage image) => Path.GetFileNameWithoutExtension(image.RelativePath);

    private static string Id(JsonObject o) => ((int)o["id"]!).ToString(CultureInfo.InvariantCulture);

    private static string LabelOf(string imageRel) => "labels/" + Path.ChangeExtension(imageRel["images/".Length..], ".txt");

    private static void Write(string root, string rel, byte[] bytes)
    {
        var full = Path.Combine(root, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
    }
}
