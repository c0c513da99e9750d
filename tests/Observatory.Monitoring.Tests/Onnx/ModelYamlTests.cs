using System.Text;
using Observatory.Monitoring.Onnx;
using Observatory.Monitoring.Onnx.Model;

namespace Observatory.Monitoring.Tests.Onnx;

public sealed class ModelYamlTests
{
    private const string Where = "models/tiny/model.yaml at tiny@v1";
    private static readonly string Model = Path.Combine(AppContext.BaseDirectory, "Onnx", "Fixtures", "encoder.onnx");
    private static readonly float[] Unset = [];

    /// <summary>Records compare lists by reference: mean and std are compared by value through the preprocessing fingerprint.</summary>
    private static void AssertSameOptions(EmbeddingModelOptions expected, EmbeddingModelOptions actual)
    {
        Assert.Equal(expected.PreprocessingFingerprint(), actual.PreprocessingFingerprint());
        Assert.Equal(expected with { Mean = Unset, Std = Unset }, actual with { Mean = Unset, Std = Unset });
    }

    [Fact]
    public void Parse_EveryKey_OverridesTheModelFileDefaults()
    {
        const string yaml = """
            # a Keras export
            input: pixels
            output: features
            width: 128
            height: 64
            resize: stretch
            pixel_scale: 1
            mean: [0, 10.5, 20]
            std: [1, 2, 3]
            channel_order: bgr
            layout: nhwc
            classes:
              - apple
              - bread
            """;
        var d = ModelYaml.Parse(yaml, Model, Where);
        var o = d.Options;
        Assert.Equal(Model, o.ModelPath);
        Assert.Null(o.Encoder);
        Assert.Equal("pixels", o.InputName);
        Assert.Equal("features", o.OutputName);
        Assert.Equal((128, 64), (o.Width, o.Height));
        Assert.Equal(ResizeMode.Stretch, o.ResizeMode);
        Assert.Equal(1f, o.PixelScale);
        Assert.Equal([0f, 10.5f, 20f], o.Mean);
        Assert.Equal([1f, 2f, 3f], o.Std);
        Assert.Equal(ChannelOrder.Bgr, o.ChannelOrder);
        Assert.Equal(TensorLayout.Nhwc, o.Layout);
        Assert.Equal(["apple", "bread"], d.Classes);
        o.Validate();
    }

    [Fact]
    public void Parse_KeysLeftOut_KeepForModelFile()
    {
        var d = ModelYaml.Parse("width: 96\nheight: 96\n", "m.onnx", Where);
        AssertSameOptions(EmbeddingModelOptions.ForModelFile("m.onnx") with { Width = 96, Height = 96 }, d.Options);
        Assert.Empty(d.Classes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing declared\n")]
    public void Parse_EmptyFile_IsTheModelFileDefaults(string yaml)
    {
        AssertSameOptions(EmbeddingModelOptions.ForModelFile("m.onnx"), ModelYaml.Parse(yaml, "m.onnx", Where).Options);
    }

    [Fact]
    public void Describe_WithoutModelYaml_IsForModelFile()
    {
        var d = ModelYaml.Describe("m.onnx", null, Where);
        AssertSameOptions(EmbeddingModelOptions.ForModelFile("m.onnx"), d.Options);
        Assert.Empty(d.Classes);
    }

    [Theory]
    [InlineData("input_size: 96\n", "input_size")]
    [InlineData("width: 0\n", "width")]
    [InlineData("width: 96px\n", "width")]
    [InlineData("height: -3\n", "height")]
    [InlineData("resize: crop\n", "resize")]
    [InlineData("pixel_scale: 0\n", "pixel_scale")]
    [InlineData("pixel_scale: .nan\n", "pixel_scale")]
    [InlineData("mean: [0.5, 0.5]\n", "mean")]
    [InlineData("mean: 0.5\n", "mean")]
    [InlineData("std: [1, 0, 1]\n", "std")]
    [InlineData("channel_order: rbg\n", "channel_order")]
    [InlineData("layout: chw\n", "layout")]
    [InlineData("input:\n", "input")]
    [InlineData("classes: apple\n", "classes")]
    [InlineData("classes: [apple, apple]\n", "classes")]
    [InlineData("classes: [apple, [bread]]\n", "classes")]
    [InlineData("mean: {r: 1}\n", "mean")]
    [InlineData("width: 96\nwidth: 97\n", "width")]
    public void Parse_BadKeyOrValue_NamesTheKeyAndTheFile(string yaml, string key)
    {
        var e = Assert.Throws<ModelYamlException>(() => ModelYaml.Parse(yaml, "m.onnx", Where));
        Assert.Contains($"'{key}'", e.Message);
        Assert.Contains(Where, e.Message);
    }

    [Fact]
    public void Parse_UnknownKey_ListsTheValidKeys()
    {
        var e = Assert.Throws<ModelYamlException>(() => ModelYaml.Parse("channels: rgb\n", "m.onnx", Where));
        Assert.Contains("unknown key 'channels'", e.Message);
        Assert.Contains("channel_order", e.Message);
    }

    [Theory]
    [InlineData("- width\n- height\n")]
    [InlineData("width: [96\n")]
    [InlineData("a: 1\n---\nb: 2\n")]
    public void Parse_NotAFlatMapping_NamesTheFile(string yaml)
    {
        var e = Assert.Throws<ModelYamlException>(() => ModelYaml.Parse(yaml, "m.onnx", Where));
        Assert.Contains(Where, e.Message);
    }

    [Fact]
    public void Parse_LargerThan64KiB_IsRefusedBeforeParsing()
    {
        var big = Encoding.UTF8.GetBytes("classes:\n" + string.Concat(Enumerable.Range(0, 10_000).Select(i => $"  - class{i}\n")));
        Assert.True(big.Length > ModelYaml.MaxBytes);
        var e = Assert.Throws<ModelYamlException>(() => ModelYaml.Parse(big, "m.onnx", Where));
        Assert.Contains("64 KiB", e.Message);
        Assert.Contains(Where, e.Message);
    }

    [Fact]
    public void Parse_DeepNesting_IsAnErrorNotAStackOverflow()
    {
        // 30 000 nested '[' fit in 64 KiB; a recursive reader would overflow the stack, which no catch survives.
        var deep = "mean: " + new string('[', 30_000) + new string(']', 30_000) + "\n";
        Assert.True(deep.Length < ModelYaml.MaxBytes);
        var e = Assert.Throws<ModelYamlException>(() => ModelYaml.Parse(deep, "m.onnx", Where));
        Assert.Contains("'mean'", e.Message);
    }

    [Fact]
    public void Parse_NotUtf8_NamesTheFile()
    {
        var e = Assert.Throws<ModelYamlException>(() => ModelYaml.Parse(new byte[] { 0x77, 0x3A, 0xFF, 0xFE }, "m.onnx", Where));
        Assert.Contains(Where, e.Message);
    }
}
