using System.Buffers;
using SkiaSharp;

namespace Observatory.Monitoring.Onnx;

/// <summary>
/// One decode per image (SkiaSharp) feeds both the model input and the statistics; resizing is Pillow's antialiased
/// bilinear (<see cref="Resampler"/>). JPEGs are decoded at a reduced DCT scale when the targets are much smaller than
/// the file, which saves most of the decode cost.
/// </summary>
internal static class ImageDecoder
{
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
    public static ImageStatistics Decode(byte[] encoded, string name, EmbeddingModelOptions o, float[][] tables, Span<float> destination,
        ImageDecodeLimits limits, DecodeMemoryGate gate, CancellationToken ct)
    {
        using var bitmap = DecodeBitmap(encoded, name, o.Width, o.Height, o.ResizeMode, limits, gate, ct, out var originalWidth, out var originalHeight);
        using var pixmap = bitmap.PeekPixels();
        var length = o.Width * o.Height * 4;
        var input = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            ResizeForModel(pixmap, o, input.AsSpan(0, length));
            Fill(input.AsSpan(0, length), o, tables, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
        }
        return Statistics(pixmap, originalWidth, originalHeight);
    }

    public static ImageStatistics DecodeStatistics(byte[] encoded, string name, ImageDecodeLimits limits)
    {
        using var bitmap = DecodeBitmap(encoded, name, 1, 1, ResizeMode.Stretch, limits, new DecodeMemoryGate(limits.DecodeMemoryBytes), CancellationToken.None,
            out var originalWidth, out var originalHeight);
        using var pixmap = bitmap.PeekPixels();
        return Statistics(pixmap, originalWidth, originalHeight);
    }

    private static LeasedBitmap DecodeBitmap(byte[] encoded, string name, int targetWidth, int targetHeight, ResizeMode mode,
        ImageDecodeLimits limits, DecodeMemoryGate gate, CancellationToken ct, out int originalWidth, out int originalHeight)
    {
        if (encoded.Length == 0) throw new ImageDecodeException(name, "the file is empty");
        if (encoded.Length > limits.MaxEncodedBytes)
            throw new ImageTooLargeException(name, $"{encoded.Length} bytes exceeds max_image_bytes {limits.MaxEncodedBytes}; not decoded");
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new ImageDecodeException(name, "not a recognised image format (PNG, JPEG, WebP, GIF, BMP, ICO, WBMP)");
        originalWidth = codec.Info.Width;
        originalHeight = codec.Info.Height;
        if (originalWidth < 1 || originalHeight < 1) throw new ImageDecodeException(name, $"invalid size {originalWidth}x{originalHeight}");
        // The codec has read only the header so far: refuse a bomb before a single pixel is allocated.
        if (limits.Refuse(originalWidth, originalHeight) is { } tooLarge) throw new ImageTooLargeException(name, tooLarge);

        // Smallest decode that still covers both the model input (after an optional crop) and the analysis copy.
        double cropW = originalWidth, cropH = originalHeight;
        if (mode == ResizeMode.CenterCrop) (cropW, cropH) = CropSize(originalWidth, originalHeight, targetWidth, targetHeight);
        var (aw, ah) = AnalysisSize(originalWidth, originalHeight);
        var scale = Math.Max(Math.Max(targetWidth / cropW, targetHeight / cropH), Math.Max((double)aw / originalWidth, (double)ah / originalHeight));
        var size = codec.Info.Size;
        if (scale <= 0.5)
        {
            // JPEG decodes at k/8 scales and GetScaledDimensions may round down; take the first one that is large enough.
            // Above 1/2 the odd-eighth IDCTs cost about as much as a full decode, so those are not tried.
            var needW = (int)Math.Ceiling(scale * originalWidth - 1e-6);
            var needH = (int)Math.Ceiling(scale * originalHeight - 1e-6);
            for (var s = scale; s <= 0.5; s += 0.125)
            {
                var candidate = codec.GetScaledDimensions((float)s);
                if (candidate.Width >= needW && candidate.Height >= needH) { size = candidate; break; }
            }
        }

        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var lease = gate.Acquire(info.BytesSize64, name, ct);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result == SKCodecResult.InvalidScale && size != codec.Info.Size)
        {
            // The codec offered a size it cannot decode to; fall back to a full decode.
            bitmap.Dispose();
            lease.Dispose();
            info = info.WithSize(codec.Info.Width, codec.Info.Height);
            lease = gate.Acquire(info.BytesSize64, name, ct);
            bitmap = new SKBitmap(info);
            result = codec.GetPixels(info, bitmap.GetPixels());
        }
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            lease.Dispose();
            var reason = result switch
            {
                SKCodecResult.IncompleteInput => "the file is truncated",
                SKCodecResult.ErrorInInput => "the file is corrupt",
                _ => $"decoder returned {result}",
            };
            throw new ImageDecodeException(name, reason);
        }
        return new LeasedBitmap(bitmap, lease);
    }

    /// <summary>A decoded bitmap and the decode memory it holds, both given back on dispose.</summary>
    private readonly struct LeasedBitmap(SKBitmap bitmap, DecodeMemoryGate.Lease lease) : IDisposable
    {
        public SKPixmap PeekPixels() => bitmap.PeekPixels();

        public void Dispose()
        {
            bitmap.Dispose();
            lease.Dispose();
        }
    }

    private static void ResizeForModel(SKPixmap source, EmbeddingModelOptions o, Span<byte> target)
    {
        var pixels = (ReadOnlySpan<byte>)source.GetPixelSpan();
        int w = source.Width, h = source.Height;
        if (o.ResizeMode == ResizeMode.CenterCrop)
        {
            // Crop first, then resize the crop alone (as torchvision's CenterCrop does), so nothing outside it leaks in.
            var (cw, ch) = CropSize(w, h, o.Width, o.Height);
            var cropW = Math.Clamp((int)Math.Round(cw), 1, w);
            var cropH = Math.Clamp((int)Math.Round(ch), 1, h);
            var x = (w - cropW) / 2;
            var y = (h - cropH) / 2;
            pixels = pixels[(y * source.RowBytes + x * 4)..];
            (w, h) = (cropW, cropH);
        }
        Resampler.Resize(pixels, w, h, source.RowBytes, (0, 0, w, h), target, o.Width, o.Height);
    }

    private static ImageStatistics Statistics(SKPixmap decoded, int originalWidth, int originalHeight)
    {
        var (w, h) = AnalysisSize(decoded.Width, decoded.Height);
        var buffer = ArrayPool<byte>.Shared.Rent(w * h * 4);
        try
        {
            var pixels = buffer.AsSpan(0, w * h * 4);
            Resampler.Resize(decoded.GetPixelSpan(), decoded.Width, decoded.Height, decoded.RowBytes,
                (0, 0, decoded.Width, decoded.Height), pixels, w, h);
            return ImageStatistics.Compute(pixels, w, h, originalWidth, originalHeight);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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
