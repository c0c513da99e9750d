namespace Observatory.Monitoring.Onnx.Model;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a fixed, documented generator, so generated weights never depend on
/// System.Random's implementation, which .NET is free to change.
/// </summary>
internal sealed class SplitMix64(ulong seed)
{
    private ulong state = seed;

    public ulong Next()
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits; exact in IEEE double, hence identical on every machine.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [−<paramref name="bound"/>, <paramref name="bound"/>).</summary>
    public double NextSymmetric(double bound) => (2.0 * NextDouble() - 1.0) * bound;
}
