namespace Observatory.Monitoring.Core.Drift;

/// <summary>Seeded sampling that keeps drift cost bounded by a sample size instead of traffic.</summary>
public static class Sampling
{
    /// <summary>At most <paramref name="max"/> rows chosen uniformly without replacement (kept in original order); all rows if fewer.</summary>
    public static DataMatrix SubsampleRows(DataMatrix matrix, int max, int seed)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        if (matrix.Rows <= max) return matrix;
        return matrix.SelectRows(SampleIndices(matrix.Rows, max, seed));
    }

    /// <summary>k distinct indices of [0, n) chosen uniformly (partial Fisher–Yates), sorted ascending.</summary>
    public static int[] SampleIndices(int n, int k, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, n);
        var rng = SeededRandom.Create(seed);
        var idx = Enumerable.Range(0, n).ToArray();
        for (var i = 0; i < k; i++)
        {
            var j = rng.Next(i, n);
            (idx[i], idx[j]) = (idx[j], idx[i]);
        }
        var chosen = idx[..k];
        Array.Sort(chosen);
        return chosen;
    }

    /// <summary>In-place seeded Fisher–Yates shuffle.</summary>
    public static void Shuffle(Span<int> values, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        for (var i = values.Length - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}

/// <summary>
/// Algorithm R reservoir over a stream: after any number of offers, holds a uniform sample of at most
/// <c>capacity</c> items. Seeded, so the same stream gives the same sample. Not thread-safe.
/// </summary>
public sealed class ReservoirSampler<T>
{
    private readonly List<T> _items;
    private readonly Random _rng;

    public ReservoirSampler(int capacity, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _items = new List<T>(Math.Min(capacity, 1 << 16));
        _rng = SeededRandom.Create(seed);
    }

    public int Capacity { get; }

    /// <summary>Items seen so far (not only kept).</summary>
    public long Seen { get; private set; }

    public IReadOnlyList<T> Items => _items;

    public void Offer(T item)
    {
        Seen++;
        if (_items.Count < Capacity) { _items.Add(item); return; }
        var j = _rng.NextInt64(Seen);
        if (j < Capacity) _items[(int)j] = item;
    }
}

/// <summary>
/// The generator behind every seeded choice in drift: Mersenne Twister seeded through SplitMix64, because System.Random's
/// seeded generator (and, measurably, MT with raw consecutive seeds) gives related streams for neighbouring seeds.
/// </summary>
public static class SeededRandom
{
    public static Random Create(int seed)
    {
        var z = (ulong)(uint)seed + 0x9E37_79B9_7F4A_7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        z ^= z >> 31;
        return new MathNet.Numerics.Random.MersenneTwister((int)(z & 0x7FFF_FFFF), threadSafe: false);
    }
}
