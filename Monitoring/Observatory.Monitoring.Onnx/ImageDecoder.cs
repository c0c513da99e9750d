using SkiaSharp;

namespace Observatory.Monitoring.Onnx;

/// <summary>
/// One decode per image feeds both the model input and the statistics. JPEGs are decoded at a reduced DCT scale
/// when the targets are much smaller than the file, which is most of the decode cost saved.
/// </summary>
internal static class ImageDecoder
{
    // Mipmapped linear sampling: antialiased downscaling, so a 4x reduction does not alias fine texture.
    private static readonly SKSamplingOptions Sampling = new(SKFilterMode.Linear, SKMipmapMode.Linear);

    /// <summary>Per model channel, a 256-entry table mapping a 0..255 value to its normalised input.</summary>
    public static float[][] NormalisationTables(EmbeddingModelOptions o)
    {
        var tables = new float[3][];
        for (var ch = 0; ch < 3; ch++)
        {
            var src = SourceChannel(o, ch);
            tables[ch] = new float[256];
            for (var v = 0; v < 256; v++) tables[ch][v] = (v * o.PixelScale - o.Mean[src]) / o.Std[src];
        }
        return tables;
    }

    /// <summary>Decodes, writes the normalised model input of one image into <paramref name="destination"/>, returns its statistics.</summary>
    public static ImageStatistics Decode(byte[] encoded, string name, EmbeddingModelOptions o, float[][] tables, Span<float> destination)
    {
        using var bitmap = DecodeBitmap(encoded, name, o.Width, o.Height, o.ResizeMode, out var originalWidth, out var originalHeight);
        using var pixmap = bitmap.PeekPixels();
        using (var input = ResizeForModel(pixmap, o))
        using (var inputPixels = input.PeekPixels())
            Fill(inputPixels.GetPixelSpan(), o, tables, destination);
        return Statistics(pixmap, originalWidth, originalHeight);
    }

    public static ImageStatistics DecodeStatistics(byte[] encoded, string name)
    {
        using var bitmap = DecodeBitmap(encoded, name, 1, 1, ResizeMode.Stretch, out var originalWidth, out var originalHeight);
        using var pixmap = bitmap.PeekPixels();
        return Statistics(pixmap, originalWidth, originalHeight);
    }

    private static SKBitmap DecodeBitmap(byte[] encoded, string name, int targetWidth, int targetHeight, ResizeMode mode,
        out int originalWidth, out int originalHeight)
    {
        if (encoded.Length == 0) throw new ImageDecodeException(name, "the file is empty");
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new ImageDecodeException(name, "not a recognised image format (PNG, JPEG, WebP, GIF, BMP, ICO, WBMP)");
        originalWidth = codec.Info.Width;
        originalHeight = codec.Info.Height;
        if (originalWidth < 1 || originalHeight < 1) throw new ImageDecodeException(name, $"invalid size {originalWidth}x{originalHeight}");

        // Smallest decode that still covers both the model input (after an optional crop) and the analysis copy.
        double cropW = originalWidth, cropH = originalHeight;
        if (mode == ResizeMode.CenterCrop) (cropW, cropH) = CropSize(originalWidth, originalHeight, targetWidth, targetHeight);
        var (aw, ah) = AnalysisSize(originalWidth, originalHeight);
        var scale = Math.Max(Math.Max(targetWidth / cropW, targetHeight / cropH), Math.Max((double)aw / originalWidth, (double)ah / originalHeight));
        var size = codec.Info.Size;
        if (scale < 1)
        {
            // JPEG decodes at k/8 scales and GetScaledDimensions may round down; take the first one that is large enough.
            var needW = (int)Math.Ceiling(scale * originalWidth - 1e-6);
            var needH = (int)Math.Ceiling(scale * originalHeight - 1e-6);
            for (var s = scale; s < 1; s += 0.125)
            {
                var candidate = codec.GetScaledDimensions((float)s);
                if (candidate.Width >= needW && candidate.Height >= needH) { size = candidate; break; }
            }
        }

        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result == SKCodecResult.InvalidScale && size != codec.Info.Size)
        {
            // The codec offered a size it cannot decode to; fall back to a full decode.
            bitmap.Dispose();
            info = info.WithSize(codec.Info.Width, codec.Info.Height);
            bitmap = new SKBitmap(info);
            result = codec.GetPixels(info, bitmap.GetPixels());
        }
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            var reason = result switch
            {
                SKCodecResult.IncompleteInput => "the file is truncated",
                SKCodecResult.ErrorInInput => "the file is corrupt",
                _ => $"decoder returned {result}",
            };
            throw new ImageDecodeException(name, reason);
        }
        return bitmap;
    }

    private static SKBitmap ResizeForModel(SKPixmap source, EmbeddingModelOptions o)
    {
        var info = new SKImageInfo(o.Width, o.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var result = new SKBitmap(info);
        using var target = result.PeekPixels();
        if (o.ResizeMode == ResizeMode.CenterCrop)
        {
            var (cw, ch) = CropSize(source.Width, source.Height, o.Width, o.Height);
            var w = Math.Clamp((int)Math.Round(cw), 1, source.Width);
            var h = Math.Clamp((int)Math.Round(ch), 1, source.Height);
            var x = (source.Width - w) / 2;
            var y = (source.Height - h) / 2;
            using var crop = source.ExtractSubset(new SKRectI(x, y, x + w, y + h))
                ?? throw new InvalidOperationException("SkiaSharp could not crop the image");
            Scale(crop, target);
        }
        else
        {
            Scale(source, target);
        }
        return result;
    }

    private static ImageStatistics Statistics(SKPixmap decoded, int originalWidth, int originalHeight)
    {
        var (w, h) = AnalysisSize(decoded.Width, decoded.Height);
        if (w == decoded.Width && h == decoded.Height)
            return ImageStatistics.Compute(decoded.GetPixelSpan(), w, h, originalWidth, originalHeight);
        using var copy = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using var target = copy.PeekPixels();
        Scale(decoded, target);
        return ImageStatistics.Compute(target.GetPixelSpan(), w, h, originalWidth, originalHeight);
    }

    private static void Scale(SKPixmap source, SKPixmap target)
    {
        if (source.Width == target.Width && source.Height == target.Height)
        {
            source.GetPixelSpan().CopyTo(target.GetPixelSpan());
            return;
        }
        if (!source.ScalePixels(target, Sampling)) throw new InvalidOperationException("SkiaSharp could not scale the image");
    }

    private static void Fill(ReadOnlySpan<byte> rgba, EmbeddingModelOptions o, float[][] tables, Span<float> destination)
    {
        var plane = o.Width * o.Height;
        int s0 = SourceChannel(o, 0), s1 = SourceChannel(o, 1), s2 = SourceChannel(o, 2);
        float[] t0 = tables[0], t1 = tables[1], t2 = tables[2];
        if (o.Layout == TensorLayout.Nchw)
        {
            var c0 = destination[..plane];
            var c1 = destination.Slice(plane, plane);
            var c2 = destination.Slice(2 * plane, plane);
            for (var i = 0; i < plane; i++)
            {
                var p = i * 4;
                c0[i] = t0[rgba[p + s0]];
                c1[i] = t1[rgba[p + s1]];
                c2[i] = t2[rgba[p + s2]];
            }
        }
        else
        {
            for (var i = 0; i < plane; i++)
            {
                var p = i * 4;
                destination[i * 3] = t0[rgba[p + s0]];
                destination[i * 3 + 1] = t1[rgba[p + s1]];
                destination[i * 3 + 2] = t2[rgba[p + s2]];
            }
        }
    }

    private static int SourceChannel(EmbeddingModelOptions o, int modelChannel) =>
        o.ChannelOrder == ChannelOrder.Rgb ? modelChannel : 2 - modelChannel;

    /// <summary>Largest centred rectangle of the target's aspect ratio inside a width×height image.</summary>
    private static (double W, double H) CropSize(int width, int height, int targetWidth, int targetHeight)
    {
        var aspect = (double)targetWidth / targetHeight;
        return (double)width / height > aspect ? (height * aspect, height) : (width, width / aspect);
    }

    private static (int W, int H) AnalysisSize(int width, int height)
    {
        var longer = Math.Max(width, height);
        var f = (double)ImageStatistics.AnalysisSize / longer;
        return (Math.Max(1, (int)Math.Round(width * f)), Math.Max(1, (int)Math.Round(height * f)));
    }
}
