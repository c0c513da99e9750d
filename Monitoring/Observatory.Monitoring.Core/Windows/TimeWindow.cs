namespace Observatory.Monitoring.Core.Windows;

/// <summary>A half-open interval [Start, End) of event timestamps.</summary>
public readonly record struct TimeWindow(DateTimeOffset Start, DateTimeOffset End)
{
    public TimeSpan Length => End - Start;

    public bool Contains(DateTimeOffset t) => t >= Start && t < End;

    /// <summary>The window of the given length that ends at <paramref name="now"/> (the most recent events).</summary>
    public static TimeWindow Trailing(DateTimeOffset now, TimeSpan length)
    {
        if (length <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(length), "window length must be positive");
        return new(now - length, now);
    }

    /// <summary>Consecutive windows of <paramref name="length"/> covering [start, end); the last one may be shorter.</summary>
    public static IReadOnlyList<TimeWindow> Tile(DateTimeOffset start, DateTimeOffset end, TimeSpan length)
    {
        if (length <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(length), "window length must be positive");
        var list = new List<TimeWindow>();
        for (var s = start; s < end; s += length) list.Add(new(s, s + length < end ? s + length : end));
        return list;
    }
}
