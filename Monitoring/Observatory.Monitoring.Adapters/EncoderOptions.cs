using Observatory.Monitoring.Onnx;

namespace Observatory.Monitoring.Adapters;

/// <summary>
/// Section "Monitoring:Encoder": the ONNX model the service embeds uploads and reference datasets with, and the preprocessing
/// it was trained with. Every field is optional: by default the built-in pretrained <c>resnet18</c>; <see cref="Name"/> picks
/// another built-in encoder (<c>random</c>, the small untrained one tests use), and a user's model plugs in by setting
/// <see cref="ModelPath"/> and the fields its export needs (unset fields keep torchvision's conventions, see
/// samples/models/README.md). Validated at start-up.
/// </summary>
public sealed class EncoderOptions
{
    public const string Section = "Monitoring:Encoder";

    /// <summary>Built-in encoder when <see cref="ModelPath"/> is empty: "resnet18" (default) or "random".</summary>
    public string? Name { get; set; }

    /// <summary>ONNX file; empty means the built-in encoder <see cref="Name"/>.</summary>
    public string? ModelPath { get; set; }
    public string? InputName { get; set; }
    public string? OutputName { get; set; }
    public int? Width { get; set; }
    public int? Height { get; set; }
    public ResizeMode? ResizeMode { get; set; }
    public float? PixelScale { get; set; }
    // Arrays, not lists with defaults: the configuration binder appends to a pre-filled collection instead of replacing it.
    /// <summary>Per-channel mean as R, G, B.</summary>
    public float[]? Mean { get; set; }
    /// <summary>Per-channel standard deviation as R, G, B.</summary>
    public float[]? Std { get; set; }
    public ChannelOrder? ChannelOrder { get; set; }
    public TensorLayout? Layout { get; set; }
    public int? BatchSize { get; set; }
    /// <summary>OnnxRuntime intra-op threads; 0 lets OnnxRuntime choose.</summary>
    public int? IntraOpThreads { get; set; }
    /// <summary>Images decoded at the same time; 0 means one per logical processor.</summary>
    public int? DecodeThreads { get; set; }

    /// <summary>The model options these settings give, the chosen encoder's (or a model file's usual) values filling what is not set.</summary>
    public EmbeddingModelOptions ToModelOptions()
    {
        var d = !string.IsNullOrWhiteSpace(ModelPath) ? EmbeddingModelOptions.ForModelFile(ModelPath)
            : string.IsNullOrWhiteSpace(Name) ? EmbeddingModelOptions.Default
            : EmbeddingModelOptions.BuiltIn(Name) ?? EmbeddingModelOptions.Default with { Encoder = Name };
        return d with
        {
            InputName = InputName ?? d.InputName,
            OutputName = OutputName ?? d.OutputName,
            Width = Width ?? d.Width,
            Height = Height ?? d.Height,
            ResizeMode = ResizeMode ?? d.ResizeMode,
            PixelScale = PixelScale ?? d.PixelScale,
            Mean = Mean ?? d.Mean,
            Std = Std ?? d.Std,
            ChannelOrder = ChannelOrder ?? d.ChannelOrder,
            Layout = Layout ?? d.Layout,
            BatchSize = BatchSize ?? d.BatchSize,
            IntraOpThreads = IntraOpThreads ?? d.IntraOpThreads,
            DecodeThreads = DecodeThreads ?? d.DecodeThreads,
        };
    }

    /// <summary>Why the settings cannot work (naming the field), or null.</summary>
    public string? Refuse()
    {
        try
        {
            ToModelOptions().Validate();
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or FileNotFoundException)
        {
            return $"{Section}: {ex.Message}";
        }
    }
}
