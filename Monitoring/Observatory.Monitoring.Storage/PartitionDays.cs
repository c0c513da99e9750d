using System.Globalization;

namespace Observatory.Monitoring.Storage;

/// <summary>PostgreSQL's day partitions of events: day n holds ts (UTC ticks) in [n × TicksPerDay, (n + 1) × TicksPerDay).</summary>
internal static class PartitionDays
{
    public const long TicksPerDay = TimeSpan.TicksPerDay;

    public static long DayOf(long ticks) => ticks / TicksPerDay;

    /// <summary>events_pYYYYMMDD: the name migration 11 gives too (both calendars are the proleptic Gregorian one).</summary>
    public static string Name(long day) => "events_p" + new DateTime(day * TicksPerDay, DateTimeKind.Utc).ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The day a partition's name says, or null for a table that is not a day partition (events_default).</summary>
    public static long? DayOfName(string name) =>
        name.StartsWith("events_p", StringComparison.Ordinal)
        && DateTime.TryParseExact(name["events_p".Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d)
            ? DayOf(d.Ticks)
            : null;
}
