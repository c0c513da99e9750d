using MathNet.Numerics.Distributions;

namespace Observatory.Monitoring.Core.Accuracy;

/// <summary>A 95 % interval around an accuracy: where the window's true accuracy plausibly lies given how few events it counts.</summary>
public sealed record AccuracyInterval(double Lower, double Upper)
{
    /// <summary>The two-sided level of every interval here.</summary>
    public const double Level = 0.95;

    // 1.96: the normal quantile NannyML's CBPE multiplies its sampling error by (a 95 % band).
    private const double Z = 1.96;

    /// <summary>
    /// The exact (Clopper–Pearson) 95 % interval for <paramref name="correct"/> right of <paramref name="count"/> labelled events, as
    /// statsmodels' proportion_confint(method="beta"): lower Beta(k, n−k+1) at 2.5 %, upper Beta(k+1, n−k) at 97.5 %, 0 at k=0 and 1 at k=n.
    /// Exact rather than Wald because a window may have one label, or all right, where a normal approximation collapses to a point.
    /// </summary>
    public static AccuracyInterval ClopperPearson(int correct, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "an interval needs at least one labelled event");
        if (correct < 0 || correct > count) throw new ArgumentOutOfRangeException(nameof(correct), correct, $"correct must be between 0 and {count}");
        var alpha = 1 - Level;
        var lower = correct == 0 ? 0 : Beta.InvCDF(correct, count - correct + 1, alpha / 2);
        var upper = correct == count ? 1 : Beta.InvCDF(correct + 1, count - correct, 1 - alpha / 2);
        return new(lower, upper);
    }

    /// <summary>
    /// The sampling-error band of a label-free estimate (NannyML CBPE): the estimate is the mean of the events' calibrated probabilities
    /// p_i of being right, and its standard error that of the mean of the Bernoulli(p_i) outcomes they imply, √Σp_i(1−p_i) / n;
    /// band = estimate ± 1.96·SE, clipped to [0, 1]. It covers sampling only, not a calibration that no longer fits the traffic.
    /// </summary>
    public static (double Estimate, AccuracyInterval Band) SamplingBand(IReadOnlyList<double> probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.Count == 0) throw new ArgumentException("a band needs at least one event", nameof(probabilities));
        double sum = 0, variance = 0;
        foreach (var p in probabilities)
        {
            sum += p;
            variance += p * (1 - p);
        }
        var n = probabilities.Count;
        var estimate = sum / n;
        var se = Math.Sqrt(variance) / n;
        return (estimate, new(Math.Clamp(estimate - Z * se, 0, 1), Math.Clamp(estimate + Z * se, 0, 1)));
    }
}
