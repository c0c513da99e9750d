using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Onnx;
using Observatory.Samples;
using SkiaSharp;

namespace Observatory.Monitoring.Tests.Onnx;

internal static class TestImages
{
    /// <summary>Sample-dataset images (160×120 shapes on texture) rendered from consecutive seeds.</summary>
    public static ImageSource[] Samples(int firstSeed, int count, SampleDatasetOptions? options = null)
    {
        options ??= new SampleDatasetOptions();
        return Enumerable.Range(firstSeed, count)
            .Select(seed => ImageSource.FromBytes($"sample_{seed}.png", SampleDataset.RenderImage(seed, options, out _, png: true)))
            .ToArray();
    }

    /// <summary>A PNG whose pixel (x, y) is <paramref name="color"/>(x, y).</summary>
    public static byte[] Png(int width, int height, Func<int, int, SKColor> color)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                bitmap.SetPixel(x, y, color(x, y));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public static float[] Mean(float[][] vectors)
    {
        var mean = new float[vectors[0].Length];
        foreach (var v in vectors)
            for (var j = 0; j < mean.Length; j++) mean[j] += v[j] / vectors.Length;
        return mean;
    }

    public static double Distance(float[] a, float[] b)
    {
        var sum = 0.0;
        for (var j = 0; j < a.Length; j++) sum += (a[j] - b[j]) * (double)(a[j] - b[j]);
        return Math.Sqrt(sum);
    }
}
