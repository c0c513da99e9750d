using System.Globalization;
using System.Text.Json;
using Observatory.DataService.Core.Queries;
using Radzen;

namespace Observatory.Dashboard.Components;

/// <summary>How numbers and dates read on every page (invariant culture, UTC).</summary>
public static class Format
{
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double v = bytes;
        var u = 0;
        while (Math.Abs(v) >= 1024 && u < units.Length - 1) { v /= 1024; u++; }
        return u == 0 ? $"{bytes.ToString("N0", CultureInfo.InvariantCulture)} B" : $"{v.ToString(v < 10 ? "0.0" : "0", CultureInfo.InvariantCulture)} {units[u]}";
    }

    /// <summary>An enum value as the Monitoring API writes it ("firing", "critical"), so pages and filters speak the API's words.</summary>
    public static string Name<T>(T value) where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string Date(DateTimeOffset d) => d.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>For grid columns whose title says "(UTC)".</summary>
    public static string ShortDate(DateTimeOffset d) => d.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static BadgeStyle ValidationStyle(VersionValidation? v) => v?.Status switch
    {
        "failed" => BadgeStyle.Danger,
        "warnings" => BadgeStyle.Warning,
        "passed" => BadgeStyle.Success,
        _ => BadgeStyle.Light,
    };

    public static string ValidationText(VersionValidation? v) => v is null ? "not validated" : v.Status switch
    {
        "failed" => $"{v.Errors} error{(v.Errors == 1 ? "" : "s")}, {v.Warnings} warning{(v.Warnings == 1 ? "" : "s")}",
        "warnings" => $"{v.Warnings} warning{(v.Warnings == 1 ? "" : "s")}",
        _ => "passed",
    };
}
