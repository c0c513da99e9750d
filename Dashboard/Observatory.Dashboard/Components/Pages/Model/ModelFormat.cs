using System.Globalization;
using Observatory.Dashboard.Services;
using Radzen.Blazor;

namespace Observatory.Dashboard.Components.Pages.ModelFeatures;

/// <summary>How the Model page's cards write statistics and lay out their time axes, so every chart reads alike.</summary>
public static class ModelFormat
{
    public static string Num(double? v) => v is null ? "—" : v.Value.ToString("0.###", CultureInfo.InvariantCulture);

    public static string PValue(double? v) => v is null ? "—" : v.Value < 0.001 ? "< 0.001" : v.Value.ToString("0.###", CultureInfo.InvariantCulture);

    public static string Percent(double v) => v.ToString("P0", CultureInfo.InvariantCulture);

    /// <summary>
    /// One window on a time axis gets a two-day span with its end labels cut off by the plot edge; a single text category centres
    /// the point under one readable label instead.
    /// </summary>
    public static string Category(int points) => points == 1 ? nameof(MethodPoint.Label) : nameof(MethodPoint.At);

    /// <summary>
    /// A time axis' tick format chosen from the span of its points, so ticks are distinct and no longer than needed: seconds for
    /// windows minutes apart, the hour within a day, the day within a month, the date beyond.
    /// </summary>
    public static string TickFormat(IEnumerable<DateTime> points)
    {
        var (min, max) = (DateTime.MaxValue, DateTime.MinValue);
        foreach (var p in points) (min, max) = (p < min ? p : min, p > max ? p : max);
        var span = max >= min ? max - min : TimeSpan.Zero;
        return span <= TimeSpan.FromMinutes(30) ? "{0:HH:mm:ss}"
            : span <= TimeSpan.FromDays(1) ? "{0:HH:mm}"
            : span <= TimeSpan.FromDays(60) ? "{0:MM-dd HH:mm}"
            : "{0:yyyy-MM-dd}";
    }

    /// <summary>What a drift method's statistic measures and when it counts as drift, in one line (methods as `obs drift --method` names them).</summary>
    public static string Explain(string method, bool onPValue)
    {
        var (subject, name) = method.StartsWith("prediction ", StringComparison.Ordinal) ? ("predicted classes", method["prediction ".Length..])
            : method.StartsWith("confidence ", StringComparison.Ordinal) ? ("confidences", method["confidence ".Length..])
            : ("embeddings", method);
        var what = name switch
        {
            "mmd" => $"maximum mean discrepancy between reference and window {subject} (0 = same distribution)",
            "ks" => $"Kolmogorov–Smirnov: the largest gap between the cumulative distributions of reference and window {subject}, per dimension",
            "wasserstein" => $"Wasserstein (earth mover's) distance between reference and window {subject}, normed by the reference's spread",
            "chi2" or "chi-square" or "chisquare" => $"chi-square test of the window's {subject} shares against the reference's",
            "psi" => $"population stability index of the window's {subject} against the reference (0 = unchanged)",
            "js" or "jensen-shannon" => $"Jensen–Shannon distance between reference and window {subject} (0 = same)",
            _ => $"{name} statistic comparing reference and window {subject}",
        };
        var rule = onPValue ? "drift when its p-value falls below α (the dashed line of the p-value chart)" : "drift when it rises above the dashed threshold";
        return $"{char.ToUpperInvariant(what[0])}{what[1..]}; {rule}.";
    }

    /// <summary>A dot per window helps with a few windows; hundreds of dots only cost render time and hide the line.</summary>
    public static MarkerType Markers(int points) => points <= 60 ? MarkerType.Circle : MarkerType.None;
}
