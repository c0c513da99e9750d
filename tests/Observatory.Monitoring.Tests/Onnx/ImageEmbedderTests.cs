using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Onnx;
using Observatory.Samples;
using SkiaSharp;
using Xunit.Abstractions;

namespace Observatory.Monitoring.Tests.Onnx;

public sealed class ImageEmbedderTests(ITestOutputHelper output) : IDisposable
{
    private readonly ImageEmbedder embedder = new(EmbeddingModelOptions.Random);
    private readonly string temp = Directory.CreateTempSubdirectory("obs-embed-").FullName;

    [Fact]
    public async Task EmbedAsync_SameImagesTwice_GivesIdenticalVectorsOfTheModelDimension()
    {
        var images = TestImages.Samples(1, 10);
        var first = await embedder.EmbedAsync(images, CancellationToken.None);
        var second = await embedder.EmbedAsync(images, CancellationToken.None);
        Assert.Equal(10, first.Count);
        Assert.Equal(152, first.Dimension);
        Assert.Equal(152, embedder.Dimension);
        for (var i = 0; i < first.Count; i++) Assert.Equal(first.Vectors[i], second.Vectors[i]);
        Assert.Equal(first.Statistics, second.Statistics);
        Assert.All(first.Vectors, v => Assert.Contains(v, x => x != 0));
    }

    [Fact]
    public async Task EmbedAsync_InSmallBatches_GivesTheSameVectorsInInputOrder()
    {
        var images = TestImages.Samples(20, 7);
        var whole = await embedder.EmbedAsync(images, CancellationToken.None);
        using var small = new ImageEmbedder(EmbeddingModelOptions.Random with { BatchSize = 3, DecodeThreads = 1, IntraOpThreads = 1 });
        var batched = await small.EmbedAsync(images, CancellationToken.None);
        var single = await embedder.EmbedAsync([images[5]], CancellationToken.None);
        for (var i = 0; i < images.Length; i++)
            for (var j = 0; j < whole.Dimension; j++) Assert.Equal(whole.Vectors[i][j], batched.Vectors[i][j], 1e-5f);
        for (var j = 0; j < whole.Dimension; j++) Assert.Equal(whole.Vectors[5][j], single.Vectors[0][j], 1e-5f);
        Assert.NotEqual(whole.Vectors[4], whole.Vectors[5]);
    }

    [Fact]
    public async Task EmbedAsync_BrightnessShiftedImages_MoveTheMeanEmbeddingFartherThanASecondSample()
    {
        var (sameDistribution, shifted) = await MeanShiftsAsync(new SampleDatasetOptions { BrightnessShift = 0.25 });
        Assert.True(shifted > 2 * sameDistribution, $"shifted {shifted:F4} vs same distribution {sameDistribution:F4}");
    }

    [Fact]
    public async Task EmbedAsync_BlurredImages_MoveTheMeanEmbeddingFartherThanASecondSample()
    {
        var (sameDistribution, blurred) = await MeanShiftsAsync(new SampleDatasetOptions { Blur = 2 });
        Assert.True(blurred > 2.5 * sameDistribution, $"blurred {blurred:F4} vs same distribution {sameDistribution:F4}");
    }

    [Fact]
    public async Task EmbedAsync_ImagesOfOnlyOneNewShape_MoveTheMeanEmbeddingFartherThanASecondSample()
    {
        // Reference and second sample hold circles and squares; the current sample holds only triangles. The shift is
        // subtler than brightness or blur for a random encoder (measured 2.4x at 240 images, about 1.1x at 60), hence the larger samples.
        var known = new SampleDatasetOptions { OnlyClasses = [0, 1] };
        var reference = await embedder.EmbedAsync(TestImages.Samples(0, 240, known), CancellationToken.None);
        var second = await embedder.EmbedAsync(TestImages.Samples(5000, 240, known), CancellationToken.None);
        var triangles = await embedder.EmbedAsync(TestImages.Samples(5000, 240, known with { OnlyClasses = [2] }), CancellationToken.None);
        var refMean = TestImages.Mean(reference.Vectors);
        var same = TestImages.Distance(refMean, TestImages.Mean(second.Vectors));
        var shifted = TestImages.Distance(refMean, TestImages.Mean(triangles.Vectors));
        output.WriteLine($"same {same:F4} triangles {shifted:F4}");
        Assert.True(shifted > 1.5 * same, $"triangles {shifted:F4} vs same distribution {same:F4}");
    }

    [Fact]
    public async Task EmbedAsync_CorruptImage_ThrowsNamingTheItem()
    {
        var good = TestImages.Samples(1, 5);
        ImageSource[] images = [.. good[..2], ImageSource.FromBytes("uploads/broken.jpg", [0xFF, 0xD8, 0xFF, 0x00, 1, 2, 3]), .. good[2..]];
        var e = await Assert.ThrowsAsync<ImageDecodeException>(() => embedder.EmbedAsync(images, CancellationToken.None));
        Assert.Equal("uploads/broken.jpg", e.ItemName);
        Assert.Contains("uploads/broken.jpg", e.Message);
    }

    [Fact]
    public async Task EmbedFilesAsync_TruncatedJpeg_ThrowsNamingTheFile()
    {
        var jpeg = SampleDataset.RenderImage(3, new SampleDatasetOptions(), out _);
        var good = Path.Combine(temp, "good.jpg");
        var truncated = Path.Combine(temp, "truncated.jpg");
        await File.WriteAllBytesAsync(good, jpeg);
        await File.WriteAllBytesAsync(truncated, jpeg[..(jpeg.Length / 2)]);
        var e = await Assert.ThrowsAsync<ImageDecodeException>(() => embedder.EmbedFilesAsync([good, truncated], CancellationToken.None));
        Assert.Equal(truncated, e.ItemName);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public async Task EmbedFilesAsync_ReadsFilesAndMatchesInMemoryBytes()
    {
        var bytes = SampleDataset.RenderImage(8, new SampleDatasetOptions(), out _);
        var path = Path.Combine(temp, "a.jpg");
        await File.WriteAllBytesAsync(path, bytes);
        var fromFile = await embedder.EmbedFilesAsync([path], CancellationToken.None);
        var fromBytes = await embedder.EmbedAsync([ImageSource.FromBytes("a", bytes)], CancellationToken.None);
        var fromStream = await embedder.EmbedAsync([ImageSource.FromStream("a", _ => Task.FromResult<Stream>(new MemoryStream(bytes)))], CancellationToken.None);
        Assert.Equal(fromBytes.Vectors[0], fromFile.Vectors[0]);
        Assert.Equal(fromBytes.Vectors[0], fromStream.Vectors[0]);
        Assert.Equal(160, fromFile.Statistics[0].Width);
        Assert.Equal(120, fromFile.Statistics[0].Height);
    }

    [Fact]
    public void Constructor_WithCommittedModelFile_HasTheSameModelHashAsTheInMemoryEncoder()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Onnx", "Fixtures", "encoder.onnx");
        using var fromFile = new ImageEmbedder(EmbeddingModelOptions.Random with { ModelPath = path });
        Assert.Equal(embedder.ModelSha256, fromFile.ModelSha256);
        Assert.Equal(embedder.CacheKey, fromFile.CacheKey);
        Assert.Matches("^[0-9a-f]{64}$", fromFile.ModelSha256);
        using var otherPreprocessing = new ImageEmbedder(EmbeddingModelOptions.Random with { ResizeMode = ResizeMode.CenterCrop });
        Assert.Equal(embedder.ModelSha256, otherPreprocessing.ModelSha256);
        Assert.NotEqual(embedder.CacheKey, otherPreprocessing.CacheKey);
    }

    [Fact]
    public void Constructor_WithUnknownInputName_ListsTheModelsInputs()
    {
        var e = Assert.Throws<ArgumentException>(() => new ImageEmbedder(EmbeddingModelOptions.Random with { InputName = "input" }));
        Assert.Contains("'input'", e.Message);
        Assert.Contains("images", e.Message);
    }

    [Fact]
    public void Constructor_WithSizeTheModelDoesNotAccept_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new ImageEmbedder(EmbeddingModelOptions.Random with { Width = 224, Height = 224 }));
        Assert.Contains("224x224", e.Message);
    }

    [Fact]
    public async Task EmbedAsync_BgrOrder_FeedsTheModelTheSwappedChannels()
    {
        // With equal per-channel mean/std, a BGR embedder on a red/blue-swapped image sees exactly what an RGB one sees on the original.
        var symmetric = EmbeddingModelOptions.Random with { Mean = [0.45f, 0.45f, 0.45f], Std = [0.25f, 0.25f, 0.25f] };
        using var rgb = new ImageEmbedder(symmetric);
        using var bgr = new ImageEmbedder(symmetric with { ChannelOrder = ChannelOrder.Bgr });
        var original = TestImages.Png(40, 30, (x, y) => new SKColor((byte)(x * 6), (byte)(y * 8), (byte)((x + y) % 256)));
        var swapped = TestImages.Png(40, 30, (x, y) => new SKColor((byte)((x + y) % 256), (byte)(y * 8), (byte)(x * 6)));
        var a = await rgb.EmbedAsync([ImageSource.FromBytes("o", original)], CancellationToken.None);
        var b = await bgr.EmbedAsync([ImageSource.FromBytes("s", swapped)], CancellationToken.None);
        var c = await rgb.EmbedAsync([ImageSource.FromBytes("s", swapped)], CancellationToken.None);
        Assert.Equal(a.Vectors[0], b.Vectors[0]);
        Assert.NotEqual(a.Vectors[0], c.Vectors[0]);
    }

    [Fact]
    public async Task EmbedAsync_CenterCrop_IgnoresWhatIsOutsideTheCentralSquare()
    {
        using var crop = new ImageEmbedder(EmbeddingModelOptions.Random with { ResizeMode = ResizeMode.CenterCrop });
        // 300×100: the central 100×100 square is identical, the side bands differ.
        var a = TestImages.Png(300, 100, (x, y) => x is >= 100 and < 200 ? new SKColor((byte)(x + y), 90, 40) : SKColors.Black);
        var b = TestImages.Png(300, 100, (x, y) => x is >= 100 and < 200 ? new SKColor((byte)(x + y), 90, 40) : SKColors.White);
        var cropped = await crop.EmbedAsync([ImageSource.FromBytes("a", a), ImageSource.FromBytes("b", b)], CancellationToken.None);
        var stretched = await embedder.EmbedAsync([ImageSource.FromBytes("a", a), ImageSource.FromBytes("b", b)], CancellationToken.None);
        for (var j = 0; j < cropped.Dimension; j++) Assert.Equal(cropped.Vectors[0][j], cropped.Vectors[1][j], 1e-5f);
        Assert.True(TestImages.Distance(stretched.Vectors[0], stretched.Vectors[1]) > 0.1);
    }

    [Fact]
    public async Task EmbedAsync_Cancelled_StopsWithOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => embedder.EmbedAsync(TestImages.Samples(1, 3), cts.Token));
    }

    private async Task<(double SameDistribution, double Drifted)> MeanShiftsAsync(SampleDatasetOptions drifted)
    {
        var reference = await embedder.EmbedAsync(TestImages.Samples(0, 60), CancellationToken.None);
        var second = await embedder.EmbedAsync(TestImages.Samples(5000, 60), CancellationToken.None);
        var shifted = await embedder.EmbedAsync(TestImages.Samples(5000, 60, drifted), CancellationToken.None);
        var refMean = TestImages.Mean(reference.Vectors);
        var same = TestImages.Distance(refMean, TestImages.Mean(second.Vectors));
        var moved = TestImages.Distance(refMean, TestImages.Mean(shifted.Vectors));
        output.WriteLine($"same distribution {same:F4}, drifted {moved:F4}, ratio {moved / same:F1}");
        return (same, moved);
    }

    public void Dispose()
    {
        embedder.Dispose();
        Directory.Delete(temp, recursive: true);
    }
}

public sealed class ImageEmbedderGoldenTests(ITestOutputHelper output)
{
    // Recorded from this implementation; a change means the shipped encoder's embeddings changed for every user
    // (model bytes, decode, resize or normalisation) and cached reference embeddings must be recomputed.
    private static readonly float[] ExpectedHead = [0.8109174f, 0.9055574f, 0.97861606f, 1.2264247f, 0.9717366f, 0.9144053f, 1.4229002f, 0.89825356f];
    private const double ExpectedNorm = 38.179533003841854;

    [Fact]
    public async Task EmbedAsync_FixedImage_GivesTheRecordedEmbedding()
    {
        var png = TestImages.Png(120, 90, (x, y) => new SKColor((byte)(x * 2), (byte)(y * 3 % 256), (byte)((x * y) % 256)));
        using var embedder = new ImageEmbedder(EmbeddingModelOptions.Random);
        var vector = (await embedder.EmbedAsync([ImageSource.FromBytes("fixed.png", png)], CancellationToken.None)).Vectors[0];
        var norm = Math.Sqrt(vector.Sum(v => (double)v * v));
        output.WriteLine(string.Join(", ", vector.Take(8).Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "f")) + $" | {norm:R}");
        Assert.Equal(ExpectedNorm, norm, 1e-4);
        for (var j = 0; j < ExpectedHead.Length; j++) Assert.Equal(ExpectedHead[j], vector[j], 1e-4f);
    }
}
