using Microsoft.ML.OnnxRuntime;
using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Core.IO;
using Observatory.Monitoring.Onnx;
using Observatory.Monitoring.Onnx.Model;
using SkiaSharp;

namespace Observatory.Monitoring.Tests.Onnx;

/// <summary>
/// The built-in pretrained encoder, on the real ResNet18 files of the NuGet package, against an independent NumPy forward pass
/// (Fixtures/resnet18/make_resnet18_fixtures.py: the package's two graphs, weights via onnx.numpy_helper, im2col convolution).
/// </summary>
public sealed class ResNet18EncoderTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Onnx", "Fixtures", "resnet18");
    private static readonly string[] Images = ["pattern_224x224.png", "waves_300x200.png", "china_256x192.png"];
    private static readonly DecodeMemoryGate Gate = new(ImageDecodeLimits.Default.DecodeMemoryBytes);

    [Fact]
    public void TheModelFiles_AreCopiedBesideTheProgram_FromThePackage()
    {
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, ResNet18Encoder.ModelFolder), ResNet18Encoder.FindModelFolder());
    }

    [Fact]
    public void TheComposedModel_HasASymbolicBatch_AndA512DimensionalOutput()
    {
        using var session = new InferenceSession(ResNet18Encoder.Load());
        var input = Assert.Single(session.InputMetadata);
        Assert.Equal(ResNet18Encoder.InputName, input.Key);
        Assert.Equal([-1, 3, 224, 224], input.Value.Dimensions);
        var output = Assert.Single(session.OutputMetadata);
        Assert.Equal(ResNet18Encoder.OutputName, output.Key);
        Assert.Equal([-1, 512], output.Value.Dimensions);
    }

    [Fact]
    public void TheComposedModel_EqualsThePackagesTwoGraphsRunOneAfterTheOther()
    {
        var folder = ResNet18Encoder.FindModelFolder()!;
        using var prep = new InferenceSession(Path.Combine(folder, "ResNetPreprocess.onnx"));
        using var net = new InferenceSession(Path.Combine(folder, "ResNet18.onnx"));
        using var composed = new InferenceSession(ResNet18Encoder.Load());
        var random = new Random(5);
        const int batch = 3, size = 3 * 224 * 224;
        var rgb = new float[batch * size];
        for (var i = 0; i < rgb.Length; i++) rgb[i] = random.Next(256);
        // The composed graph takes BGR (the decoder swaps channels); the package's graphs take RGB and swap themselves.
        var bgr = new float[rgb.Length];
        for (var n = 0; n < batch; n++)
            for (var c = 0; c < 3; c++)
                Array.Copy(rgb, n * size + (2 - c) * 224 * 224, bgr, n * size + c * 224 * 224, 224 * 224);

        using var all = OrtValue.CreateTensorValueFromMemory(bgr, [batch, 3, 224, 224]);
        using var outAll = composed.Run(new RunOptions(), [ResNet18Encoder.InputName], [all], [ResNet18Encoder.OutputName]);
        var actual = outAll[0].GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal(batch * 512, actual.Length);

        for (var n = 0; n < batch; n++)
        {
            using var one = OrtValue.CreateTensorValueFromMemory(rgb.AsMemory(n * size, size).ToArray(), [1, 3, 224, 224]);
            using var prepared = prep.Run(new RunOptions(), [prep.InputNames[0]], [one], [prep.OutputNames[0]]);
            using var embedded = net.Run(new RunOptions(), [net.InputNames[0]], [prepared[0]], [net.OutputNames[0]]);
            var expected = embedded[0].GetTensorDataAsSpan<float>();
            Assert.Equal(512, expected.Length);
            for (var j = 0; j < 512; j++) Assert.True(Math.Abs(expected[j] - actual[n * 512 + j]) <= 1e-4 * Math.Max(1, Math.Abs(expected[j])),
                $"image {n} dimension {j}: two graphs {expected[j]}, composed {actual[n * 512 + j]}");
        }
    }

    [Fact]
    public void Preprocessing_IsPillowsCentreCropAndBilinearResize_InBgrOrder_OnRawPixelValues()
    {
        var options = EmbeddingModelOptions.ResNet18;
        var tables = ImageDecoder.NormalisationTables(options);
        foreach (var image in Images)
        {
            var tensor = new float[3 * 224 * 224];
            ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(Fixtures, image)), image, options, tables, tensor, ImageDecodeLimits.Default, Gate, CancellationToken.None);
            using var expected = SKBitmap.Decode(Path.Combine(Fixtures, image.Replace(".png", "_crop224.png")));
            Assert.Equal((224, 224), (expected.Width, expected.Height));
            for (var y = 0; y < 224; y++)
                for (var x = 0; x < 224; x++)
                {
                    var p = expected.GetPixel(x, y);
                    var i = y * 224 + x;
                    Assert.Equal((p.Blue, p.Green, p.Red), ((byte)tensor[i], (byte)tensor[224 * 224 + i], (byte)tensor[2 * 224 * 224 + i]));
                }
        }
    }

    [Fact]
    public async Task Embeddings_MatchAnIndependentNumPyForwardPass()
    {
        var expected = NpyReader.Read(Path.Combine(Fixtures, "resnet18_embeddings.npy"));
        Assert.Equal((Images.Length, 512), (expected.Rows, expected.Cols));
        using var embedder = new ImageEmbedder(EmbeddingModelOptions.ResNet18);
        Assert.Equal(512, embedder.Dimension);
        var result = await embedder.EmbedFilesAsync(Images.Select(i => Path.Combine(Fixtures, i)).ToList(), CancellationToken.None);
        var worst = 0.0;
        for (var n = 0; n < Images.Length; n++)
            for (var j = 0; j < 512; j++)
                worst = Math.Max(worst, Math.Abs(result.Vectors[n][j] - expected[n, j]) / Math.Max(1, Math.Abs(expected[n, j])));
        Assert.True(worst <= 1e-4, $"largest relative difference {worst:G3}");
    }

    [Fact]
    public async Task BatchesOfAnySize_GiveTheSameEmbeddings()
    {
        var paths = Images.Concat(Images).Select(i => Path.Combine(Fixtures, i)).ToList();
        using var batched = new ImageEmbedder(EmbeddingModelOptions.ResNet18 with { BatchSize = 4, IntraOpThreads = 2 });
        using var single = new ImageEmbedder(EmbeddingModelOptions.ResNet18 with { BatchSize = 1, IntraOpThreads = 1 });
        var a = await batched.EmbedFilesAsync(paths, CancellationToken.None);
        var b = await single.EmbedFilesAsync(paths, CancellationToken.None);
        for (var n = 0; n < paths.Count; n++)
            for (var j = 0; j < 512; j++)
                Assert.True(Math.Abs(a.Vectors[n][j] - b.Vectors[n][j]) <= 1e-4 * Math.Max(1, Math.Abs(b.Vectors[n][j])), $"image {n} dimension {j}");
        Assert.NotEqual(a.Vectors[0], a.Vectors[1]);
    }
}
