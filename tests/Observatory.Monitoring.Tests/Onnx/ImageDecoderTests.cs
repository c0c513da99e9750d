using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Onnx;
using SkiaSharp;

namespace Observatory.Monitoring.Tests.Onnx;

public sealed class ImageDecoderTests
{
    private static readonly DecodeMemoryGate Gate = new(ImageDecodeLimits.Default.DecodeMemoryBytes);

    [Fact]
    public void Decode_NhwcLayout_WritesTheTransposeOfNchw()
    {
        var png = TestImages.Png(50, 40, (x, y) => new SKColor((byte)(x * 5), (byte)(y * 6), (byte)(x + y)));
        var nchwOptions = EmbeddingModelOptions.Random with { Width = 8, Height = 6 };
        var nhwcOptions = nchwOptions with { Layout = TensorLayout.Nhwc };
        var nchw = new float[3 * 8 * 6];
        var nhwc = new float[3 * 8 * 6];
        ImageDecoder.Decode(png, "a", nchwOptions, ImageDecoder.NormalisationTables(nchwOptions), nchw, ImageDecodeLimits.Default, Gate, CancellationToken.None);
        ImageDecoder.Decode(png, "a", nhwcOptions, ImageDecoder.NormalisationTables(nhwcOptions), nhwc, ImageDecodeLimits.Default, Gate, CancellationToken.None);
        for (var c = 0; c < 3; c++)
            for (var i = 0; i < 8 * 6; i++)
                Assert.Equal(nchw[c * 48 + i], nhwc[i * 3 + c]);
    }

    [Fact]
    public void Decode_NormalisesWithPixelScaleMeanAndStd()
    {
        var png = TestImages.Png(16, 16, (_, _) => new SKColor(255, 0, 51));
        var options = EmbeddingModelOptions.Random with { Width = 4, Height = 4 };
        var input = new float[3 * 16];
        ImageDecoder.Decode(png, "a", options, ImageDecoder.NormalisationTables(options), input, ImageDecodeLimits.Default, Gate, CancellationToken.None);
        Assert.Equal((1f - 0.485f) / 0.229f, input[0], 1e-5f);
        Assert.Equal((0f - 0.456f) / 0.224f, input[16], 1e-5f);
        Assert.Equal((0.2f - 0.406f) / 0.225f, input[32], 1e-5f);
    }

    [Fact]
    public void Decode_LargeJpeg_IsDecodedSmallButReportsItsOwnSize()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(1600, 1200, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(bitmap)) canvas.Clear(new SKColor(30, 60, 90));
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 95);
        var options = EmbeddingModelOptions.Random;
        var input = new float[3 * 96 * 96];
        var stats = ImageDecoder.Decode(data.ToArray(), "big.jpg", options, ImageDecoder.NormalisationTables(options), input, ImageDecodeLimits.Default, Gate, CancellationToken.None);
        Assert.Equal(1600, stats.Width);
        Assert.Equal(1200, stats.Height);
        Assert.Equal((0.299 * 30 + 0.587 * 60 + 0.114 * 90) / 255, stats.Brightness, 0.01);
    }
}
