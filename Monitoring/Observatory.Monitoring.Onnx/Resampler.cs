using System.Buffers;

namespace Observatory.Monitoring.Onnx;

/// <summary>
/// Antialiased bilinear (triangle filter) resize of RGBA8888 pixels, the algorithm of Pillow's
/// <c>Image.resize(size, Image.BILINEAR, box)</c> (Resample.c: filter support widened by the downscale factor,
/// 22-bit fixed-point weights, horizontal pass then vertical). Models trained on PIL-loaded images (torchvision)
/// then see the same pixels here; alpha is not resampled (set opaque).
/// </summary>
internal static class Resampler
{
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>Resizes the <paramref name="box"/> region (source pixel coordinates) of the source to the destination size.</summary>
    public static void Resize(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, int sourceRowBytes,
        (double X0, double Y0, double X1, double Y1) box, Span<byte> destination, int width, int height)
    {
        var needHorizontal = width != sourceWidth || box.X0 != 0 || box.X1 != width;
        var needVertical = height != sourceHeight || box.Y0 != 0 || box.Y1 != height;
        var (boundsH, weightsH, kh) = Coefficients(sourceWidth, box.X0, box.X1, width);
        var (boundsV, weightsV, kv) = Coefficients(sourceHeight, box.Y0, box.Y1, height);

        if (!needHorizontal && !needVertical)
        {
            for (var y = 0; y < height; y++) source.Slice(y * sourceRowBytes, width * 4).CopyTo(destination.Slice(y * width * 4, width * 4));
            return;
        }
        if (!needHorizontal)
        {
            Vertical(source, sourceRowBytes, destination, width, height, boundsV, weightsV, kv);
            return;
        }
        var yFirst = boundsV[0];
        var yLast = boundsV[(height - 1) * 2] + boundsV[(height - 1) * 2 + 1];
        if (!needVertical)
        {
            Horizontal(source, sourceRowBytes, yFirst, yLast - yFirst, destination, width, boundsH, weightsH, kh);
            return;
        }
        for (var i = 0; i < height; i++) boundsV[i * 2] -= yFirst;
        var tempLength = width * 4 * (yLast - yFirst);
        var temp = ArrayPool<byte>.Shared.Rent(tempLength);
        try
        {
            Horizontal(source, sourceRowBytes, yFirst, yLast - yFirst, temp.AsSpan(0, tempLength), width, boundsH, weightsH, kh);
            Vertical(temp.AsSpan(0, tempLength), width * 4, destination, width, height, boundsV, weightsV, kv);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(temp);
        }
    }

    private static void Horizontal(ReadOnlySpan<byte> source, int sourceRowBytes, int firstRow, int rows, Span<byte> destination,
        int width, int[] bounds, int[] weights, int ksize)
    {
        for (var y = 0; y < rows; y++)
        {
            var row = source.Slice((firstRow + y) * sourceRowBytes);
            var outRow = destination.Slice(y * width * 4, width * 4);
            for (var xx = 0; xx < width; xx++)
            {
                var xmin = bounds[xx * 2];
                var count = bounds[xx * 2 + 1];
                var k = weights.AsSpan(xx * ksize, count);
                int r = 1 << (PrecisionBits - 1), g = r, b = r;
                for (var x = 0; x < k.Length; x++)
                {
                    var p = (x + xmin) * 4;
                    r += row[p] * k[x];
                    g += row[p + 1] * k[x];
                    b += row[p + 2] * k[x];
                }
                outRow[xx * 4] = Clip8(r);
                outRow[xx * 4 + 1] = Clip8(g);
                outRow[xx * 4 + 2] = Clip8(b);
                outRow[xx * 4 + 3] = 255;
            }
        }
    }

    private static void Vertical(ReadOnlySpan<byte> source, int sourceRowBytes, Span<byte> destination, int width, int height,
        int[] bounds, int[] weights, int ksize)
    {
        for (var yy = 0; yy < height; yy++)
        {
            var ymin = bounds[yy * 2];
            var k = weights.AsSpan(yy * ksize, bounds[yy * 2 + 1]);
            var outRow = destination.Slice(yy * width * 4, width * 4);
            for (var xx = 0; xx < width; xx++)
            {
                int r = 1 << (PrecisionBits - 1), g = r, b = r;
                for (var y = 0; y < k.Length; y++)
                {
                    var p = (y + ymin) * sourceRowBytes + xx * 4;
                    r += source[p] * k[y];
                    g += source[p + 1] * k[y];
                    b += source[p + 2] * k[y];
                }
                outRow[xx * 4] = Clip8(r);
                outRow[xx * 4 + 1] = Clip8(g);
                outRow[xx * 4 + 2] = Clip8(b);
                outRow[xx * 4 + 3] = 255;
            }
        }
    }

    /// <summary>Pillow's precompute_coeffs + normalize_coeffs_8bpc for the bilinear filter (support 1).</summary>
    private static (int[] Bounds, int[] Weights, int KSize) Coefficients(int inSize, double in0, double in1, int outSize)
    {
        var scale = (in1 - in0) / outSize;
        var filterScale = Math.Max(scale, 1.0);
        var support = 1.0 * filterScale;
        var ksize = (int)Math.Ceiling(support) * 2 + 1;
        var bounds = new int[outSize * 2];
        var weights = new int[outSize * ksize];
        var k = new double[ksize];
        for (var xx = 0; xx < outSize; xx++)
        {
            var center = in0 + (xx + 0.5) * scale;
            var ss = 1.0 / filterScale;
            var xmin = Math.Max((int)(center - support + 0.5), 0);
            var xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            var ww = 0.0;
            for (var x = 0; x < xmax; x++)
            {
                var w = Triangle((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (var x = 0; x < xmax; x++)
            {
                var w = ww != 0 ? k[x] / ww : k[x];
                weights[xx * ksize + x] = (int)(w < 0 ? -0.5 + w * (1 << PrecisionBits) : 0.5 + w * (1 << PrecisionBits));
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = Math.Max(xmax, 0);
        }
        return (bounds, weights, ksize);
    }

    private static double Triangle(double x)
    {
        if (x < 0) x = -x;
        return x < 1 ? 1 - x : 0;
    }

    private static byte Clip8(int value) =>
        value >= 1 << PrecisionBits << 8 ? (byte)255 : value <= 0 ? (byte)0 : (byte)(value >> PrecisionBits);
}
