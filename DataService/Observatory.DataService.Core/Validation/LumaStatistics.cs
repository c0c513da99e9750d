using System.Numerics;

namespace Observatory.DataService.Core.Validation;

/// <summary>
/// Streams decoded rows into luma statistics and a 32×32 area-averaged thumbnail, so a decoder can work row by row and never
/// hold the whole image. Luma uses the Rec.601 weights Pillow's "L" mode uses. Only every <c>step</c>-th pixel of every
/// <c>step</c>-th row is sampled (a nearest-neighbour downscale to about 160 px on the short side).
/// </summary>
public sealed class LumaStatistics
{
    private const int Thumb = 32;
    private readonly int _width;
    private readonly int _height;
    private readonly int[] _xBin;
    private readonly double[] _binSum = new double[Thumb * Thumb];
    private readonly int[] _binCount = new int[Thumb * Thumb];
    private long _sum;
    private long _sumSquares;
    private long _count;
    // Per channel (R, G, B) sums, for the colour-aware variance and mean colour.
    private readonly long[] _channelSum = new long[3];
    private readonly long[] _channelSquares = new long[3];

    public LumaStatistics(int width, int height)
    {
        _width = width;
        _height = height;
        Step = Math.Max(1, Math.Min(width, height) / 160);
        _xBin = new int[width];
        for (var x = 0; x < width; x++) _xBin[x] = (int)((long)x * Thumb / width);
    }

    /// <summary>Rows and columns between samples.</summary>
    public int Step { get; }

    public bool HasTransparency { get; private set; }

    /// <summary>True when row <paramref name="y"/> is sampled; callers may skip converting other rows.</summary>
    public bool Samples(int y) => y % Step == 0;

    /// <summary>Adds one row of 8-bit RGBA (unpremultiplied) pixels.</summary>
    public void AddRgbaRow(ReadOnlySpan<byte> row, int y)
    {
        if (!Samples(y)) return;
        var bin = (int)((long)y * Thumb / _height) * Thumb;
        long sum = 0, sq = 0, rs = 0, gs = 0, bs = 0, rq = 0, gq = 0, bq = 0;
        var stride = Step * 4;
        for (int x = 0, i = 0; x < _width; x += Step, i += stride)
        {
            int r = row[i], g = row[i + 1], bl = row[i + 2];
            var l = (r * 19595 + g * 38470 + bl * 7471 + 32768) >> 16;
            if (row[i + 3] != 255) HasTransparency = true;
            sum += l; sq += l * l;
            rs += r; gs += g; bs += bl; rq += r * r; gq += g * g; bq += bl * bl;
            var b = bin + _xBin[x];
            _binSum[b] += l; _binCount[b]++;
        }
        _sum += sum; _sumSquares += sq; _count += (_width + Step - 1) / Step;
        _channelSum[0] += rs; _channelSum[1] += gs; _channelSum[2] += bs;
        _channelSquares[0] += rq; _channelSquares[1] += gq; _channelSquares[2] += bq;
    }

    /// <summary>Adds one row of 8-bit grey pixels.</summary>
    public void AddGrayRow(ReadOnlySpan<byte> row, int y)
    {
        if (!Samples(y)) return;
        var bin = (int)((long)y * Thumb / _height) * Thumb;
        long sum = 0, sq = 0;
        for (var x = 0; x < _width; x += Step)
        {
            int l = row[x];
            sum += l; sq += l * l;
            var b = bin + _xBin[x];
            _binSum[b] += l; _binCount[b]++;
        }
        _sum += sum; _sumSquares += sq; _count += (_width + Step - 1) / Step;
        for (var c = 0; c < 3; c++) { _channelSum[c] += sum; _channelSquares[c] += sq; }
    }

    /// <summary>Mean of channel <paramref name="c"/> (0 red, 1 green, 2 blue; grey images repeat the luma).</summary>
    public double ChannelMean(int c) => _count == 0 ? 0 : (double)_channelSum[c] / _count;

    /// <summary>
    /// Mean of the R, G, B variances: zero only when every channel is flat, so an isoluminant colour shape (red on teal) still counts
    /// as content, which luma variance alone would miss.
    /// </summary>
    public double ColourVariance
    {
        get
        {
            if (_count == 0) return 0;
            double v = 0;
            for (var c = 0; c < 3; c++)
            {
                var mean = (double)_channelSum[c] / _count;
                v += Math.Max(0, (double)_channelSquares[c] / _count - mean * mean);
            }
            return v / 3;
        }
    }

    public double Mean => _count == 0 ? 0 : (double)_sum / _count;

    /// <summary>Population variance of the sampled luma.</summary>
    public double Variance
    {
        get
        {
            if (_count == 0) return 0;
            var mean = (double)_sum / _count;
            return Math.Max(0, (double)_sumSquares / _count - mean * mean);
        }
    }

    /// <summary>16×16 luma thumbnail (2×2 means of the 32×32 one), row by row; near-duplicate candidates are verified on it.</summary>
    public byte[] Thumbnail16()
    {
        var mean = Mean;
        var small = new byte[16 * 16];
        for (var y = 0; y < 16; y++)
            for (var x = 0; x < 16; x++)
            {
                double sum = 0;
                for (var dy = 0; dy < 2; dy++)
                    for (var dx = 0; dx < 2; dx++)
                    {
                        var i = (2 * y + dy) * Thumb + 2 * x + dx;
                        sum += _binCount[i] == 0 ? mean : _binSum[i] / _binCount[i];
                    }
                small[y * 16 + x] = (byte)Math.Clamp(Math.Round(sum / 4), 0, 255);
            }
        return small;
    }

    /// <summary>
    /// Largest absolute cell difference (0..255) of two <see cref="Thumbnail16"/> values; 255 when either is missing or malformed.
    /// The largest, not the mean: a mean is dominated by the background, so a small object present in only one image barely moves it.
    /// </summary>
    public static double ThumbnailDifference(byte[]? a, byte[]? b)
    {
        if (a is not { Length: 256 } || b is not { Length: 256 }) return 255;
        var max = 0;
        for (var i = 0; i < 256; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    /// <summary>pHash of the 32×32 thumbnail (empty bins, for images narrower than 32 px, take the mean).</summary>
    public ulong PerceptualHash()
    {
        var thumb = new double[Thumb * Thumb];
        var mean = Mean;
        for (var i = 0; i < thumb.Length; i++) thumb[i] = _binCount[i] == 0 ? mean : _binSum[i] / _binCount[i];
        return PerceptualHashing.Phash32(thumb);
    }
}

/// <summary>DCT perceptual hash (as imagehash.phash with hash_size 8) and Hamming distance.</summary>
public static class PerceptualHashing
{
    private const int N = 32;
    private const int K = 8;
    private static readonly double[] Cos = BuildCos();

    private static double[] BuildCos()
    {
        var c = new double[K * N];
        for (var k = 0; k < K; k++)
            for (var n = 0; n < N; n++) c[k * N + n] = Math.Cos(Math.PI / N * (n + 0.5) * k);
        return c;
    }

    /// <summary>Hash of a 32×32 row-major luma thumbnail: the 8×8 lowest DCT-II frequencies, one bit each for "above the median".</summary>
    public static ulong Phash32(ReadOnlySpan<double> thumb)
    {
        if (thumb.Length != N * N) throw new ArgumentException("thumbnail must be 32×32", nameof(thumb));
        // Separable DCT: rows first (only K output columns needed), then columns.
        Span<double> rows = stackalloc double[N * K];
        for (var y = 0; y < N; y++)
            for (var k = 0; k < K; k++)
            {
                double s = 0;
                for (var x = 0; x < N; x++) s += thumb[y * N + x] * Cos[k * N + x];
                rows[y * K + k] = s;
            }
        Span<double> coef = stackalloc double[K * K];
        for (var ky = 0; ky < K; ky++)
            for (var kx = 0; kx < K; kx++)
            {
                double s = 0;
                for (var y = 0; y < N; y++) s += rows[y * K + kx] * Cos[ky * N + y];
                coef[ky * K + kx] = s;
            }
        Span<double> sorted = stackalloc double[K * K];
        coef.CopyTo(sorted);
        sorted.Sort();
        var median = (sorted[31] + sorted[32]) / 2;
        ulong hash = 0;
        for (var i = 0; i < K * K; i++)
            if (coef[i] > median) hash |= 1UL << i;
        return hash;
    }

    public static int Distance(ulong a, ulong b) => BitOperations.PopCount(a ^ b);
}
