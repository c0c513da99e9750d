using Observatory.Monitoring.Contracts;

namespace Observatory.Reports;

/// <summary>
/// The one place a report decides what it calls "drifted". Today the report's own verdict when the service recorded one, else any
/// method's; when `obs drift` publishes a top-level verdict, only this changes.
/// </summary>
public static class ReportVerdict
{
    public static bool Drifted(DriftRunReport report) => report.Drifted ?? report.Methods.Any(m => m.Drifted);

    /// <summary>A window: the service's stored flag, else any of its embedding, prediction or confidence verdicts (image statistics stay a diagnostic, as on the Model page).</summary>
    public static bool Drifted(DriftRun run, bool? storedFlag = null) =>
        storedFlag == true || run.Window.Flagged
        || new[] { run.Embedding, run.Prediction, run.Confidence }.Any(r => r is not null && Drifted(r));
}
