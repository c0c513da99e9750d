using Observatory.Monitoring.Onnx.Model;

namespace Observatory.Monitoring.Onnx;

/// <summary>How an image is fitted to the model input.</summary>
public enum ResizeMode
{
    /// <summary>Scale both axes to the input size (aspect ratio not kept).</summary>
    Stretch,
    /// <summary>Take the largest centred crop with the input's aspect ratio, then scale it (torchvision's Resize+CenterCrop).</summary>
    CenterCrop,
}

/// <summary>Order of the colour channels the model expects.</summary>
public enum ChannelOrder
{
    Rgb,
    Bgr,
}

/// <summary>Memory layout of the input tensor.</summary>
public enum TensorLayout
{
    /// <summary>[batch, channel, height, width] — PyTorch exports.</summary>
    Nchw,
    /// <summary>[batch, height, width, channel] — TensorFlow/Keras exports.</summary>
    Nhwc,
}

/// <summary>
/// An ONNX embedding model and the preprocessing it was trained with. Any image encoder exported to ONNX (e.g. the
/// penultimate layer of a ResNet or MobileNet) plugs in by setting <see cref="ModelPath"/> and these values; without a path the
/// model is the built-in encoder <see cref="Encoder"/> names. <see cref="Default"/> is the pretrained ResNet18.
/// Pixels are mapped as <c>(value * PixelScale − Mean[c]) / Std[c]</c>.
/// </summary>
public sealed record EmbeddingModelOptions
{
    /// <summary>Name of the small untrained encoder generated in memory (samples/models/encoder.onnx): fast, for tests.</summary>
    public const string RandomEncoder = "random";

    /// <summary>The built-in encoders by name.</summary>
    public static IReadOnlyList<string> BuiltInEncoders { get; } = [ResNet18Encoder.Name, RandomEncoder];

    /// <summary>The shipped random encoder, generated in memory (identical bytes to samples/models/encoder.onnx).</summary>
    public static EmbeddingModelOptions Random { get; } = new();

    /// <summary>The pretrained ResNet18 (512-d), the default of the service and of <c>obs embed</c>.</summary>
    public static EmbeddingModelOptions ResNet18 => ResNet18Encoder.Options;

    public static EmbeddingModelOptions Default => ResNet18;

    /// <summary>A built-in encoder by name (case-insensitive), or null.</summary>
    public static EmbeddingModelOptions? BuiltIn(string name) =>
        string.Equals(name, ResNet18Encoder.Name, StringComparison.OrdinalIgnoreCase) ? ResNet18
        : string.Equals(name, RandomEncoder, StringComparison.OrdinalIgnoreCase) ? Random
        : null;

    /// <summary>
    /// Starting values for a user's ONNX file: its only input and output, its declared input size, and torchvision's conventions
    /// (centre crop, RGB scaled to 0..1, ImageNet mean and std, NCHW), which most exported image models share; a model.yaml or
    /// the options override each.
    /// </summary>
    public static EmbeddingModelOptions ForModelFile(string path) => new()
    {
        Encoder = null,
        ModelPath = path,
        InputName = OnlyOne,
        OutputName = OnlyOne,
        Width = 0,
        Height = 0,
        ResizeMode = ResizeMode.CenterCrop,
        BatchSize = 16,
    };

    /// <summary>As <see cref="InputName"/> or <see cref="OutputName"/>: the model's only input (output), whatever its name.</summary>
    public const string OnlyOne = "*";

    /// <summary>Built-in encoder used when <see cref="ModelPath"/> is null: "resnet18" or "random".</summary>
    public string? Encoder { get; init; } = RandomEncoder;

    /// <summary>ONNX file; null means the built-in encoder <see cref="Encoder"/>.</summary>
    public string? ModelPath { get; init; }
    public string InputName { get; init; } = EncoderSpec.Default.InputName;
    public string OutputName { get; init; } = EncoderSpec.Default.OutputName;
    public int Width { get; init; } = EncoderSpec.Default.InputWidth;
    public int Height { get; init; } = EncoderSpec.Default.InputHeight;
    public ResizeMode ResizeMode { get; init; } = ResizeMode.Stretch;
    /// <summary>Multiplies 0..255 pixel values before mean/std (1/255 for models trained on 0..1 inputs, 1 for 0..255).</summary>
    public float PixelScale { get; init; } = 1f / 255f;
    /// <summary>Per-channel mean, given as R, G, B regardless of <see cref="ChannelOrder"/>.</summary>
    public IReadOnlyList<float> Mean { get; init; } = [0.485f, 0.456f, 0.406f];
    /// <summary>Per-channel standard deviation, given as R, G, B regardless of <see cref="ChannelOrder"/>.</summary>
    public IReadOnlyList<float> Std { get; init; } = [0.229f, 0.224f, 0.225f];
    public ChannelOrder ChannelOrder { get; init; } = ChannelOrder.Rgb;
    public TensorLayout Layout { get; init; } = TensorLayout.Nchw;
    /// <summary>Images per inference call; capped by a fixed batch dimension in the model.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>OnnxRuntime intra-op threads; 0 lets OnnxRuntime choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }
    /// <summary>Images decoded at the same time; 0 means one per logical processor.</summary>
    public int DecodeThreads { get; init; }

    /// <summary>Throws with the offending field and its valid range when the options cannot work.</summary>
    public void Validate()
    {
        if (ModelPath is not null && !File.Exists(ModelPath)) throw new FileNotFoundException($"embedding model '{ModelPath}' not found", ModelPath);
        if (ModelPath is null && (Encoder is null || BuiltIn(Encoder) is null))
            throw new ArgumentException($"Encoder '{Encoder}' is not a built-in encoder; choose one of {string.Join(", ", BuiltInEncoders)} or set ModelPath");
        if (string.IsNullOrWhiteSpace(InputName)) throw new ArgumentException("InputName must name the model's image input");
        if (string.IsNullOrWhiteSpace(OutputName)) throw new ArgumentException("OutputName must name the model's embedding output");
        // 0 = the model's declared size, which only a model file can have (checked when it is loaded).
        if (Width < 0 || Height < 0 || (ModelPath is null && (Width == 0 || Height == 0)))
            throw new ArgumentException($"Width and Height must be positive (or 0 with ModelPath: the model's own input size), got {Width}x{Height}");
        if (Mean.Count != 3) throw new ArgumentException($"Mean needs 3 values (R, G, B), got {Mean.Count}");
        if (Std.Count != 3 || Std.Any(s => !(s > 0))) throw new ArgumentException("Std needs 3 positive values (R, G, B)");
        if (!Enum.IsDefined(ResizeMode)) throw new ArgumentException($"ResizeMode must be one of {string.Join(", ", Enum.GetNames<ResizeMode>())}");
        if (!Enum.IsDefined(ChannelOrder)) throw new ArgumentException($"ChannelOrder must be one of {string.Join(", ", Enum.GetNames<ChannelOrder>())}");
        if (!Enum.IsDefined(Layout)) throw new ArgumentException($"Layout must be one of {string.Join(", ", Enum.GetNames<TensorLayout>())}");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be at least 1, got {BatchSize}");
        if (IntraOpThreads < 0) throw new ArgumentException($"IntraOpThreads must be 0 (automatic) or positive, got {IntraOpThreads}");
        if (DecodeThreads < 0) throw new ArgumentException($"DecodeThreads must be 0 (automatic) or positive, got {DecodeThreads}");
    }

    /// <summary>The model's name as hosts report it: its file, or the built-in encoder's name.</summary>
    public string Name => ModelPath ?? Encoder ?? "";

    /// <summary>What to call the model in messages: its file, or the built-in encoder's name.</summary>
    public string DisplayName => ModelPath is not null ? $"'{ModelPath}'" : $"'{Encoder}' (built in)";

    /// <summary>The model's bytes: the file, or the built-in encoder (generated, or composed from the ResNet18 package).</summary>
    internal byte[] LoadModel() => ModelPath is not null ? File.ReadAllBytes(ModelPath)
        : string.Equals(Encoder, ResNet18Encoder.Name, StringComparison.OrdinalIgnoreCase) ? ResNet18Encoder.Load()
        : EncoderModelGenerator.Generate();

    /// <summary>Canonical text of everything that changes the embedding except the model bytes (part of the cache key).</summary>
    internal string PreprocessingFingerprint() => FormattableString.Invariant(
        $"in={InputName};out={OutputName};size={Width}x{Height};resize={ResizeMode};scale={PixelScale:R};mean={string.Join(',', Mean.Select(m => m.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))};std={string.Join(',', Std.Select(m => m.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))};order={ChannelOrder};layout={Layout}");
}
