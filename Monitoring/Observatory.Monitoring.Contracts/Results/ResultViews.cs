namespace Observatory.Monitoring.Contracts;

/// <summary>
/// One stored drift window as GET /api/models/{model}/drift lists it: the window, whether it was flagged, its headline statistic
/// (<see cref="Value"/>: the first embedding method's), and the full run. A series that was thinned says how many windows the range
/// held in the X-Total-Count header.
/// </summary>
public sealed record DriftWindowResult(DateTimeOffset WindowStart, DateTimeOffset WindowEnd, int EventCount, bool Flagged, double? Value, DateTimeOffset CreatedAt, DriftRun Details);

/// <summary>One stored accuracy window as GET /api/models/{model}/accuracy lists it; <see cref="Value"/> is the measured accuracy, else the estimate.</summary>
public sealed record AccuracyWindowResult(DateTimeOffset WindowStart, DateTimeOffset WindowEnd, int EventCount, bool Flagged, double? Value, DateTimeOffset CreatedAt, AccuracyRun Details);

/// <summary>Header of a thinned series: how many results the requested range holds before thinning.</summary>
public static class SeriesHeaders
{
    public const string TotalCount = "X-Total-Count";
}

/// <summary>
/// A series as a client holds it: the listed points (the body) and how many results the range held before the service thinned it
/// (<see cref="SeriesHeaders.TotalCount"/>; the points' count when the header is absent).
/// </summary>
public sealed record SeriesPage<T>(IReadOnlyList<T> Points, int Total);
