using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Observatory.Monitoring.Core.Drift;

/// <summary>Outcome of an MMD² permutation test.</summary>
public sealed record MmdTestResult(
    double Mmd2, double PValue, double Sigma, double MedianSquaredDistance, int Permutations, int PermutationsAtLeastObserved,
    int ReferenceCount, int CurrentCount);

/// <summary>
/// Unbiased MMD² with an RBF kernel k(x, y) = exp(−‖x−y‖² / (2σ²)), σ from Alibi Detect's median heuristic on reference pairs
/// (σ² = ½·lower median of off-diagonal squared distances), and a seeded permutation p-value (1 + #{perm ≥ obs}) / (1 + B).
/// </summary>
public static class Mmd
{
    /// <summary>Unbiased MMD² of X and Y for a fixed σ.</summary>
    public static double Unbiased(DataMatrix x, DataMatrix y, double sigma)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var z = DataMatrix.Stack(x, y);
        var k = SquaredDistances(z, CancellationToken.None);
        ToKernel(k, z.Rows, 1.0 / (2 * sigma * sigma));
        var rowSums = RowSums(k, z.Rows);
        var mask = new double[z.Rows];
        Array.Fill(mask, 1.0, 0, x.Rows);
        var q = MaskedQuadraticForms(k, z.Rows, [mask], CancellationToken.None)[0];
        return FromSums(q, rowSums, x.Rows, y.Rows, mask);
    }

    /// <summary>σ from the median heuristic over the rows of <paramref name="reference"/>.</summary>
    public static double MedianHeuristicSigma(DataMatrix reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var d2 = SquaredDistances(reference, CancellationToken.None);
        return Math.Sqrt(0.5 * LowerMedianOffDiagonal(d2, reference.Rows, reference.Rows));
    }

    /// <summary>Permutation test of reference vs current; σ from the reference unless <paramref name="sigma"/> is given.</summary>
    public static MmdTestResult Test(DataMatrix reference, DataMatrix current, int permutations, int seed, double? sigma, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        int n = reference.Rows, m = current.Rows, total = n + m;
        if (n < 2 || m < 2) throw new ArgumentException("MMD² (unbiased) needs at least 2 samples on each side");
        var z = DataMatrix.Stack(reference, current);
        var k = SquaredDistances(z, cancellationToken);
        var median = LowerMedianOffDiagonal(k, total, n);
        // Identical reference rows give a zero median; fall back to unit bandwidth rather than divide by zero.
        if (!(median > 0)) median = 1.0;
        var s = sigma ?? Math.Sqrt(0.5 * median);
        ToKernel(k, total, 1.0 / (2 * s * s));
        cancellationToken.ThrowIfCancellationRequested();
        var rowSums = RowSums(k, total);

        // Mask 0 is the observed split; masks 1..B are seeded permutations of the pooled rows (first n of each permutation play X).
        var masks = new double[permutations + 1][];
        var rng = SeededRandom.Create(seed);
        var perm = Enumerable.Range(0, total).ToArray();
        for (var b = 0; b <= permutations; b++)
        {
            var mask = new double[total];
            if (b == 0) Array.Fill(mask, 1.0, 0, n);
            else
            {
                Sampling.Shuffle(perm, rng);
                for (var i = 0; i < n; i++) mask[perm[i]] = 1.0;
            }
            masks[b] = mask;
        }
        var q = MaskedQuadraticForms(k, total, masks, cancellationToken);
        var observed = FromSums(q[0], rowSums, n, m, masks[0]);
        var atLeast = 0;
        for (var b = 1; b <= permutations; b++)
            if (FromSums(q[b], rowSums, n, m, masks[b]) >= observed) atLeast++;
        var p = (1.0 + atLeast) / (1.0 + permutations);
        return new MmdTestResult(observed, p, s, median, permutations, atLeast, n, m);
    }

    // MMD² from q = zᵀKz (z = X indicator), the row sums r and T = Σr: K_XX = q, K_XY = z·r − q, K_YY = T − 2 z·r + q; diagonals are 1.
    private static double FromSums(double q, double[] rowSums, int n, int m, double[] mask)
    {
        double zr = 0, t = 0;
        for (var i = 0; i < rowSums.Length; i++) { t += rowSums[i]; zr += mask[i] * rowSums[i]; }
        var xx = q - n;
        var yy = t - 2 * zr + q - m;
        var xy = zr - q;
        return xx / ((double)n * (n - 1)) + yy / ((double)m * (m - 1)) - 2 * xy / ((double)n * m);
    }

    /// <summary>
    /// Squared Euclidean distances ‖a‖² + ‖b‖² − 2a·b (clamped at 0) in the strict upper triangle of an N×N row-major buffer;
    /// the diagonal is 0 and the lower triangle is left unset — every consumer reads row tails only (symmetry halves the work).
    /// </summary>
    internal static double[] SquaredDistances(DataMatrix z, CancellationToken cancellationToken)
    {
        int n = z.Rows, d = z.Cols;
        var norms = new double[n];
        for (var i = 0; i < n; i++) norms[i] = TensorPrimitives.Dot(z.Row(i), z.Row(i));
        var result = new double[(long)n * n];
        const int tile = 64;
        var tiles = (n + tile - 1) / tile;
        var pairs = new List<(int, int)>();
        for (var a = 0; a < tiles; a++)
            for (var b = a; b < tiles; b++) pairs.Add((a, b));
        Parallel.ForEach(pairs, new ParallelOptions { CancellationToken = cancellationToken }, pair =>
        {
            var (ta, tb) = pair;
            int i0 = ta * tile, i1 = Math.Min(n, i0 + tile), j0 = tb * tile, j1 = Math.Min(n, j0 + tile);
            var data = z.Data;
            var i = i0;
            // Four rows against four columns: 16 accumulators share 8 loads per step; the four rows stay in L1 across the tile.
            for (; i + 4 <= i1; i += 4)
            {
                var j = j0;
                if (ta == tb)
                {
                    for (var p = i; p < i + 4; p++)
                        for (var q = p + 1; q < i + 4; q++) Store(result, n, norms, p, q, Dot(data, d, p, q));
                    j = i + 4;
                }
                for (; j + 4 <= j1; j += 4)
                {
                    Dot4x4(data, d, i, j, out var s);
                    for (var p = 0; p < 4; p++)
                        for (var q = 0; q < 4; q++) Store(result, n, norms, i + p, j + q, s[4 * p + q]);
                }
                for (; j < j1; j++)
                    for (var p = 0; p < 4; p++) Store(result, n, norms, i + p, j, Dot(data, d, i + p, j));
            }
            for (; i < i1; i++)
                for (var j = ta == tb ? i + 1 : j0; j < j1; j++)
                    Store(result, n, norms, i, j, Dot(data, d, i, j));
        });
        return result;
    }

    private static double Dot(double[] data, int d, int i, int j) => TensorPrimitives.Dot(data.AsSpan(i * d, d), data.AsSpan(j * d, d));

    private static void Store(double[] result, int n, double[] norms, int i, int j, double dot) =>
        result[(long)i * n + j] = Math.Max(norms[i] + norms[j] - 2 * dot, 0.0);

    [System.Runtime.CompilerServices.InlineArray(16)]
    private struct Sixteen
    {
        private double _e0;
    }

    private static void Dot4x4(double[] data, int d, int i, int j, out Sixteen s)
    {
        var a0 = MemoryMarshal.Cast<double, Vector<double>>(data.AsSpan(i * d, d));
        var a1 = MemoryMarshal.Cast<double, Vector<double>>(data.AsSpan((i + 1) * d, d));
        var a2 = MemoryMarshal.Cast<double, Vector<double>>(data.AsSpan((i + 2) * d, d));
        var a3 = MemoryMarshal.Cast<double, Vector<double>>(data.AsSpan((i + 3) * d, d));
        var b0 = MemoryMarshal.Cast<double, Vector<double>>(data.AsSpan(j * d, d));
        var b1 = MemoryMarshal.Cast<double, Vector<double>>(data.AsSpan((j + 1) * d, d));
        var b2 = MemoryMarshal.Cast<double, Vector<double>>(data.AsSpan((j + 2) * d, d));
        var b3 = MemoryMarshal.Cast<double, Vector<double>>(data.AsSpan((j + 3) * d, d));
        Vector<double> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector<double> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector<double> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector<double> c30 = default, c31 = default, c32 = default, c33 = default;
        for (var k = 0; k < a0.Length; k++)
        {
            Vector<double> y0 = b0[k], y1 = b1[k], y2 = b2[k], y3 = b3[k];
            var x = a0[k];
            c00 = Vector.FusedMultiplyAdd(x, y0, c00); c01 = Vector.FusedMultiplyAdd(x, y1, c01);
            c02 = Vector.FusedMultiplyAdd(x, y2, c02); c03 = Vector.FusedMultiplyAdd(x, y3, c03);
            x = a1[k];
            c10 = Vector.FusedMultiplyAdd(x, y0, c10); c11 = Vector.FusedMultiplyAdd(x, y1, c11);
            c12 = Vector.FusedMultiplyAdd(x, y2, c12); c13 = Vector.FusedMultiplyAdd(x, y3, c13);
            x = a2[k];
            c20 = Vector.FusedMultiplyAdd(x, y0, c20); c21 = Vector.FusedMultiplyAdd(x, y1, c21);
            c22 = Vector.FusedMultiplyAdd(x, y2, c22); c23 = Vector.FusedMultiplyAdd(x, y3, c23);
            x = a3[k];
            c30 = Vector.FusedMultiplyAdd(x, y0, c30); c31 = Vector.FusedMultiplyAdd(x, y1, c31);
            c32 = Vector.FusedMultiplyAdd(x, y2, c32); c33 = Vector.FusedMultiplyAdd(x, y3, c33);
        }
        s = default;
        s[0] = Vector.Sum(c00); s[1] = Vector.Sum(c01); s[2] = Vector.Sum(c02); s[3] = Vector.Sum(c03);
        s[4] = Vector.Sum(c10); s[5] = Vector.Sum(c11); s[6] = Vector.Sum(c12); s[7] = Vector.Sum(c13);
        s[8] = Vector.Sum(c20); s[9] = Vector.Sum(c21); s[10] = Vector.Sum(c22); s[11] = Vector.Sum(c23);
        s[12] = Vector.Sum(c30); s[13] = Vector.Sum(c31); s[14] = Vector.Sum(c32); s[15] = Vector.Sum(c33);
        for (var k = a0.Length * Vector<double>.Count; k < d; k++)
            for (var p = 0; p < 4; p++)
                for (var q = 0; q < 4; q++) s[4 * p + q] += data[(i + p) * d + k] * data[(j + q) * d + k];
    }

    /// <summary>Lower median of the off-diagonal entries of the leading n×n block, each pair counted once (Alibi's sigma_median).</summary>
    internal static double LowerMedianOffDiagonal(double[] d2, int stride, int n)
    {
        var pairs = new double[(long)n * (n - 1) / 2];
        var k = 0L;
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++) pairs[k++] = Math.Max(d2[(long)i * stride + j], 1e-30);
        return pairs.Length == 0 ? 0 : Select(pairs, (pairs.Length - 1) / 2);
    }

    // k-th smallest (0-based) by quickselect with median-of-three pivots; reorders the array.
    private static double Select(double[] a, long k)
    {
        long lo = 0, hi = a.Length - 1;
        while (hi > lo)
        {
            var mid = lo + (hi - lo) / 2;
            if (a[mid] < a[lo]) (a[mid], a[lo]) = (a[lo], a[mid]);
            if (a[hi] < a[lo]) (a[hi], a[lo]) = (a[lo], a[hi]);
            if (a[hi] < a[mid]) (a[hi], a[mid]) = (a[mid], a[hi]);
            var pivot = a[mid];
            long i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) { (a[i], a[j]) = (a[j], a[i]); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return a[k];
        }
        return a[k];
    }

    // Kernel values on the upper triangle only; the diagonal is exp(0) = 1.
    private static void ToKernel(double[] d2, int n, double gamma)
    {
        Parallel.For(0, n, i =>
        {
            var tail = d2.AsSpan(i * n + i + 1, n - i - 1);
            TensorPrimitives.Multiply(tail, -gamma, tail);
            TensorPrimitives.Exp(tail, tail);
            d2[(long)i * n + i] = 1.0;
        });
    }

    // r_i = 1 + Σ_{j>i} K_ij + Σ_{j<i} K_ji, from the upper triangle.
    private static double[] RowSums(double[] k, int n)
    {
        var sums = new double[n];
        Parallel.For(0, n, i => sums[i] = 1.0 + TensorPrimitives.Sum(k.AsSpan(i * n + i + 1, n - i - 1)));
        var columns = new double[n];
        for (var i = 0; i < n - 1; i++)
        {
            var tail = columns.AsSpan(i + 1);
            TensorPrimitives.Add(tail, k.AsSpan(i * n + i + 1, n - i - 1), tail);
        }
        TensorPrimitives.Add(sums, columns, sums);
        return sums;
    }

    /// <summary>zᵀKz for each 0/1 mask z, using symmetry: Σ z_i + 2 Σ_{i&lt;j} z_i z_j K_ij (K_ii = 1).</summary>
    internal static double[] MaskedQuadraticForms(double[] k, int n, double[][] masks, CancellationToken cancellationToken)
    {
        // Per-row contributions are summed afterwards in a fixed order so results do not depend on thread scheduling.
        // Rows go in blocks so each mask's tail is reused from cache by the whole block.
        var contrib = new double[(long)masks.Length * n];
        const int block = 16;
        Parallel.For(0, (n + block - 1) / block, new ParallelOptions { CancellationToken = cancellationToken }, blk =>
        {
            int i0 = blk * block, i1 = Math.Min(n, i0 + block);
            for (var b = 0; b < masks.Length; b++)
            {
                var mask = masks[b];
                for (var i = i0; i < i1; i++)
                {
                    if (mask[i] == 0) continue;
                    contrib[(long)b * n + i] = 1.0 + 2.0 * TensorPrimitives.Dot(k.AsSpan(i * n + i + 1, n - i - 1), mask.AsSpan(i + 1));
                }
            }
        });
        var totals = new double[masks.Length];
        for (var b = 0; b < masks.Length; b++)
        {
            var sum = 0.0;
            for (var i = 0; i < n; i++) sum += contrib[(long)b * n + i];
            totals[b] = sum;
        }
        return totals;
    }
}
