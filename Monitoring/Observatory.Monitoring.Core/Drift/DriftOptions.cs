namespace Observatory.Monitoring.Core.Drift;

/// <summary>Names of the drift methods, as they appear in reports and on the command line.</summary>
public static class DriftMethodNames
{
    public const string Mmd = "mmd";
    public const string Ks = "ks";
    public const string Classifier = "classifier";
    public const string Wasserstein = "wasserstein";
    public const string Psi = "psi";
    public const string JensenShannon = "js";
    public const string ChiSquare = "chi2";
    public const string MeanDistance = "mean_distance";

    /// <summary>Methods that apply to numeric matrices (chi2 needs class labels).</summary>
    public static readonly IReadOnlyList<string> Numeric = [Mmd, Ks, Classifier, Wasserstein, Psi, JensenShannon, MeanDistance];

    /// <summary>What `obs drift` runs when no --method is given.</summary>
    public static readonly IReadOnlyList<string> Default = [Mmd, Ks, Classifier, Wasserstein, Psi];
}

/// <summary>Settings for a drift run; defaults follow Alibi Detect (MMD, KS) and Evidently (thresholds).</summary>
public sealed record DriftOptions
{
    /// <summary>Seed for sampling, permutations and the classifier split: same seed and data, same report.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// Per-side cap for the per-dimension methods (KS, Wasserstein, PSI, JS) and mean distance: every row up to 100,000 is
    /// used, so their values are SciPy's on the whole input. KS p-values are exact up to 10,000 rows and asymptotic beyond,
    /// as SciPy's method='auto'.
    /// </summary>
    public int MaxSamples { get; init; } = 100_000;

    public MmdOptions Mmd { get; init; } = new();
    public KsOptions Ks { get; init; } = new();
    public ClassifierOptions Classifier { get; init; } = new();
    public DistanceOptions Distances { get; init; } = new();
}

/// <summary>MMD² permutation test: Alibi's 100 permutations and p &lt; 0.05; σ from the median heuristic unless set.</summary>
public sealed record MmdOptions
{
    public int Permutations { get; init; } = 100;
    public double Alpha { get; init; } = 0.05;

    /// <summary>Per-side cap: the kernel matrix is (2·cap)² doubles, 128 MB at 2,000.</summary>
    public int MaxSamples { get; init; } = 2_000;

    public double? Sigma { get; init; }
}

/// <summary>Per-dimension KS: α 0.05 after Bonferroni (Alibi's default) or Benjamini–Hochberg.</summary>
public sealed record KsOptions
{
    public double Alpha { get; init; } = 0.05;
    public Correction Correction { get; init; } = Correction.Bonferroni;
}

/// <summary>Domain classifier: drift when held-out ROC AUC &gt; 0.55 (Evidently), 50/50 split.</summary>
public sealed record ClassifierOptions
{
    public double Threshold { get; init; } = 0.55;
    public double TrainFraction { get; init; } = 0.5;
    public int MaxSamples { get; init; } = 2_000;

    /// <summary>Random Fourier features added to the inputs so the classifier is not limited to linear boundaries (0: linear only).</summary>
    public int RandomFeatures { get; init; } = 128;

    /// <summary>Inverse L2 strength, as sklearn's C.</summary>
    public double C { get; init; } = 1.0;
}

/// <summary>Effect-size thresholds (Evidently): a dimension drifts when its distance ≥ 0.1; a matrix when the share of drifted dimensions &gt; 0.2 (Evidently's embedding "ratio").</summary>
public sealed record DistanceOptions
{
    public double WassersteinThreshold { get; init; } = 0.1;
    public double PsiThreshold { get; init; } = 0.1;
    public double JensenShannonThreshold { get; init; } = 0.1;
    public double DriftShare { get; init; } = 0.2;
    public double MeanDistanceThreshold { get; init; } = 0.2;
    public double ChiSquareAlpha { get; init; } = 0.05;
}
