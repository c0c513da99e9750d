using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Onnx;
using Observatory.Samples;
using SkiaSharp;

namespace Observatory.Monitoring.Tests.Onnx;

public sealed class ImageStatisticsTests
{
    [Fact]
    public void ConstantGrayImage_HasKnownBrightnessAndZeroContrastSharpnessAndSaturation()
    {
        var stats = ImageStatistics.FromEncoded(TestImages.Png(128, 96, (_, _) => new SKColor(100, 100, 100)), "gray.png");
        Assert.Equal(100 / 255.0, stats.Brightness, 1e-9);
        Assert.Equal(0, stats.Contrast, 1e-9);
        Assert.Equal(0, stats.Sharpness, 1e-9);
        Assert.Equal(0, stats.Saturation, 1e-12);
        Assert.Equal(128, stats.Width);
        Assert.Equal(96, stats.Height);
        Assert.Equal(128 / 96.0, stats.AspectRatio, 1e-12);
    }

    [Fact]
    public void PureRedImage_HasFullSaturationAndRedLuma()
    {
        var stats = ImageStatistics.FromEncoded(TestImages.Png(64, 64, (_, _) => new SKColor(255, 0, 0)), "red.png");
        Assert.Equal(1.0, stats.Saturation, 1e-12);
        Assert.Equal(0.299, stats.Brightness, 1e-9);
    }

    [Fact]
    public void HalfBlackHalfWhiteImage_HasContrastOneHalf()
    {
        var stats = ImageStatistics.FromEncoded(TestImages.Png(128, 128, (x, _) => x < 64 ? SKColors.Black : SKColors.White), "split.png");
        Assert.Equal(0.5, stats.Brightness, 1e-9);
        Assert.Equal(0.5, stats.Contrast, 1e-9);
    }

    [Fact]
    public void OnePixelStripes_HaveTheLaplacianVarianceOfAlternatingColumns()
    {
        // Columns alternate 0/255 at the analysis size (128 px): the Laplacian is ±2·255 everywhere inside, variance 510².
        var stats = ImageStatistics.FromEncoded(TestImages.Png(128, 64, (x, _) => x % 2 == 0 ? SKColors.Black : SKColors.White), "stripes.png");
        Assert.Equal(510.0 * 510.0, stats.Sharpness, 1e-6);
    }

    [Fact]
    public void BlurredSampleImages_AreLessSharpButEquallyBright()
    {
        var sharp = ImageStatistics.FromEncoded(SampleDataset.RenderImage(4, new SampleDatasetOptions(), out _, png: true), "sharp.png");
        var blurred = ImageStatistics.FromEncoded(SampleDataset.RenderImage(4, new SampleDatasetOptions { Blur = 2 }, out _, png: true), "blurred.png");
        var brighter = ImageStatistics.FromEncoded(SampleDataset.RenderImage(4, new SampleDatasetOptions { BrightnessShift = 0.2 }, out _, png: true), "bright.png");
        Assert.True(blurred.Sharpness < sharp.Sharpness / 4, $"blurred {blurred.Sharpness} sharp {sharp.Sharpness}");
        Assert.Equal(sharp.Brightness, blurred.Brightness, 0.02);
        Assert.True(brighter.Brightness > sharp.Brightness + 0.15, $"brighter {brighter.Brightness} vs {sharp.Brightness}");
    }

    [Fact]
    public void LargeImage_ReportsItsOwnSizeWhileAnalysedAtFixedSize()
    {
        var stats = ImageStatistics.FromEncoded(TestImages.Png(512, 256, (_, _) => new SKColor(10, 200, 30)), "wide.png");
        Assert.Equal(512, stats.Width);
        Assert.Equal(256, stats.Height);
        Assert.Equal(2.0, stats.AspectRatio, 1e-12);
        Assert.Equal(0, stats.Sharpness, 1e-9);
    }

    [Fact]
    public void Features_FollowFeatureNamesAndRoundTrip()
    {
        var stats = new ImageStatistics(0.4, 0.2, 150.5, 0.3, 640, 480);
        var features = stats.ToFeatures();
        Assert.Equal(ImageStatistics.FeatureNames.Count, features.Length);
        Assert.Equal(["brightness", "contrast", "sharpness", "saturation", "width", "height", "aspect_ratio"], ImageStatistics.FeatureNames);
        Assert.Equal(640 / 480.0, features[6], 1e-12);
        Assert.Equal(stats, ImageStatistics.FromFeatures(features));
    }

    [Fact]
    public void NotAnImage_ThrowsNamingIt()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageStatistics.FromEncoded("hello"u8.ToArray(), "notes.txt"));
        Assert.Equal("notes.txt", e.ItemName);
        Assert.Contains("'notes.txt'", e.Message);
    }
}
