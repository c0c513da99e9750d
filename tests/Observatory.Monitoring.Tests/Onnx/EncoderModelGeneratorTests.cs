using Microsoft.ML.OnnxRuntime;
using Observatory.Monitoring.Onnx.Model;

namespace Observatory.Monitoring.Tests.Onnx;

public sealed class EncoderModelGeneratorTests
{
    private static readonly string CommittedModel = Path.Combine(AppContext.BaseDirectory, "Onnx", "Fixtures", "encoder.onnx");

    [Fact]
    public void Generate_MatchesCommittedSampleModelByteForByte()
    {
        var committed = File.ReadAllBytes(CommittedModel);
        var generated = EncoderModelGenerator.Generate();
        Assert.True(committed.AsSpan().SequenceEqual(generated),
            "samples/models/encoder.onnx differs from EncoderModelGenerator.Generate(); if the change is intended, bump GeneratorVersion and run " +
            "`dotnet run -c Release --project bench/Observatory.Bench -- embed --write-model samples/models/encoder.onnx`");
    }

    [Fact]
    public void Generate_WithAnotherSeed_ChangesTheWeights()
    {
        var a = EncoderModelGenerator.CreateLayers(EncoderSpec.Default);
        var b = EncoderModelGenerator.CreateLayers(EncoderSpec.Default with { Seed = 1 });
        Assert.NotEqual(a[0].Weights, b[0].Weights);
        Assert.False(EncoderModelGenerator.Generate().AsSpan().SequenceEqual(EncoderModelGenerator.Generate(EncoderSpec.Default with { Seed = 1 })));
    }

    [Fact]
    public void SplitMix64_GivesThePublishedSequence()
    {
        // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c), so weights never depend on System.Random.
        var rng = new SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, rng.Next());
        Assert.Equal(0x6E789E6AA1B965F4UL, rng.Next());
        Assert.Equal(0x06C45D188009454FUL, rng.Next());
    }

    [Fact]
    public void FirstLayer_HighPassFilters_AreZeroMeanPerInputChannel()
    {
        var layer = EncoderModelGenerator.CreateLayers()[0];
        var k2 = layer.Kernel * layer.Kernel;
        for (var o = 0; o < layer.OutChannels; o++)
        {
            for (var c = 0; c < layer.InChannels; c++)
            {
                var sum = layer.Weights.AsSpan((o * layer.InChannels + c) * k2, k2).ToArray().Sum(w => (double)w);
                if (o < layer.OutChannels / 2) Assert.InRange(sum, -1e-5, 1e-5);
            }
        }
        var rawSums = Enumerable.Range(layer.OutChannels / 2, layer.OutChannels / 2)
            .Select(o => Math.Abs(layer.Weights.AsSpan(o * layer.InChannels * k2, k2).ToArray().Sum()));
        Assert.Contains(rawSums, s => s > 0.1);
    }

    [Fact]
    public void CommittedModel_LoadsInOnnxRuntimeWithImageInputAndEmbeddingOutput()
    {
        using var session = new InferenceSession(CommittedModel);
        var input = Assert.Single(session.InputMetadata);
        Assert.Equal("images", input.Key);
        Assert.Equal([-1, 3, 96, 96], input.Value.Dimensions);
        Assert.Equal(typeof(float), input.Value.ElementType);
        var output = Assert.Single(session.OutputMetadata);
        Assert.Equal("embedding", output.Key);
        Assert.Equal([-1, 152], output.Value.Dimensions);
        Assert.Equal("20190101", session.ModelMetadata.CustomMetadataMap["observatory.encoder.seed"]);

        var x = new float[2 * 3 * 96 * 96];
        for (var i = 0; i < x.Length; i++) x[i] = (i % 97) / 50f - 1f;
        using var tensor = OrtValue.CreateTensorValueFromMemory(x, [2, 3, 96, 96]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["images"], [tensor], ["embedding"]);
        Assert.Equal([2, 152], outputs[0].GetTensorTypeAndShape().Shape);
    }

    [Fact]
    public void OnnxRuntime_OnTinyEncoder_MatchesNaiveReferenceConvolution()
    {
        var spec = new EncoderSpec { InputWidth = 11, InputHeight = 9, Channels = [4, 6, 5], Strides = [1, 2, 2], MaxPooledLayers = [0, 2], HighPassGain = 2, Seed = 7 };
        AssertMatchesReference(spec, batch: 3);
    }

    [Fact]
    public void OnnxRuntime_OnShippedEncoder_MatchesNaiveReferenceConvolution()
    {
        AssertMatchesReference(EncoderSpec.Default, batch: 1);
    }

    private static void AssertMatchesReference(EncoderSpec spec, int batch)
    {
        var layers = EncoderModelGenerator.CreateLayers(spec);
        var per = 3 * spec.InputHeight * spec.InputWidth;
        var rng = new SplitMix64(99);
        var x = new float[batch * per];
        for (var i = 0; i < x.Length; i++) x[i] = (float)rng.NextSymmetric(2.0);

        using var session = new InferenceSession(EncoderModelGenerator.Generate(spec));
        using var tensor = OrtValue.CreateTensorValueFromMemory(x, [batch, 3, spec.InputHeight, spec.InputWidth]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [spec.InputName], [tensor], [spec.OutputName]);
        var actual = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal(batch * spec.OutputDimension, actual.Length);

        var maxError = 0.0;
        for (var b = 0; b < batch; b++)
        {
            var expected = ReferenceForward(layers, spec.MaxPooledLayers, x.AsSpan(b * per, per).ToArray(), spec.InputHeight, spec.InputWidth);
            for (var j = 0; j < expected.Length; j++) maxError = Math.Max(maxError, Math.Abs(expected[j] - actual[b * spec.OutputDimension + j]));
        }
        Assert.True(maxError < 1e-4, $"max abs error {maxError}");
    }

    /// <summary>Direct loops: conv (zero padding) → ReLU → global average (and max for max-pooled layers), concatenated per layer.</summary>
    private static double[] ReferenceForward(IReadOnlyList<EncoderConvLayer> layers, IReadOnlyList<int> maxPooled, float[] image, int height, int width)
    {
        var input = Array.ConvertAll(image, v => (double)v);
        var (h, w) = (height, width);
        var embedding = new List<double>();
        for (var l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            var maxima = new List<double>();
            var oh = (h + 2 * layer.Padding - layer.Kernel) / layer.Stride + 1;
            var ow = (w + 2 * layer.Padding - layer.Kernel) / layer.Stride + 1;
            var output = new double[layer.OutChannels * oh * ow];
            for (var o = 0; o < layer.OutChannels; o++)
            {
                var pooled = 0.0;
                var max = double.NegativeInfinity;
                for (var y = 0; y < oh; y++)
                {
                    for (var xo = 0; xo < ow; xo++)
                    {
                        double sum = layer.Bias[o];
                        for (var c = 0; c < layer.InChannels; c++)
                        {
                            for (var ky = 0; ky < layer.Kernel; ky++)
                            {
                                var iy = y * layer.Stride + ky - layer.Padding;
                                if (iy < 0 || iy >= h) continue;
                                for (var kx = 0; kx < layer.Kernel; kx++)
                                {
                                    var ix = xo * layer.Stride + kx - layer.Padding;
                                    if (ix < 0 || ix >= w) continue;
                                    sum += layer.Weights[((o * layer.InChannels + c) * layer.Kernel + ky) * layer.Kernel + kx] * input[(c * h + iy) * w + ix];
                                }
                            }
                        }
                        var relu = Math.Max(0, sum);
                        output[(o * oh + y) * ow + xo] = relu;
                        pooled += relu;
                        max = Math.Max(max, relu);
                    }
                }
                embedding.Add(pooled / (oh * ow));
                maxima.Add(max);
            }
            if (maxPooled.Contains(l)) embedding.AddRange(maxima);
            (input, h, w) = (output, oh, ow);
        }
        return embedding.ToArray();
    }
}
