using System.Buffers.Binary;
using Observatory.DataService.Core.Validation;
using Observatory.DataService.Imaging;
using SkiaSharp;

namespace Observatory.DataService.Tests.Validation;

public sealed class SkiaImageInspectorTests
{
    private static readonly ImageInspectionLimits Limits = ImageInspectionLimits.From(ValidationRules.Default);
    private readonly SkiaImageInspector _inspector = new();

    [Fact]
    public void Inspect_WhenJpegValid_ReturnsOkWithSizeModeAndVariance()
    {
        var result = _inspector.Inspect(TestImages.Render(1), Limits);
        Assert.Equal(InspectionStatus.Ok, result.Status);
        Assert.Equal(ImageFormat.Jpeg, result.Format);
        Assert.Equal((160, 120), (result.Width, result.Height));
        Assert.Equal(ColourMode.Rgb, result.ColourMode);
        Assert.Equal(8, result.BitDepth);
        Assert.True(result.LumaVariance > 50, $"variance {result.LumaVariance}");
        Assert.False(result.MissingJpegEoi);
    }

    [Fact]
    public void Inspect_WhenJpegCutShort_ReturnsTruncated()
    {
        var jpeg = TestImages.Render(2, 640, 480);
        var result = _inspector.Inspect(jpeg[..(jpeg.Length * 6 / 10)], Limits);
        Assert.Equal(InspectionStatus.Truncated, result.Status);
        Assert.Contains("row", result.Error);
    }

    [Fact]
    public void Inspect_WhenJpegLacksEndMarker_ReturnsTruncated()
    {
        var jpeg = TestImages.Render(3);
        var result = _inspector.Inspect(jpeg[..^2], Limits);
        Assert.Equal(InspectionStatus.Truncated, result.Status);
    }

    [Fact]
    public void Inspect_WhenJpegHasBytesAfterEndMarker_DecodesAndFlagsMissingEoi()
    {
        byte[] jpeg = [.. TestImages.Render(3), .. "trailing junk"u8];
        var result = _inspector.Inspect(jpeg, Limits);
        Assert.Equal(InspectionStatus.Ok, result.Status);
        Assert.True(result.MissingJpegEoi);
    }

    [Fact]
    public void Inspect_WhenPngDataCorrupted_ReturnsCorrupt()
    {
        var png = TestImages.Png(64, 64, 2, 8, seed: 4);
        for (var i = 45; i < 80; i++) png[i] ^= 0x5A; // inside the zlib stream of IDAT
        var result = _inspector.Inspect(png, Limits);
        Assert.Equal(InspectionStatus.Corrupt, result.Status);
    }

    [Fact]
    public void Inspect_WhenBytesAreNoImage_ReturnsNotAnImage()
    {
        var result = _inspector.Inspect("hello, this is text"u8.ToArray(), Limits);
        Assert.Equal(InspectionStatus.NotAnImage, result.Status);
    }

    [Fact]
    public void Inspect_WhenPngHeaderClaimsHugeDimensions_RefusesWithoutDecoding()
    {
        var png = TestImages.Png(8, 8, 2, 8, seed: 5, headerWidth: 100_000, headerHeight: 100_000);
        var result = _inspector.Inspect(png, Limits);
        Assert.Equal(InspectionStatus.TooLarge, result.Status);
        Assert.Equal((100_000, 100_000), (result.Width, result.Height));
    }

    [Fact]
    public void Inspect_WhenJpegFrameHeaderClaimsHugeDimensions_RefusesWithoutDecoding()
    {
        var jpeg = TestImages.Render(6);
        var sof = FindSof(jpeg);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), 65_000);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), 65_000);
        var result = _inspector.Inspect(jpeg, Limits);
        Assert.Equal(InspectionStatus.TooLarge, result.Status);
    }

    [Fact]
    public void Inspect_WhenGifAndWebpHeadersExceedPixelBudget_RefusesWithoutDecoding()
    {
        byte[] gif = [.. "GIF89a"u8, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0x3B];
        Assert.Equal(InspectionStatus.TooLarge, _inspector.Inspect(gif, Limits).Status);
        var webp = new byte[40];
        "RIFF"u8.CopyTo(webp); "WEBP"u8.CopyTo(webp.AsSpan(8)); "VP8X"u8.CopyTo(webp.AsSpan(12));
        webp[24] = webp[25] = webp[26] = webp[27] = webp[28] = webp[29] = 0xFF; // 16M × 16M
        Assert.Equal(InspectionStatus.TooLarge, _inspector.Inspect(webp, Limits).Status);
    }

    [Fact]
    public void Inspect_When16BitPng_ReportsBitDepth16AndDecodes()
    {
        var result = _inspector.Inspect(TestImages.Png(32, 24, 2, 16, seed: 7), Limits);
        Assert.Equal(InspectionStatus.Ok, result.Status);
        Assert.Equal(16, result.BitDepth);
        Assert.Equal(ColourMode.Rgb, result.ColourMode);
    }

    [Fact]
    public void Inspect_WhenGrayscalePng_ReportsGrayscale()
    {
        var result = _inspector.Inspect(TestImages.Noise(8, 40, 30, SKColorType.Gray8, SKEncodedImageFormat.Png), Limits);
        Assert.Equal(InspectionStatus.Ok, result.Status);
        Assert.Equal(ColourMode.Grayscale, result.ColourMode);
    }

    [Fact]
    public void Inspect_WhenRgbaPngHasTransparentPixels_ReportsTransparency()
    {
        var transparent = _inspector.Inspect(TestImages.Png(32, 24, 6, 8, seed: 9), Limits);
        Assert.Equal(ColourMode.Rgba, transparent.ColourMode);
        Assert.True(transparent.HasTransparency);
        var opaque = _inspector.Inspect(TestImages.Render(9, png: true), Limits);
        Assert.False(opaque.HasTransparency);
    }

    [Fact]
    public void PerceptualHash_WhenSamePictureReencoded_IsNearAndOtherPicturesAreFar()
    {
        var original = TestImages.Render(10);
        var a = _inspector.Inspect(original, Limits).PerceptualHash;
        var b = _inspector.Inspect(TestImages.Reencode(original, 60), Limits).PerceptualHash;
        var c = _inspector.Inspect(TestImages.Render(11), Limits).PerceptualHash;
        Assert.True(PerceptualHashing.Distance(a, b) <= 2, $"re-encoded distance {PerceptualHashing.Distance(a, b)}");
        Assert.True(PerceptualHashing.Distance(a, c) > 10, $"different distance {PerceptualHashing.Distance(a, c)}");
    }

    [Fact]
    public void Inspect_WhenNearConstant_ReportsLowVariance()
    {
        var result = _inspector.Inspect(TestImages.Solid(160, 120, new SKColor(90, 90, 90)), Limits);
        Assert.Equal(InspectionStatus.Ok, result.Status);
        Assert.True(result.PixelVariance < 1, $"variance {result.PixelVariance}");
    }

    private static int FindSof(byte[] jpeg)
    {
        for (var i = 2; i + 1 < jpeg.Length; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] is 0xC0 or 0xC1 or 0xC2) return i;
        throw new InvalidOperationException("no SOF");
    }
}
