namespace Observatory.Monitoring.Onnx.Model;

/// <summary>
/// Shape and seed of a generated random convolutional encoder: 3×3 convolutions with ReLU; every layer's feature
/// maps are globally average-pooled (and the deeper ones also max-pooled), the pooled vectors concatenated into the
/// embedding, so it holds colour/brightness (early layers), texture/sharpness and larger structures (late layers).
/// </summary>
public sealed record EncoderSpec
{
    /// <summary>The shipped encoder (samples/models/encoder.onnx): 96×96 RGB in, 152 dimensions out.</summary>
    public static EncoderSpec Default { get; } = new();

    public int InputWidth { get; init; } = 96;
    public int InputHeight { get; init; } = 96;
    /// <summary>Output channels of each convolution; the embedding has their sum as dimension.</summary>
    public IReadOnlyList<int> Channels { get; init; } = [16, 24, 24, 32];
    /// <summary>Stride of each convolution (same length as <see cref="Channels"/>).</summary>
    public IReadOnlyList<int> Strides { get; init; } = [2, 2, 2, 2];
    public int KernelSize { get; init; } = 3;
    public ulong Seed { get; init; } = 20190101;
    /// <summary>
    /// Share of first-layer filters made zero-mean per input channel: they see edges and texture but not overall level,
    /// so blur and new shapes move the embedding, while the other filters keep brightness and colour in it.
    /// </summary>
    public double HighPassShare { get; init; } = 0.5;
    /// <summary>
    /// Factor on the high-pass filters' weights: texture responses are small next to colour ones, and without a gain
    /// a blur barely moves the embedding in Euclidean terms (measured: blur σ=2 moved the mean 1.5× the sampling noise
    /// at gain 1, 5× at gain 4 together with max pooling).
    /// </summary>
    public double HighPassGain { get; init; } = 4;
    /// <summary>
    /// Layers (0-based) whose ReLU maps are also global-max-pooled: "is this pattern anywhere" features that react to
    /// new shapes more than averages do.
    /// </summary>
    public IReadOnlyList<int> MaxPooledLayers { get; init; } = [2, 3];
    public string InputName { get; init; } = "images";
    public string OutputName { get; init; } = "embedding";

    public int OutputDimension => Channels.Sum() + MaxPooledLayers.Sum(l => Channels[l]);

    internal void Validate()
    {
        if (InputWidth < 1 || InputHeight < 1) throw new ArgumentException($"encoder input size must be positive, got {InputWidth}x{InputHeight}");
        if (Channels.Count == 0 || Channels.Any(c => c < 1)) throw new ArgumentException("encoder needs at least one layer with a positive channel count");
        if (Strides.Count != Channels.Count || Strides.Any(s => s < 1))
            throw new ArgumentException($"encoder needs one positive stride per layer ({Channels.Count}), got {Strides.Count}");
        if (KernelSize < 1 || KernelSize % 2 == 0) throw new ArgumentException($"encoder kernel size must be odd and positive, got {KernelSize}");
        if (HighPassShare is < 0 or > 1) throw new ArgumentException($"HighPassShare must be in [0, 1], got {HighPassShare}");
        if (MaxPooledLayers.Any(l => l < 0 || l >= Channels.Count))
            throw new ArgumentException($"MaxPooledLayers must be layer indexes in [0, {Channels.Count - 1}]");
    }
}

/// <summary>One convolution of a generated encoder: weights in OIHW order, "same"-style padding of kernel/2.</summary>
public sealed record EncoderConvLayer(int InChannels, int OutChannels, int Kernel, int Stride, int Padding, float[] Weights, float[] Bias);
