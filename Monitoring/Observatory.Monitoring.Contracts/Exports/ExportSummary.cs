namespace Observatory.Monitoring.Contracts;

/// <summary>An export as GET /api/models/{m}/exports lists it: its manifest without the items (<see cref="ItemCount"/> of them).</summary>
public sealed record ExportSummary(string Id, string Model, string? ModelVersion, DateTimeOffset WindowStart, DateTimeOffset WindowEnd,
    ExportSelection Select, int Count, ExportFormat Format, DateTimeOffset CreatedAt, int ItemCount, string? Note)
{
    public static ExportSummary Of(ExportManifest m) =>
        new(m.Id, m.Model, m.ModelVersion, m.WindowStart, m.WindowEnd, m.Select, m.Count, m.Format, m.CreatedAt, m.Items.Count, m.Note);
}
