using System.Runtime.InteropServices;
using Observatory.DataService.Core.Validation;
using SkiaSharp;

namespace Observatory.DataService.Imaging;

/// <summary>
/// <see cref="IImageInspector"/> on SkiaSharp. Order matters for safety: magic bytes, then our own header parse, then the dimension
/// limits — all before Skia is asked for a single pixel — then a row-by-row scanline decode (memory is one strip of rows, whatever
/// the image size) that feeds <see cref="LumaStatistics"/>. Formats without scanline support fall back to a full-frame decode,
/// allowed up to <see cref="MaxFullFramePixels"/>.
/// </summary>
public sealed class SkiaImageInspector : IImageInspector
{
    /// <summary>Largest image decoded into one buffer when the codec cannot stream rows (WebP, GIF...): 4 bytes × 50 MP = 200 MB.</summary>
    public const long MaxFullFramePixels = 50_000_000;

    private const int StripRows = 16;

    /// <summary>Short side the statistics need: a 32×32 pHash thumbnail and a meaningful variance.</summary>
    public const int MinStatisticsSide = 48;

    public string Version => "skia4.155-i4";

    public ImageInspection Inspect(byte[] content, ImageInspectionLimits limits)
    {
        var format = ImageHeader.Sniff(content);
        if (format == ImageFormat.Unknown)
            return new ImageInspection { Status = InspectionStatus.NotAnImage, Error = $"bytes match no known image format (starts {Preview(content)})" };
        var header = ImageHeader.TryRead(content, out var headerError);
        if (header is null) return new ImageInspection { Status = InspectionStatus.Corrupt, Format = format, Error = headerError };
        var result = new ImageInspection
        {
            Format = format, Width = header.Width, Height = header.Height, ColourMode = header.ColourMode,
            Channels = header.Channels, BitDepth = header.BitDepth,
        };
        if (format is ImageFormat.Tiff or ImageFormat.Heif or ImageFormat.Avif)
            return result with { Status = InspectionStatus.Unsupported, Error = $"{format} is not decoded by Skia" };
        if (TooLarge(header.Width, header.Height, limits)) return result with { Status = InspectionStatus.TooLarge };
        if (format != ImageFormat.Ico && (header.Width == 0 || header.Height == 0))
            return result with { Status = InspectionStatus.Corrupt, Error = $"header says {header.Width}×{header.Height}" };
        try
        {
            return Decode(content, result, limits);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return result with { Status = InspectionStatus.Corrupt, Error = $"decoder failed: {e.Message}" };
        }
    }

    private static ImageInspection Decode(byte[] content, ImageInspection result, ImageInspectionLimits limits)
    {
        using var data = SKData.CreateCopy(content);
        using var codec = SKCodec.Create(data);
        if (codec is null) return result with { Status = InspectionStatus.Corrupt, Error = "decoder cannot read the header" };
        var info = codec.Info;
        int w = info.Width, h = info.Height;
        if (TooLarge(w, h, limits)) return result with { Status = InspectionStatus.TooLarge, Width = w, Height = h };
        if (w <= 0 || h <= 0) return result with { Status = InspectionStatus.Corrupt, Error = $"decoder reports {w}×{h}" };
        result = result with
        {
            Width = w, Height = h,
            Transposed = codec.EncodedOrigin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom,
            MissingJpegEoi = result.Format == ImageFormat.Jpeg && !EndsWithEoi(content),
        };
        if (result.ColourMode == ColourMode.Unknown) result = result with { ColourMode = ModeOf(info), Channels = info.ColorType == SKColorType.Gray8 ? 1 : 4, BitDepth = 8 };
        var gray = info.ColorType == SKColorType.Gray8;
        var (sw, sh) = result.Format == ImageFormat.Jpeg ? DctScaled(codec, w, h) : (w, h);
        var dst = new SKImageInfo(sw, sh, gray ? SKColorType.Gray8 : SKColorType.Rgba8888,
            info.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        var stats = new LumaStatistics(sw, sh);
        w = sw; h = sh;
        var rowBytes = dst.RowBytes;
        string? failure = null;
        var status = InspectionStatus.Ok;
        if (codec.StartScanlineDecode(dst) == SKCodecResult.Success && codec.ScanlineOrder == SKCodecScanlineOrder.TopDown)
        {
            var strip = GC.AllocateUninitializedArray<byte>(rowBytes * StripRows, pinned: true);
            var address = Marshal.UnsafeAddrOfPinnedArrayElement(strip, 0);
            for (var y = 0; y < h; y += StripRows)
            {
                var want = Math.Min(StripRows, h - y);
                var got = codec.GetScanlines(address, want, rowBytes);
                Feed(stats, strip, rowBytes, y, Math.Max(0, got), gray);
                if (got < want)
                {
                    status = InspectionStatus.Truncated;
                    failure = $"data ends at row {(y + Math.Max(0, got)) * result.Height / h} of {result.Height}";
                    break;
                }
            }
        }
        else
        {
            if ((long)w * h > MaxFullFramePixels)
                return result with { Status = InspectionStatus.Unsupported, Error = $"{w}×{h} {result.Format} cannot be streamed and is above the full-frame decode limit of {MaxFullFramePixels} pixels" };
            var pixels = GC.AllocateUninitializedArray<byte>(checked((int)dst.BytesSize64), pinned: true);
            var r = codec.GetPixels(dst, Marshal.UnsafeAddrOfPinnedArrayElement(pixels, 0));
            switch (r)
            {
                case SKCodecResult.Success: break;
                case SKCodecResult.IncompleteInput: status = InspectionStatus.Truncated; failure = "data ends before the last row"; break;
                default: status = InspectionStatus.Corrupt; failure = $"decoder reports {r}"; break;
            }
            if (status == InspectionStatus.Ok) Feed(stats, pixels, rowBytes, 0, h, gray);
        }
        if (status != InspectionStatus.Ok) return result with { Status = status, Error = failure };
        return result with
        {
            Status = InspectionStatus.Ok,
            LumaMean = stats.Mean,
            LumaVariance = stats.Variance,
            PixelVariance = stats.ColourVariance,
            MeanRed = stats.ChannelMean(0),
            MeanGreen = stats.ChannelMean(1),
            MeanBlue = stats.ChannelMean(2),
            PerceptualHash = stats.PerceptualHash(),
            Thumbnail = stats.Thumbnail16(),
            HasTransparency = stats.HasTransparency,
        };
    }

    /// <summary>
    /// JPEG only: the smallest libjpeg DCT scale (1/8, 1/4, 1/2) that keeps the short side at or above <see cref="MinStatisticsSide"/>.
    /// Every entropy-coded block is still decoded — truncation and data errors surface exactly as at full size — but the inverse DCT
    /// and colour conversion run on the reduced grid, so statistics come from a downscaled luma (the same trick as Pillow's draft mode).
    /// </summary>
    private static (int W, int H) DctScaled(SKCodec codec, int w, int h)
    {
        foreach (var scale in new[] { 0.125f, 0.25f, 0.5f })
        {
            var size = codec.GetScaledDimensions(scale);
            if (Math.Min(size.Width, size.Height) >= MinStatisticsSide && size.Width < w) return (size.Width, size.Height);
        }
        return (w, h);
    }

    private static void Feed(LumaStatistics stats, byte[] buffer, int rowBytes, int firstRow, int rows, bool gray)
    {
        for (var r = 0; r < rows; r++)
        {
            var y = firstRow + r;
            if (!stats.Samples(y)) continue;
            var row = buffer.AsSpan(r * rowBytes, rowBytes);
            if (gray) stats.AddGrayRow(row, y);
            else stats.AddRgbaRow(row, y);
        }
    }

    private static bool TooLarge(int w, int h, ImageInspectionLimits limits) =>
        w > limits.MaxSide || h > limits.MaxSide || (long)w * h > limits.MaxPixels;

    private static bool EndsWithEoi(byte[] content)
    {
        var end = content.Length;
        while (end > 2 && content[end - 1] == 0) end--; // zero padding after EOI is harmless
        return end >= 2 && content[end - 2] == 0xFF && content[end - 1] == 0xD9;
    }

    private static ColourMode ModeOf(SKImageInfo info) => info.ColorType switch
    {
        SKColorType.Gray8 => ColourMode.Grayscale,
        _ when info.AlphaType == SKAlphaType.Opaque => ColourMode.Rgb,
        _ => ColourMode.Rgba,
    };

    private static string Preview(byte[] content) => Convert.ToHexString(content.AsSpan(0, Math.Min(8, content.Length)));
}
