using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Validation;
using Observatory.DataService.Imaging;
using Xunit.Abstractions;

namespace Observatory.DataService.Tests.Validation;

/// <summary>
/// CsCheck fuzzing of every parser: arbitrary bytes, structure-aware generators and mutations of valid files. Each case must end in
/// findings (bounded by max_findings_per_file) — never an exception. Case counts are written to the test output.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Iterations = 4000;
    private static readonly ValidationRules Rules = new() { MaxFindingsPerFile = 20 };
    private static readonly DatasetLayout Layout = DatasetLayout.Classify(
        new[] { "images/train/a.jpg", "images/train/b.jpg", "images/val/c.png" }.Select(p => new TreeEntry(p, ContentHash.Compute(Encoding.UTF8.GetBytes(p)), 100)).ToList(),
        Rules);
    private static readonly ClassList Classes = new(["circle", "square", "triangle"], "classes.txt");
    private static readonly ImageInspection Ok160 = new() { Status = InspectionStatus.Ok, Format = ImageFormat.Jpeg, Width = 160, Height = 120 };

    private static Gen<byte[]> Mutations(byte[] seed) =>
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, seed.Length], Gen.Byte.Array[1, 16], (kind, at, bytes) =>
        {
            var b = seed.ToList();
            switch (kind)
            {
                case 0: b.RemoveRange(at, b.Count - at); break;                  // truncate
                case 1: for (var i = 0; i < bytes.Length && at + i < b.Count; i++) b[at + i] ^= bytes[i]; break; // flip
                case 2: b.InsertRange(at, bytes); break;                          // insert
                default: b.RemoveRange(at, Math.Min(bytes.Length, b.Count - at)); break; // delete
            }
            return b.ToArray();
        });

    private long Run(string name, Gen<byte[]> gen, Action<byte[], FindingSink> check)
    {
        long cases = 0;
        gen.Sample(bytes =>
        {
            var sink = new FindingSink(Rules, "data/x/file");
            check(bytes, sink);
            var list = new List<ValidationFinding>();
            sink.DrainTo(list);
            if (list.Count > Rules.MaxFindingsPerFile + 1) throw new InvalidOperationException($"{list.Count} findings");
            Interlocked.Increment(ref cases);
        }, iter: Iterations);
        output.WriteLine($"{name}: {cases} cases");
        return cases;
    }

    [Fact]
    public void YoloChecker_OnArbitraryAndNearValidInput_NeverThrows()
    {
        var tokens = Gen.OneOf(Gen.Const("0"), Gen.Const("2"), Gen.Const("-1"), Gen.Const("0.5"), Gen.Const("1e309"), Gen.Const("NaN"), Gen.Const("abc"),
            Gen.Double[-2, 2].Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)), Gen.Const(""), Gen.Const("\t"));
        var line = tokens.Array[0, 12].Select(t => string.Join(' ', t));
        var structured = line.Array[0, 40].Select(l => Encoding.UTF8.GetBytes(string.Join('\n', l)));
        void Check(byte[] b, FindingSink s) => YoloLabelChecker.Check(b, 160, 120, Classes, Rules, s, new Dictionary<int, int>());
        var n = Run("yolo arbitrary bytes", Gen.Byte.Array[0, 600], Check)
              + Run("yolo structured rows", structured, Check)
              + Run("yolo mutated valid file", Mutations("0 0.5 0.5 0.2 0.2\n1 0.25 0.75 0.1 0.3\n2 0.1 0.1 0.1 0.1 0.2 0.2 0.3 0.1\n"u8.ToArray()), Check);
        Assert.Equal(3L * Iterations, n);
    }

    [Fact]
    public void CocoChecker_OnArbitraryAndSchemaShapedJson_NeverThrows()
    {
        var scalar = Gen.OneOf<JsonNode?>(
            Gen.Int[-3, 400].Select(i => (JsonNode?)JsonValue.Create(i)),
            Gen.Double[-1e6, 1e6].Select(d => (JsonNode?)JsonValue.Create(d)),
            Gen.Const<JsonNode?>((JsonNode?)null), Gen.Const<JsonNode?>(() => JsonValue.Create("a.jpg")), Gen.Const<JsonNode?>(() => JsonValue.Create(true)),
            Gen.Const<JsonNode?>(() => JsonValue.Create(long.MaxValue)), Gen.Const<JsonNode?>(() => JsonValue.Create(1e308)));
        Gen<JsonNode?> Value() => Gen.Frequency<JsonNode?>((6, scalar), (1, scalar.Array[0, 6].Select(a => (JsonNode?)new JsonArray(a))));
        Gen<JsonNode?> Obj(params string[] keys) =>
            Gen.Select(Value().Array[keys.Length], Gen.Bool.Array[keys.Length], (values, keep) =>
            {
                var o = new JsonObject();
                for (var i = 0; i < keys.Length; i++) if (keep[i] || i == 0) o[keys[i]] = values[i];
                return (JsonNode?)o;
            });
        var image = Obj("id", "file_name", "width", "height");
        var ann = Obj("id", "image_id", "category_id", "bbox", "area");
        var cat = Obj("id", "name");
        var doc = Gen.Select(image.Array[0, 6], ann.Array[0, 8], cat.Array[0, 4], Gen.Int[0, 7], (i, a, c, drop) =>
        {
            var o = new JsonObject();
            if ((drop & 1) == 0) o["images"] = new JsonArray(i);
            if ((drop & 2) == 0) o["annotations"] = new JsonArray(a);
            if ((drop & 4) == 0) o["categories"] = new JsonArray(c);
            return Encoding.UTF8.GetBytes(o.ToJsonString());
        });
        var valid = Encoding.UTF8.GetBytes("""{"images":[{"id":1,"file_name":"a.jpg","width":160,"height":120}],"annotations":[{"id":1,"image_id":1,"category_id":1,"bbox":[1,2,30,40],"area":1200}],"categories":[{"id":1,"name":"circle"}]}""");
        void Check(byte[] b, FindingSink s) => CocoChecker.Check(b, "annotations/instances_train.json", Layout, _ => Ok160, Rules, s);
        var n = Run("coco arbitrary bytes", Gen.Byte.Array[0, 400], Check)
              + Run("coco schema-shaped documents", doc, Check)
              + Run("coco mutated valid file", Mutations(valid), Check)
              + Run("coco deep nesting", Gen.Int[1, 5000].Select(d => Encoding.ASCII.GetBytes(new string('[', d) + new string(']', d % 3 == 0 ? d : 0))), Check);
        Assert.Equal(4L * Iterations, n);
    }

    [Fact]
    public void VocChecker_OnArbitraryAndMutatedXml_NeverThrows()
    {
        var valid = Encoding.UTF8.GetBytes(DefectDataset.Voc(new Observatory.Samples.SampleImage("images/train/a.jpg", "train", 160, 120, []), 160, 120,
            [("circle", 10, 10, 50, 50), ("square", 60, 20, 150, 110)]));
        var element = Gen.OneOf(Gen.Const("name"), Gen.Const("bndbox"), Gen.Const("xmin"), Gen.Const("size"), Gen.Const("width"), Gen.Const("object"), Gen.Const("annotation"));
        var text = Gen.OneOf(Gen.Const("12"), Gen.Const("-4"), Gen.Const("x"), Gen.Const("1e999"), Gen.Const("circle"), Gen.Const(""), Gen.Const("&amp;"), Gen.Const("&bogus;"));
        var tree = Gen.Select(element.Array[1, 30], text.Array[30], (names, texts) =>
        {
            var sb = new StringBuilder("<annotation>");
            for (var i = 0; i < names.Length; i++) sb.Append('<').Append(names[i]).Append('>').Append(texts[i]).Append(i % 3 == 0 ? "" : $"</{names[i]}>");
            return Encoding.UTF8.GetBytes(sb.Append("</annotation>").ToString());
        });
        void Check(byte[] b, FindingSink s) => VocChecker.Check(b, "voc/a.xml", Layout, Classes, _ => Ok160, Rules, s);
        var n = Run("voc arbitrary bytes", Gen.Byte.Array[0, 400], Check)
              + Run("voc element soup", tree, Check)
              + Run("voc mutated valid file", Mutations(valid), Check);
        Assert.Equal(3L * Iterations, n);
    }

    [Fact]
    public void ImageInspector_OnMutatedImagesAndGarbage_NeverThrows()
    {
        var inspector = new SkiaImageInspector();
        var limits = ImageInspectionLimits.From(ValidationRules.Default);
        var jpeg = TestImages.Render(1, 64, 48);
        var png = TestImages.Png(24, 16, 2, 8, seed: 2);
        long cases = 0;
        void Check(byte[] b)
        {
            var r = inspector.Inspect(b, limits);
            if (r.Status == InspectionStatus.Ok && (r.Width <= 0 || r.Height <= 0)) throw new InvalidOperationException("ok without size");
            Interlocked.Increment(ref cases);
        }
        Gen.Byte.Array[0, 256].Sample(Check, iter: Iterations / 4);
        Mutations(jpeg).Sample(Check, iter: Iterations / 4);
        Mutations(png).Sample(Check, iter: Iterations / 4);
        output.WriteLine($"image inspector: {cases} cases");
        Assert.Equal(3L * (Iterations / 4), cases);
    }

    [Fact]
    public void NearDuplicates_MultiIndexSearch_FindsExactlyThePairsBruteForceFinds()
    {
        long cases = 0;
        var hashes = Gen.Select(Gen.ULong.Array[2, 40], Gen.Int[0, 64].Array[40], Gen.Int[0, 8], (baseHashes, flips, d) => (baseHashes, flips, d));
        hashes.Sample(t =>
        {
            var (baseHashes, flips, d) = t;
            // Derive some hashes from others by flipping a few bits, so near pairs actually occur.
            var list = baseHashes.Select((h, i) => i > 0 && flips[i] < 20 ? baseHashes[i - 1] ^ (1UL << flips[i]) ^ (flips[i] % 3 == 0 ? 1UL << (flips[i] + 7) % 64 : 0) : h).ToList();
            var inspection = new ImageInspection { Status = InspectionStatus.Ok };
            var candidates = list.Select((h, i) => ($"img{i:D3}.jpg", h, inspection)).ToList();
            var rules = new ValidationRules { NearDuplicateDistance = d, MaxNearDuplicatePairs = 100_000, NearDuplicateMaxThumbnailDifference = 255 };
            var found = new List<ValidationFinding>();
            ImageChecks.NearDuplicates(candidates, rules, "", found, CancellationToken.None);
            var expected = 0;
            for (var i = 0; i < list.Count; i++)
                for (var j = i + 1; j < list.Count; j++)
                    if (PerceptualHashing.Distance(list[i], list[j]) <= d) expected++;
            if (found.Count != expected) throw new InvalidOperationException($"found {found.Count}, brute force {expected}");
            Interlocked.Increment(ref cases);
        }, iter: Iterations);
        output.WriteLine($"near-duplicate index vs brute force: {cases} cases");
        Assert.Equal(Iterations, cases);
    }
}
