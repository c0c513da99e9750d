namespace Observatory.Monitoring.Core.Drift;

/// <summary>
/// Runs a chosen set of drift methods on a reference and a current sample. The per-dimension methods (KS, Wasserstein, PSI,
/// JS) and mean distance use every row up to <see cref="DriftOptions.MaxSamples"/> (100,000) per side — sorting is cheap —
/// and only MMD² and the classifier, whose cost grows with n², are subsampled (seeded) to their own caps; each result's
/// <see cref="DriftResult.RowsUsed"/> says how many rows it used. The same inputs and seed give the same report.
/// </summary>
public static class DriftRunner
{
    /// <summary>Numeric matrices (embeddings): any of mmd, ks, classifier, wasserstein, psi, js, mean_distance.</summary>
    public static DriftReport Run(DataMatrix reference, DataMatrix current, IEnumerable<string> methods, DriftOptions? options = null,
        string? referencePath = null, string? currentPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(methods);
        options ??= new DriftOptions();
        if (reference.Cols != current.Cols)
            throw new ArgumentException($"reference has {reference.Cols} dimensions but current has {current.Cols}");
        if (reference.Rows == 0 || current.Rows == 0 || reference.Cols == 0)
            throw new ArgumentException("reference and current must both have at least one row and one column");
        EnsureFinite(reference, "reference");
        EnsureFinite(current, "current");

        var list = methods.Select(m => m.Trim().ToLowerInvariant()).Distinct().ToList();
        foreach (var m in list)
            if (!DriftMethodNames.Numeric.Contains(m))
                throw new ArgumentException($"unknown drift method '{m}'; valid: {string.Join(", ", DriftMethodNames.Numeric)}");

        var refSample = Sampling.SubsampleRows(reference, options.MaxSamples, options.Seed);
        var curSample = Sampling.SubsampleRows(current, options.MaxSamples, options.Seed + 1);
        Lazy<SortedColumns> columns = new(() => SortedColumns.Create(refSample, curSample));
        var results = new List<DriftResult>();
        foreach (var method in list)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Add(method switch
            {
                DriftMethodNames.Mmd => RunMmd(reference, current, options, cancellationToken),
                DriftMethodNames.Ks => RunKs(columns.Value, options),
                DriftMethodNames.Classifier => RunClassifier(reference, current, options),
                DriftMethodNames.Wasserstein => PerDimensionDistance(method, columns.Value, options.Distances.WassersteinThreshold, options.Distances.DriftShare,
                    (r, c) => UnivariateDistances.WassersteinNormedSorted(r, c)),
                DriftMethodNames.Psi => PerDimensionDistance(method, columns.Value, options.Distances.PsiThreshold, options.Distances.DriftShare, (r, c) =>
                {
                    var (rp, cp) = UnivariateDistances.BinnedProportions(r, c);
                    return UnivariateDistances.Psi(rp, cp);
                }),
                DriftMethodNames.JensenShannon => PerDimensionDistance(method, columns.Value, options.Distances.JensenShannonThreshold, options.Distances.DriftShare, (r, c) =>
                {
                    var (rp, cp) = UnivariateDistances.BinnedProportions(r, c);
                    return UnivariateDistances.JensenShannon(rp, cp);
                }),
                DriftMethodNames.MeanDistance => RunMeanDistance(refSample, curSample, options),
                _ => throw new InvalidOperationException(method),
            });
        }
        return new DriftReport(new SampleSummary(referencePath, reference.Rows, reference.Cols), new SampleSummary(currentPath, current.Rows, current.Cols), results);
    }

    /// <summary>Predicted-class distributions: chi-square test of homogeneity and Jensen–Shannon distance of class proportions.</summary>
    public static DriftReport RunCategorical(IReadOnlyList<int> reference, IReadOnlyList<int> current, DriftOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        if (reference.Count == 0 || current.Count == 0) throw new ArgumentException("reference and current classes must be non-empty");
        options ??= new DriftOptions();
        var classes = reference.Concat(current).Distinct().Order().ToArray();
        var refCounts = classes.Select(k => (long)reference.Count(v => v == k)).ToArray();
        var curCounts = classes.Select(k => (long)current.Count(v => v == k)).ToArray();
        var (chi2, p, dof) = UnivariateDistances.ChiSquareHomogeneity(refCounts, curCounts);
        var refProp = refCounts.Select(c => (double)c / reference.Count).ToArray();
        var curProp = curCounts.Select(c => (double)c / current.Count).ToArray();
        var js = UnivariateDistances.JensenShannon(refProp, curProp);
        var perClass = new Dictionary<string, object?>
        {
            ["classes"] = classes,
            ["reference_counts"] = refCounts,
            ["current_counts"] = curCounts,
            ["reference_proportions"] = refProp,
            ["current_proportions"] = curProp,
        };
        var rows = new RowCounts(reference.Count, current.Count);
        var results = new List<DriftResult>
        {
            new(DriftMethodNames.ChiSquare, chi2, p, options.Distances.ChiSquareAlpha, p < options.Distances.ChiSquareAlpha,
                new Dictionary<string, object?>(perClass) { ["dof"] = dof, ["yates_correction"] = dof == 1 }) { RowsUsed = rows },
            new(DriftMethodNames.JensenShannon, js, null, options.Distances.JensenShannonThreshold, js >= options.Distances.JensenShannonThreshold,
                new Dictionary<string, object?>(perClass) { ["log_base"] = "e" }) { RowsUsed = rows },
        };
        return new DriftReport(new SampleSummary(null, reference.Count, 1), new SampleSummary(null, current.Count, 1), results);
    }

    /// <summary>A one-dimensional numeric sample (e.g. confidences): KS and normed Wasserstein.</summary>
    public static DriftReport RunNumeric(IReadOnlyList<double> reference, IReadOnlyList<double> current, DriftOptions? options = null) =>
        Run(DataMatrix.FromColumn(reference), DataMatrix.FromColumn(current), [DriftMethodNames.Ks, DriftMethodNames.Wasserstein], options);

    private static DriftResult RunMmd(DataMatrix reference, DataMatrix current, DriftOptions options, CancellationToken ct)
    {
        var o = options.Mmd;
        var r = Sampling.SubsampleRows(reference, o.MaxSamples, options.Seed);
        var c = Sampling.SubsampleRows(current, o.MaxSamples, options.Seed + 1);
        var t = Mmd.Test(r, c, o.Permutations, options.Seed, o.Sigma, ct);
        return new DriftResult(DriftMethodNames.Mmd, t.Mmd2, t.PValue, o.Alpha, t.PValue < o.Alpha, new Dictionary<string, object?>
        {
            ["kernel"] = "rbf",
            ["sigma"] = t.Sigma,
            ["bandwidth"] = o.Sigma is null ? "median_heuristic" : "fixed",
            ["median_squared_distance"] = t.MedianSquaredDistance,
            ["permutations"] = t.Permutations,
            ["permutations_at_least_observed"] = t.PermutationsAtLeastObserved,
            ["reference_samples"] = t.ReferenceCount,
            ["current_samples"] = t.CurrentCount,
            ["seed"] = options.Seed,
        }) { RowsUsed = new RowCounts(t.ReferenceCount, t.CurrentCount) };
    }

    private static DriftResult RunKs(SortedColumns cols, DriftOptions options)
    {
        var d = cols.Reference.Length;
        var results = new KsResult[d];
        Parallel.For(0, d, j => results[j] = KolmogorovSmirnov.TwoSampleSorted(cols.Reference[j], cols.Current[j]));
        var p = results.Select(r => r.PValue).ToArray();
        var bonferroni = MultipleTesting.Bonferroni(p);
        var fdr = MultipleTesting.BenjaminiHochberg(p);
        var alpha = options.Ks.Alpha;
        var chosen = options.Ks.Correction == Correction.Bonferroni ? bonferroni : fdr;
        var driftedBonferroni = Enumerable.Range(0, d).Where(j => bonferroni[j] < alpha).ToArray();
        var driftedFdr = Enumerable.Range(0, d).Where(j => fdr[j] < alpha).ToArray();
        var minAdjusted = chosen.Min();
        return new DriftResult(DriftMethodNames.Ks, results.Max(r => r.Statistic), minAdjusted, alpha, minAdjusted < alpha, new Dictionary<string, object?>
        {
            ["correction"] = options.Ks.Correction == Correction.Bonferroni ? "bonferroni" : "fdr_bh",
            ["share_drifted_bonferroni"] = (double)driftedBonferroni.Length / d,
            ["share_drifted_fdr"] = (double)driftedFdr.Length / d,
            ["drifted_dimensions_bonferroni"] = driftedBonferroni,
            ["drifted_dimensions_fdr"] = driftedFdr,
            ["statistics"] = results.Select(r => r.Statistic).ToArray(),
            ["p_values"] = p,
            ["p_value_methods"] = results.Select(r => r.Method == KsPValueMethod.Exact ? "exact" : "asymp").Distinct().Order().ToArray(),
            ["reference_samples"] = cols.Reference[0].Length,
            ["current_samples"] = cols.Current[0].Length,
        }) { RowsUsed = cols.Rows };
    }

    private static DriftResult RunClassifier(DataMatrix reference, DataMatrix current, DriftOptions options)
    {
        var o = options.Classifier;
        var r = Sampling.SubsampleRows(reference, o.MaxSamples, options.Seed);
        var c = Sampling.SubsampleRows(current, o.MaxSamples, options.Seed + 1);
        if (r.Rows + c.Rows < 4) throw new ArgumentException("the domain classifier needs at least 4 samples in total");
        var t = DomainClassifier.Test(r, c, options.Seed, o.TrainFraction, o.C, o.RandomFeatures);
        return new DriftResult(DriftMethodNames.Classifier, t.RocAuc, null, o.Threshold, t.RocAuc > o.Threshold, new Dictionary<string, object?>
        {
            ["model"] = "logistic_regression_l2",
            ["random_fourier_features"] = o.RandomFeatures,
            ["train_samples"] = t.TrainCount,
            ["test_samples"] = t.TestCount,
            ["iterations"] = t.Iterations,
            ["seed"] = options.Seed,
        }) { RowsUsed = new RowCounts(r.Rows, c.Rows) };
    }

    private static DriftResult RunMeanDistance(DataMatrix reference, DataMatrix current, DriftOptions options)
    {
        var d = reference.Cols;
        var mr = ColumnMeans(reference);
        var mc = ColumnMeans(current);
        var dist = Math.Sqrt(Enumerable.Range(0, d).Sum(j => (mr[j] - mc[j]) * (mr[j] - mc[j])));
        var threshold = options.Distances.MeanDistanceThreshold;
        return new DriftResult(DriftMethodNames.MeanDistance, dist, null, threshold, dist > threshold, new Dictionary<string, object?>
        {
            ["metric"] = "euclidean",
            ["reference_mean_norm"] = Math.Sqrt(mr.Sum(v => v * v)),
            ["current_mean_norm"] = Math.Sqrt(mc.Sum(v => v * v)),
        }) { RowsUsed = new RowCounts(reference.Rows, current.Rows) };
    }

    private static double[] ColumnMeans(DataMatrix m)
    {
        var means = new double[m.Cols];
        for (var i = 0; i < m.Rows; i++)
        {
            var row = m.Row(i);
            for (var j = 0; j < m.Cols; j++) means[j] += row[j];
        }
        for (var j = 0; j < m.Cols; j++) means[j] /= m.Rows;
        return means;
    }

    // With one dimension the statistic is the distance itself; with several, the share of dimensions at or above the threshold.
    private static DriftResult PerDimensionDistance(string method, SortedColumns cols, double dimThreshold, double share, Func<double[], double[], double> distance)
    {
        var d = cols.Reference.Length;
        var values = new double[d];
        Parallel.For(0, d, j => values[j] = distance(cols.Reference[j], cols.Current[j]));
        var drifted = Enumerable.Range(0, d).Where(j => values[j] >= dimThreshold).ToArray();
        var details = new Dictionary<string, object?>
        {
            ["dimension_threshold"] = dimThreshold,
            ["share_drifted"] = (double)drifted.Length / d,
            ["drifted_dimensions"] = drifted,
            ["max"] = values.Max(),
            ["mean"] = values.Average(),
            ["values"] = values,
        };
        if (d == 1) return new DriftResult(method, values[0], null, dimThreshold, values[0] >= dimThreshold, details) { RowsUsed = cols.Rows };
        var s = (double)drifted.Length / d;
        return new DriftResult(method, s, null, share, s > share, details) { RowsUsed = cols.Rows };
    }

    private static void EnsureFinite(DataMatrix m, string name)
    {
        for (var k = 0; k < m.Data.Length; k++)
            if (!double.IsFinite(m.Data[k]))
                throw new ArgumentException($"{name} contains a non-finite value at row {k / m.Cols}, column {k % m.Cols}");
    }

    /// <summary>Each dimension of both samples, sorted once and shared by the per-dimension methods.</summary>
    private sealed record SortedColumns(double[][] Reference, double[][] Current)
    {
        public RowCounts Rows => new(Reference[0].Length, Current[0].Length);

        public static SortedColumns Create(DataMatrix reference, DataMatrix current)
        {
            var r = reference.Columns();
            var c = current.Columns();
            Parallel.For(0, r.Length, j => { RadixSort.Sort(r[j]); RadixSort.Sort(c[j]); });
            return new SortedColumns(r, c);
        }
    }
}
