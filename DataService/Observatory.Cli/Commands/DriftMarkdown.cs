using Observatory.Monitoring.Core.Drift;

namespace Observatory.Cli.Commands;

/// <summary>
/// `obs drift --md`: GitHub Markdown for a pull-request comment — the verdict line with its policy, the two samples, then one
/// table row per method; the "vote" column shows what each deciding method was compared with under the policy's correction.
/// </summary>
internal static class DriftMarkdown
{
    public static void Write(TextWriter output, DriftReport report)
    {
        var policy = report.Policy ?? throw new InvalidOperationException("the report has no verdict");
        var voted = policy.Votes.Where(v => v.Drifted).Select(v => $"`{v.Method}`").ToList();
        output.WriteLine(report.Drift == true
            ? $"**Drift: yes** ({string.Join(", ", voted)} voted drift) — policy `{policy.Name}`: {policy.Description}"
            : $"**Drift: no** — policy `{policy.Name}`: {policy.Description}");
        output.WriteLine();
        output.WriteLine($"Reference {Reports.Markdown.Text(report.Reference.Path ?? "")} (n = {report.Reference.N}, d = {report.Reference.D}) · current {Reports.Markdown.Text(report.Current.Path ?? "")} (n = {report.Current.N}, d = {report.Current.D})");
        output.WriteLine();
        var rows = report.Methods.Select(m =>
        {
            var vote = policy.Votes.FirstOrDefault(v => v.Method == m.Method);
            return (IReadOnlyList<string>)
            [
                $"`{m.Method}`",
                DriftCommand.Format(m.Statistic),
                m.PValue is { } p ? DriftCommand.Format(p) : "–",
                DriftCommand.Format(m.Threshold),
                m.Drifted ? "yes" : "no",
                DriftCommand.RowsUsed(m),
                vote is null ? "–" : $"{(vote.Basis == "p_value" ? "p" : "statistic")} vs {DriftCommand.Format(vote.Threshold)}: **{(vote.Drifted ? "drift" : "no drift")}**",
            ];
        });
        var table = new System.Text.StringBuilder();
        Reports.Markdown.Table(table, ["method", "statistic", "p-value", "threshold", "drifted", "rows used (ref / cur)", "vote"], rows, rightAligned: new HashSet<int> { 1, 2, 3 });
        output.Write(table.ToString());
        if (policy.Notes.Count == 0) return;
        output.WriteLine();
        foreach (var note in policy.Notes) output.WriteLine($"- {note}");
    }
}
