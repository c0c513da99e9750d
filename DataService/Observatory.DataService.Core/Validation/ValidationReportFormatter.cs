using System.Globalization;
using System.Text;

namespace Observatory.DataService.Core.Validation;

/// <summary>
/// The human-readable report of <c>obs validate</c>: a headline, counts per rule (errors first), then the findings grouped by rule,
/// at most <paramref name="maxPerRule"/> listed per rule, then the class balance. The CLI only prints the returned text.
/// </summary>
public static class ValidationReportFormatter
{
    public static string Format(ValidationReport report, int maxPerRule = 20)
    {
        var sb = new StringBuilder();
        var s = report.Summary;
        sb.Append(CultureInfo.InvariantCulture,
            $"Validated {report.Dataset}: {report.Files} files — {Plural(s.Errors, "error")}, {Plural(s.Warnings, "warning")}, {s.Info} info\n");
        if (report.Findings.Count == 0) return sb.ToString();
        var groups = report.Findings.GroupBy(f => f.Rule)
            .Select(g => (Rule: g.Key, Severity: g.Max(f => f.Severity), Items: g.ToList()))
            .OrderByDescending(g => g.Severity).ThenBy(g => g.Rule, StringComparer.Ordinal)
            .ToList();
        var width = groups.Max(g => g.Rule.Length);
        sb.Append('\n');
        foreach (var g in groups)
            sb.Append(CultureInfo.InvariantCulture, $"  {Label(g.Severity),-7} {g.Rule.PadRight(width)} {g.Items.Count,6}\n");
        foreach (var g in groups)
        {
            sb.Append('\n');
            var description = RuleCatalog.TryGet(g.Rule, out var info) ? $" — {info.Description}" : "";
            sb.Append(CultureInfo.InvariantCulture, $"{Label(g.Severity)} {g.Rule} ({g.Items.Count}){description}\n");
            foreach (var f in g.Items.Take(maxPerRule))
            {
                sb.Append("  ").Append(f.Path);
                if (f.Line is { } line) sb.Append(CultureInfo.InvariantCulture, $":{line}");
                if (f.AnnotationId is { } id) sb.Append(" [").Append(id).Append(']');
                sb.Append(": ").Append(f.Message).Append('\n');
            }
            if (g.Items.Count > maxPerRule)
                sb.Append(CultureInfo.InvariantCulture, $"  … {g.Items.Count - maxPerRule} more (see --json)\n");
        }
        if (report.ClassBalance is { } balance)
        {
            sb.Append('\n').Append(CultureInfo.InvariantCulture, $"Class balance ({balance.Source})");
            if (balance.ImbalanceRatio is { } r) sb.Append(CultureInfo.InvariantCulture, $", imbalance ratio {r:0.##}");
            sb.Append('\n');
            var nameWidth = balance.Classes.Count == 0 ? 0 : balance.Classes.Max(c => c.Name.Length);
            var total = Math.Max(1, balance.Classes.Sum(c => c.Count));
            foreach (var c in balance.Classes)
                sb.Append(CultureInfo.InvariantCulture, $"  {c.Name.PadRight(nameWidth)} {c.Count,8} {100.0 * c.Count / total,6:0.0}%\n");
        }
        return sb.ToString();
    }

    private static string Label(Severity s) => s switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "info",
    };

    private static string Plural(int n, string word) => n == 1 ? $"1 {word}" : $"{n} {word}s";
}
