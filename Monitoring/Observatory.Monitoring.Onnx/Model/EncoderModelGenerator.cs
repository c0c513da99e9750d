using System.Globalization;

namespace Observatory.Monitoring.Onnx.Model;

/// <summary>
/// Generates the shipped image encoder as ONNX bytes, deterministically: an untrained convolutional network with
/// fixed-seed weights. Random encoders are a documented preprocessing for drift detection (Rabanser et al.,
/// "Failing Loudly", 2019): they preserve enough image structure for two-sample tests without any training data.
/// </summary>
public static class EncoderModelGenerator
{
    /// <summary>Bumped whenever the generator deliberately changes the bytes it writes.</summary>
    public const string GeneratorVersion = "observatory-encoder-1";

    /// <summary>The weights of every convolution of <paramref name="spec"/>, drawn from SplitMix64 with He-uniform bounds.</summary>
    public static IReadOnlyList<EncoderConvLayer> CreateLayers(EncoderSpec? spec = null)
    {
        spec ??= EncoderSpec.Default;
        spec.Validate();
        var rng = new SplitMix64(spec.Seed);
        var layers = new List<EncoderConvLayer>();
        var inChannels = 3;
        var k = spec.KernelSize;
        for (var l = 0; l < spec.Channels.Count; l++)
        {
            var outChannels = spec.Channels[l];
            var fanIn = inChannels * k * k;
            // He-uniform bound sqrt(6/fan_in): keeps activations at a similar scale through the ReLU stack.
            var bound = Math.Sqrt(6.0 / fanIn);
            var weights = new double[outChannels * fanIn];
            for (var i = 0; i < weights.Length; i++) weights[i] = rng.NextSymmetric(bound);
            if (l == 0)
            {
                var highPass = (int)Math.Round(outChannels * spec.HighPassShare, MidpointRounding.AwayFromZero);
                for (var o = 0; o < highPass; o++)
                    for (var c = 0; c < inChannels; c++)
                    {
                        var kernel = weights.AsSpan((o * inChannels + c) * k * k, k * k);
                        SubtractMean(kernel);
                        for (var i = 0; i < kernel.Length; i++) kernel[i] *= spec.HighPassGain;
                    }
            }
            var bias = new float[outChannels];
            for (var o = 0; o < outChannels; o++) bias[o] = (float)rng.NextSymmetric(0.05);
            layers.Add(new EncoderConvLayer(inChannels, outChannels, k, spec.Strides[l], k / 2,
                Array.ConvertAll(weights, w => (float)w), bias));
            inChannels = outChannels;
        }
        return layers;
    }

    /// <summary>The ONNX model bytes of <paramref name="spec"/> (ir_version 8, opset 13); the same spec gives the same bytes.</summary>
    public static byte[] Generate(EncoderSpec? spec = null)
    {
        spec ??= EncoderSpec.Default;
        var layers = CreateLayers(spec);
        var nodes = new List<byte[]>();
        var initializers = new List<byte[]>();
        var pooled = new List<string>();
        var x = spec.InputName;
        for (var l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            var w = $"conv{l}.weight";
            var b = $"conv{l}.bias";
            initializers.Add(OnnxProtoWriter.FloatTensor(w, [layer.OutChannels, layer.InChannels, layer.Kernel, layer.Kernel], layer.Weights));
            initializers.Add(OnnxProtoWriter.FloatTensor(b, [layer.OutChannels], layer.Bias));
            nodes.Add(OnnxProtoWriter.Node("Conv", $"conv{l}", [x, w, b], [$"conv{l}.out"],
                OnnxProtoWriter.AttributeInts("dilations", 1, 1),
                OnnxProtoWriter.AttributeInt("group", 1),
                OnnxProtoWriter.AttributeInts("kernel_shape", layer.Kernel, layer.Kernel),
                OnnxProtoWriter.AttributeInts("pads", layer.Padding, layer.Padding, layer.Padding, layer.Padding),
                OnnxProtoWriter.AttributeInts("strides", layer.Stride, layer.Stride)));
            nodes.Add(OnnxProtoWriter.Node("Relu", $"relu{l}", [$"conv{l}.out"], [$"relu{l}.out"]));
            nodes.Add(OnnxProtoWriter.Node("GlobalAveragePool", $"pool{l}", [$"relu{l}.out"], [$"pool{l}.out"]));
            pooled.Add($"pool{l}.out");
            if (spec.MaxPooledLayers.Contains(l))
            {
                nodes.Add(OnnxProtoWriter.Node("GlobalMaxPool", $"maxpool{l}", [$"relu{l}.out"], [$"maxpool{l}.out"]));
                pooled.Add($"maxpool{l}.out");
            }
            x = $"relu{l}.out";
        }
        nodes.Add(OnnxProtoWriter.Node("Concat", "concat", pooled, ["concat.out"], OnnxProtoWriter.AttributeInt("axis", 1)));
        nodes.Add(OnnxProtoWriter.Node("Flatten", "flatten", ["concat.out"], [spec.OutputName], OnnxProtoWriter.AttributeInt("axis", 1)));

        var graph = OnnxProtoWriter.Graph("observatory_random_encoder", nodes, initializers,
            [OnnxProtoWriter.FloatValueInfo(spec.InputName, [null, 3, spec.InputHeight, spec.InputWidth])],
            [OnnxProtoWriter.FloatValueInfo(spec.OutputName, [null, spec.OutputDimension])]);
        var inv = CultureInfo.InvariantCulture;
        return OnnxProtoWriter.Model(8, "Observatory", GeneratorVersion,
            "Untrained fixed-seed convolutional image encoder for drift detection (Rabanser et al., Failing Loudly, 2019). " +
            "Input: RGB 0..1, ImageNet mean/std normalised, NCHW. Output: per-layer global-average-pooled ReLU features, " +
            "then global-max-pooled features of the max-pooled layers.",
            13, graph,
            [
                new("observatory.encoder.seed", spec.Seed.ToString(inv)),
                new("observatory.encoder.input", string.Create(inv, $"{spec.InputWidth}x{spec.InputHeight}")),
                new("observatory.encoder.channels", string.Join(',', spec.Channels.Select(c => c.ToString(inv)))),
                new("observatory.encoder.strides", string.Join(',', spec.Strides.Select(c => c.ToString(inv)))),
                new("observatory.encoder.high_pass", string.Create(inv, $"{spec.HighPassShare:R}x{spec.HighPassGain:R}")),
                new("observatory.encoder.max_pooled_layers", string.Join(',', spec.MaxPooledLayers.Select(c => c.ToString(inv)))),
            ]);
    }

    /// <summary>Writes <see cref="Generate"/>'s bytes to <paramref name="path"/> (used to refresh samples/models/encoder.onnx).</summary>
    public static void Write(string path, EncoderSpec? spec = null)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(path, Generate(spec));
    }

    private static void SubtractMean(Span<double> kernel)
    {
        var sum = 0.0;
        foreach (var v in kernel) sum += v;
        var mean = sum / kernel.Length;
        for (var i = 0; i < kernel.Length; i++) kernel[i] -= mean;
    }
}
