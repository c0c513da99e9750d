using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Drift;
using Observatory.Reports;

namespace Observatory.Cli.Reports;

/// <summary>A drift report of two embedding files: the methods `obs drift` runs by default, published as the service publishes a window.</summary>
internal static class FileDriftReports
{
    /// <summary>Rows per side the outlier search looks at (brute force nearest neighbour: cost grows with the product).</summary>
    public const int OutlierRows = 2000;

    public static DriftReportInput Build(DataMatrix reference, DataMatrix current, string referencePath, string currentPath, TimeProvider time,
        Action<string> progress, CancellationToken ct)
    {
        progress($"running {string.Join(", ", DriftMethodNames.Default)} on {reference.Rows:#,0} × {reference.Cols} reference and {current.Rows:#,0} × {current.Cols} current rows");
        // The verdict is `obs drift`'s own: its default policy over the same methods, so the report and the command never disagree.
        var report = DriftRunner.Run(reference, current, DriftMethodNames.Default, new DriftOptions(), referencePath, currentPath, ct).WithVerdict(DriftPolicy.Default);
        var run = DriftRuns.Create(new WindowResult { EventCount = 0 }, report, null, null, null, null, null, null);
        run = run with
        {
            Window = run.Window with { EmbeddingDrift = report.Drift },
            Embedding = run.Embedding! with { Drifted = report.Drift },
        };
        progress("finding the current rows farthest from the reference");
        var refRows = Rows(reference);
        var curRows = Rows(current);
        var nearest = Outliers.NearestReference(refRows.Select(r => r.Vector).ToList(), curRows.Select(r => r.Vector).ToList(), ct);
        var outliers = Outliers.Largest(nearest.Select(n => n.Distance).ToList(), WindowReports.OutlierCount)
            .Select(i => new ReportOutlier($"current row {curRows[i].Row}", nearest[i].Distance, $"nearest reference row {refRows[nearest[i].Index].Row}", null)).ToList();
        var typical = Outliers.Typical(refRows.Select(r => r.Vector).ToList(), WindowReports.OutlierCount)
            .Select(t => new ReportOutlier($"reference row {refRows[t.Index].Row}", t.Distance, "distance to the reference mean", null)).ToList();
        var notes = new List<string>();
        if (reference.Rows > OutlierRows || current.Rows > OutlierRows)
            notes.Add($"Outliers were searched among {Math.Min(current.Rows, OutlierRows):#,0} evenly spaced current rows and {Math.Min(reference.Rows, OutlierRows):#,0} reference rows.");
        notes.Add("Embedding files carry no images: outliers are listed by row number.");
        return new DriftReportInput("Drift report", $"{Path.GetFileName(referencePath)} → {Path.GetFileName(currentPath)}", run, time.GetUtcNow())
        {
            Outliers = outliers,
            Typical = typical,
            Notes = notes,
        };
    }

    /// <summary>Evenly spaced rows (all when few), with their row numbers in the file.</summary>
    private static List<(int Row, float[] Vector)> Rows(DataMatrix m)
    {
        var step = Math.Max(1, (m.Rows + OutlierRows - 1) / OutlierRows);
        var rows = new List<(int, float[])>();
        for (var i = 0; i < m.Rows; i += step)
        {
            var v = new float[m.Cols];
            var src = m.Row(i);
            for (var j = 0; j < v.Length; j++) v[j] = (float)src[j];
            rows.Add((i, v));
        }
        return rows;
    }
}
