using System.Buffers;

namespace Observatory.Monitoring.Core.Images;

/// <summary>
/// Interpretable per-image features computed next to the embedding, so a drift alert can say what changed
/// ("brightness drifted") rather than only that the embedding moved. Brightness, contrast and saturation are on a
/// 0..1 scale; sharpness is the variance of the 4-neighbour Laplacian of luma in 0..255 units (the usual OpenCV
/// blur measure), computed on a copy resized to <see cref="AnalysisSize"/> px on its longer side so it does not
/// depend on the file's resolution. Width and height are the encoded image's own.
/// </summary>
public sealed record ImageStatistics(double Brightness, double Contrast, double Sharpness, double Saturation, int Width, int Height)
{
    /// <summary>Longer side of the copy the statistics are computed on.</summary>
    public const int AnalysisSize = 128;

    /// <summary>Names of <see cref="ToFeatures"/>'s values, in order; stable identifiers for drift reports.</summary>
    public static IReadOnlyList<string> FeatureNames { get; } =
        ["brightness", "contrast", "sharpness", "saturation", "width", "height", "aspect_ratio"];

    public double AspectRatio => Height == 0 ? 0 : (double)Width / Height;

    /// <summary>The features in <see cref="FeatureNames"/> order.</summary>
    public double[] ToFeatures() => [Brightness, Contrast, Sharpness, Saturation, Width, Height, AspectRatio];

    /// <summary>Rebuilds statistics from <see cref="ToFeatures"/>'s values (aspect ratio is derived, not read).</summary>
    public static ImageStatistics FromFeatures(ReadOnlySpan<double> features)
    {
        if (features.Length != FeatureNames.Count)
            throw new ArgumentException($"expected {FeatureNames.Count} features ({string.Join(", ", FeatureNames)}), got {features.Length}");
        return new ImageStatistics(features[0], features[1], features[2], features[3], (int)features[4], (int)features[5]);
    }

    /// <summary>Statistics of an RGBA8888 (unpremultiplied) pixel buffer; width/height are reported as given.</summary>
    public static ImageStatistics Compute(ReadOnlySpan<byte> rgba, int w, int h, int reportedWidth, int reportedHeight)
    {
        var n = w * h;
        if (n == 0) return new ImageStatistics(0, 0, 0, 0, reportedWidth, reportedHeight);
        // Pooled: a 128×96 double buffer would be a large-object-heap allocation per image.
        var luma = ArrayPool<double>.Shared.Rent(n);
        try
        {
            return Compute(rgba, luma, w, h, reportedWidth, reportedHeight);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(luma);
        }
    }

    private static ImageStatistics Compute(ReadOnlySpan<byte> rgba, double[] luma, int w, int h, int reportedWidth, int reportedHeight)
    {
        var n = w * h;
        double sum = 0, sumSq = 0, satSum = 0;
        for (var i = 0; i < n; i++)
        {
            int r = rgba[i * 4], g = rgba[i * 4 + 1], b = rgba[i * 4 + 2];
            // ITU-R BT.601 luma, the weights of Pillow's "L" conversion and OpenCV's RGB2GRAY.
            var y = 0.299 * r + 0.587 * g + 0.114 * b;
            luma[i] = y;
            sum += y;
            sumSq += y * y;
            var max = Math.Max(r, Math.Max(g, b));
            var min = Math.Min(r, Math.Min(g, b));
            if (max > 0) satSum += (double)(max - min) / max;
        }
        var mean = sum / n;
        var variance = Math.Max(0, sumSq / n - mean * mean);
        return new ImageStatistics(mean / 255.0, Math.Sqrt(variance) / 255.0, LaplacianVariance(luma, w, h), satSum / n, reportedWidth, reportedHeight);
    }

    // Interior pixels only: a border rule would add edges that are not in the image.
    private static double LaplacianVariance(double[] luma, int w, int h)
    {
        if (w < 3 || h < 3) return 0;
        double sum = 0, sumSq = 0;
        var count = (w - 2) * (h - 2);
        for (var y = 1; y < h - 1; y++)
        {
            for (var x = 1; x < w - 1; x++)
            {
                var i = y * w + x;
                var l = luma[i - w] + luma[i + w] + luma[i - 1] + luma[i + 1] - 4 * luma[i];
                sum += l;
                sumSq += l * l;
            }
        }
        var mean = sum / count;
        return Math.Max(0, sumSq / count - mean * mean);
    }
}
