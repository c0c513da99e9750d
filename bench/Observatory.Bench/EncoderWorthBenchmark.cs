using System.Diagnostics;
using System.Globalization;
using Observatory.Monitoring.Core.Drift;
using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Onnx;
using SkiaSharp;

namespace Observatory.Bench;

/// <summary>
/// Is the pretrained encoder worth its cost? On crops of real photographs (scikit-learn's china.jpg and flower.jpg as the two
/// known "classes", each of scikit-image's chelsea, coffee, astronaut and rocket as an unseen one; Debian's python3-sklearn and
/// python3-skimage), for the
/// pretrained ResNet18 and the small random encoder: how often a crop's nearest neighbour is a crop of the same photograph, and
/// at what share of unseen-photograph crops in a production window MMD (the service's test, p &lt; 0.05) detects the shift.
/// </summary>
public sealed class EncoderWorthBenchmark : IBenchmark
{
    private const string Sklearn = "/usr/lib/python3/dist-packages/sklearn/datasets/images/";
    private const string Skimage = "/usr/lib/python3/dist-packages/skimage/data/";

    public string Name => "encoder-worth";
    public string Description => "ResNet18 vs random encoder on crops of real photographs: same-photo nearest neighbours, smallest unseen-class share MMD detects [--pool 240] [--window 200] [--trials 10] [--unseen PHOTO,PHOTO]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int pool = 240, window = 200, trials = 10, permutations = 200;
        var unseenPhotos = new[] { "chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg" }.Select(f => Skimage + f).ToArray();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--unseen") { unseenPhotos = args[i + 1].Split(','); continue; }
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--pool": pool = value; break;
                case "--window": window = value; break;
                case "--trials": trials = value; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        foreach (var unseenPhoto in unseenPhotos)
        {
        string[] photos = [Sklearn + "china.jpg", Sklearn + "flower.jpg", unseenPhoto];
        if (photos.FirstOrDefault(p => !File.Exists(p)) is { } missing)
        {
            Console.Error.WriteLine($"{missing} not found: apt-get install -y python3-sklearn python3-skimage");
            return 2;
        }

        // A pool of random crops of each photograph (side 30-60 % of the short edge, anywhere, half mirrored).
        var crops = photos.Select((p, k) => Crops(p, pool, seed: 100 + k)).ToArray();
        Console.WriteLine($"{pool} crops each of {string.Join(", ", photos.Select(Path.GetFileName))}; windows of {window}, {trials} trials per share, MMD with {permutations} permutations, p < 0.05");
        double[] shares = [0, 0.02, 0.05, 0.1, 0.2, 0.3];
        Console.WriteLine($"{"encoder",-10} {"dim",4} {"embed/s",8} {"same-photo NN",14} {"inter/intra",12}  detection rate at unseen share {string.Join(" ", shares.Select(s => s.ToString("P0", CultureInfo.InvariantCulture).PadLeft(5)))}");
        foreach (var (name, options) in new[] { ("resnet18", EmbeddingModelOptions.ResNet18), ("random", EmbeddingModelOptions.Random) })
        {
            using var embedder = new ImageEmbedder(options);
            var sw = Stopwatch.StartNew();
            var vectors = new float[3][][];
            for (var k = 0; k < 3; k++) vectors[k] = (await embedder.EmbedAsync(crops[k], cancellationToken)).Vectors;
            var rate = 3 * pool / sw.Elapsed.TotalSeconds;

            foreach (var transform in new Func<float[], float[]>[] { v => v })
            foreach (var factor in new[] { 1.0 })
            {
            var variant = factor == 1 ? "" : $" σ×{factor}";
            var vectors0 = vectors;
            var vectorsT = vectors.Select(set => set.Select(transform).ToArray()).ToArray();
            vectors = vectorsT;
            var (nn, ratio) = Separation(vectors[0], vectors[1]);
            var detection = new List<double>();
            foreach (var share in shares)
            {
                var detected = 0;
                for (var t = 0; t < trials; t++)
                {
                    var rng = new Random(1000 * t + (int)(share * 1000));
                    // Reference and production are disjoint draws from the known photographs' pools (half each).
                    var known = Enumerable.Range(0, 2).SelectMany(k => Enumerable.Range(0, pool).Select(i => vectors[k][i])).OrderBy(_ => rng.Next()).ToList();
                    var reference = known.Take(window).ToList();
                    var unseen = (int)Math.Round(window * share);
                    var current = known.Skip(window).Take(window - unseen).Concat(vectors[2].OrderBy(_ => rng.Next()).Take(unseen)).ToList();
                    var refMatrix = Matrix(reference);
                    var result = Mmd.Test(refMatrix, Matrix(current), permutations, seed: t, sigma: factor * Mmd.MedianHeuristicSigma(refMatrix), cancellationToken);
                    if (result.PValue < 0.05) detected++;
                }
                detection.Add((double)detected / trials);
            }
            Console.WriteLine($"{name + variant,-10} {vectors[0][0].Length,4} {rate,8:F1} {nn,14:P1} {ratio,12:F3}  {string.Join(" ", detection.Select(d => d.ToString("P0", CultureInfo.InvariantCulture).PadLeft(5)))}");
            vectors = vectors0;
            }
        }
        }
        return 0;
    }

    private static List<ImageSource> Crops(string path, int count, int seed)
    {
        using var photo = SKBitmap.Decode(path);
        var rng = new Random(seed);
        var crops = new List<ImageSource>(count);
        for (var i = 0; i < count; i++)
        {
            var side = (int)(Math.Min(photo.Width, photo.Height) * (0.3 + 0.3 * rng.NextDouble()));
            var x = rng.Next(photo.Width - side);
            var y = rng.Next(photo.Height - side);
            using var crop = new SKBitmap(side, side);
            using (var canvas = new SKCanvas(crop))
            {
                if (rng.Next(2) == 1) { canvas.Translate(side, 0); canvas.Scale(-1, 1); }
                using var image0 = SKImage.FromBitmap(photo);
                canvas.DrawImage(image0, new SKRect(x, y, x + side, y + side), new SKRect(0, 0, side, side), new SKSamplingOptions(SKFilterMode.Nearest));
            }
            using var image = SKImage.FromBitmap(crop);
            using var png = image.Encode(SKEncodedImageFormat.Png, 100);
            crops.Add(ImageSource.FromBytes($"{Path.GetFileNameWithoutExtension(path)}-{i}", png.ToArray()));
        }
        return crops;
    }

    /// <summary>Leave-one-out nearest neighbour from the same photograph, and mean between-photo over mean within-photo distance.</summary>
    private static (double SamePhotoNearest, double InterOverIntra) Separation(float[][] a, float[][] b)
    {
        var all = a.Select(v => (v, label: 0)).Concat(b.Select(v => (v, label: 1))).ToArray();
        int same = 0;
        double intra = 0, inter = 0;
        long intraN = 0, interN = 0;
        for (var i = 0; i < all.Length; i++)
        {
            var best = double.MaxValue;
            var bestLabel = -1;
            for (var j = 0; j < all.Length; j++)
            {
                if (i == j) continue;
                var d = Math.Sqrt(all[i].v.Zip(all[j].v, (p, q) => (double)(p - q) * (p - q)).Sum());
                if (d < best) { best = d; bestLabel = all[j].label; }
                if (j > i)
                {
                    if (all[i].label == all[j].label) { intra += d; intraN++; } else { inter += d; interN++; }
                }
            }
            if (bestLabel == all[i].label) same++;
        }
        return ((double)same / all.Length, inter / interN / (intra / intraN));
    }

    private static float[] L2(float[] v)
    {
        var n = MathF.Sqrt(v.Sum(x => x * x));
        return n > 0 ? v.Select(x => x / n).ToArray() : v;
    }

    private static DataMatrix Matrix(List<float[]> rows) =>
        DataMatrix.FromRows(rows.Select(r => r.Select(v => (double)v).ToArray()).ToList());
}
