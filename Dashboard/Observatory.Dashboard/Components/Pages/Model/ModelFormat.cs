using System.Globalization;
using Observatory.Dashboard.Services;
using Radzen.Blazor;

namespace Observatory.Dashboard.Components.Pages.ModelFeatures;

/// <summary>How the Model page's cards write statistics and lay out their time axes, so every chart reads alike.</summary>
internal static class ModelFormat
{
    public static string Num(double? v) => v is null ? "—" : v.Value.ToString("0.###", CultureInfo.InvariantCulture);

    public static string PValue(double? v) => v is null ? "—" : v.Value < 0.001 ? "< 0.001" : v.Value.ToString("0.###", CultureInfo.InvariantCulture);

    public static string Percent(double v) => v.ToString("P0", CultureInfo.InvariantCulture);

    /// <summary>
    /// One window on a time axis gets a two-day span with its end labels cut off by the plot edge; a single text category centres
    /// the point under one readable label instead.
    /// </summary>
    public static string Category(int points) => points == 1 ? nameof(MethodPoint.Label) : nameof(MethodPoint.At);

    /// <summary>A dot per window helps with a few windows; hundreds of dots only cost render time and hide the line.</summary>
    public static MarkerType Markers(int points) => points <= 60 ? MarkerType.Circle : MarkerType.None;
}
