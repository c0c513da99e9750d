using Observatory.Monitoring.Contracts;

namespace Observatory.Reports;

/// <summary>
/// The one place a report decides what it calls "drifted": the report's own verdict — the service's for a window, `obs drift`'s
/// policy verdict for two files (set by the CLI before rendering) — else, for results stored before verdicts, any method's.
/// </summary>
public static class ReportVerdict
{
    public static bool Drifted(DriftRunReport report) => report.Drifted ?? report.Methods.Any(m => m.Drifted);

    /// <summary>A window: the service's stored flag, else any of its embedding, prediction or confidence verdicts (image statistics stay a diagnostic, as on the Model page).</summary>
    public static bool Drifted(DriftRun run, bool? storedFlag = null) =>
        storedFlag == true || run.Window.Flagged
        || new[] { run.Embedding, run.Prediction, run.Confidence }.Any(r => r is not null && Drifted(r));
}
