using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Onnx;
using SkiaSharp;

namespace Observatory.Monitoring.Tests.Onnx;

public sealed class ResamplerTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Onnx", "Fixtures");

    [Theory]
    [InlineData("resize_20x15.png", 0, 0, 67, 53)]
    [InlineData("resize_96x96.png", 0, 0, 67, 53)]
    [InlineData("resize_box_24x24.png", 7.5, 0, 60.5, 53)]
    public void Resize_GivesPillowsBilinearPixelsExactly(string expectedFile, double x0, double y0, double x1, double y1)
    {
        var (source, sw, sh) = Rgba(Path.Combine(Fixtures, "resize_src.png"));
        var (expected, w, h) = Rgba(Path.Combine(Fixtures, expectedFile));
        var actual = new byte[w * h * 4];
        Resampler.Resize(source, sw, sh, sw * 4, (x0, y0, x1, y1), actual, w, h);
        var maxDiff = 0;
        for (var i = 0; i < actual.Length; i++)
            if (i % 4 != 3) maxDiff = Math.Max(maxDiff, Math.Abs(actual[i] - expected[i]));
        Assert.Equal(0, maxDiff);
    }

    private static (byte[] Pixels, int Width, int Height) Rgba(string path)
    {
        using var decoded = SKBitmap.Decode(path);
        using var rgba = new SKBitmap(new SKImageInfo(decoded.Width, decoded.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        Assert.True(decoded.CopyTo(rgba, SKColorType.Rgba8888));
        return (rgba.GetPixelSpan().ToArray(), decoded.Width, decoded.Height);
    }
}
