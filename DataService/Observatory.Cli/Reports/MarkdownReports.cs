using System.Globalization;
using System.Text;
using Observatory.Cli.Commands;
using Observatory.DataService.Core.Annotations;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Pointers;
using Observatory.DataService.Core.Validation;
using static System.FormattableString;

namespace Observatory.Cli.Reports;

/// <summary>
/// The <c>--md</c> outputs of <c>obs diff</c>, <c>validate</c>, <c>log</c> and <c>metrics</c>: a pull-request comment a reviewer
/// reads top-down — a headline with the counts, the tables, and long lists folded into <c>&lt;details&gt;</c> or cut with
/// "… and N more" so a big change still fits a comment (GitHub caps a comment at 65,536 characters).
/// </summary>
internal static class MarkdownReports
{
    /// <summary>How many changed files and images a diff lists before it says how many more there are.</summary>
    public const int MaxListed = 50;

    /// <summary>How many findings of one rule a validation report shows as examples.</summary>
    public const int ExamplesPerRule = 5;

    private static readonly HashSet<int> NumbersFrom1 = [1, 2, 3, 4, 5, 6, 7];

    public static string Diff(DiffResult diff, double iou)
    {
        var sb = new StringBuilder();
        var c = diff.Changes;
        var files = c.Added.Count + c.Deleted.Count + c.Modified.Count;
        sb.Append(Invariant($"### Dataset diff: {Markdown.Text(diff.From)} → {Markdown.Text(diff.To)}\n\n"));
        if (files == 0)
        {
            sb.Append("No files changed.\n");
            return sb.ToString();
        }
        sb.Append(Invariant($"**{Plural(files, "file")} changed**: {c.Added.Count} added, {c.Deleted.Count} deleted, {c.Modified.Count} modified · ")
            + $"+{Format.Bytes(diff.BytesAdded)} −{Format.Bytes(diff.BytesDeleted)} · "
            + Invariant($"label files: {diff.Annotations.Added} added, {diff.Annotations.Deleted} deleted, {diff.Annotations.Modified} modified\n"));

        if (diff.BoxesUnavailable is { } why) sb.Append("\n> Boxes not compared: ").Append(Markdown.Text(why)).Append('\n');
        var boxes = diff.Boxes ?? AnnotationChanges.Empty;
        var changed = boxes.ByClass.Where(kv => kv.Value is var v && (v.Added + v.Removed + v.Moved + v.Relabelled > 0 || v.Before != v.After)).ToList();
        if (changed.Count > 0)
        {
            sb.Append(Invariant($"\n#### Boxes per class\n\nA box counts as the same box at IoU ≥ {iou.ToString(CultureInfo.InvariantCulture)}; relabelled boxes count under their new class.\n\n"));
            Markdown.Table(sb, ["Class", "Added", "Removed", "Moved", "Relabelled", "Before", "After", "Change"],
                changed.Select(kv => (IReadOnlyList<string>)[Markdown.Text(kv.Key), N(kv.Value.Added), N(kv.Value.Removed), N(kv.Value.Moved), N(kv.Value.Relabelled),
                    N(kv.Value.Before), N(kv.Value.After), Signed(kv.Value.After - kv.Value.Before)]), NumbersFrom1);
            sb.Append(Invariant($"\n<details><summary>{Plural(boxes.Images.Count, "image")} with changed boxes</summary>\n\n"));
            Markdown.Table(sb, ["Image", "Added", "Removed", "Moved", "Relabelled"],
                boxes.Images.Take(MaxListed).Select(i => (IReadOnlyList<string>)[Markdown.Text(i.Path), N(i.Added), N(i.Removed), N(i.Moved), N(i.Relabelled)]), NumbersFrom1);
            More(sb, boxes.Images.Count, "obs diff --json");
            sb.Append("\n</details>\n");
        }

        sb.Append(Invariant($"\n<details><summary>Changed files ({files})</summary>\n\n"));
        var rows = c.Added.Select(x => (IReadOnlyList<string>)["added", Markdown.Text(x.Path), Format.Bytes(x.New!.Size)])
            .Concat(c.Deleted.Select(x => (IReadOnlyList<string>)["deleted", Markdown.Text(x.Path), Format.Bytes(x.Old!.Size)]))
            .Concat(c.Modified.Select(x => (IReadOnlyList<string>)["modified", Markdown.Text(x.Path), $"{Format.Bytes(x.Old!.Size)} → {Format.Bytes(x.New!.Size)}"]));
        Markdown.Table(sb, ["Change", "Path", "Size"], rows.Take(MaxListed), new HashSet<int> { 2 });
        More(sb, files, "obs diff --json");
        sb.Append("\n</details>\n");
        return sb.ToString();
    }

    public static string Validation(IReadOnlyList<ValidationReport> reports, int examplesPerRule = ExamplesPerRule)
    {
        var sb = new StringBuilder();
        foreach (var report in reports)
        {
            if (sb.Length > 0) sb.Append('\n');
            var s = report.Summary;
            var mark = s.Errors > 0 ? "❌" : s.Warnings > 0 ? "⚠️" : "✅";
            sb.Append(Invariant($"### {mark} Validation of {Markdown.Text(report.Dataset)}: {Plural(s.Errors, "error")}, {Plural(s.Warnings, "warning")}\n\n"));
            sb.Append(Invariant($"{Plural(report.Files, "file")} checked · {Plural(s.Errors, "error")} · {Plural(s.Warnings, "warning")} · {s.Info} info\n"));
            var groups = report.Findings.GroupBy(f => f.Rule)
                .Select(g => (Rule: g.Key, Severity: g.Max(f => f.Severity), Items: g.ToList()))
                .OrderByDescending(g => g.Severity).ThenBy(g => g.Rule, StringComparer.Ordinal)
                .ToList();
            if (groups.Count > 0)
            {
                sb.Append('\n');
                Markdown.Table(sb, ["Severity", "Rule", "Findings", "What it checks"],
                    groups.Select(g => (IReadOnlyList<string>)[Label(g.Severity), Code(g.Rule), N(g.Items.Count),
                        RuleCatalog.TryGet(g.Rule, out var info) ? Markdown.Text(info.Description) : ""]), new HashSet<int> { 2 });
                foreach (var g in groups)
                {
                    sb.Append(Invariant($"\n**{Label(g.Severity)} {Code(g.Rule)}** ({g.Items.Count})\n\n"));
                    foreach (var f in g.Items.Take(examplesPerRule))
                    {
                        sb.Append("- ").Append(Markdown.Text(f.Path));
                        if (f.Line is { } line) sb.Append(Invariant($":{line}"));
                        if (f.AnnotationId is { } id) sb.Append(" \\[").Append(Markdown.Text(id)).Append("\\]");
                        sb.Append(": ").Append(Markdown.Text(f.Message)).Append('\n');
                    }
                    if (g.Items.Count > examplesPerRule) sb.Append(Invariant($"- … and {g.Items.Count - examplesPerRule} more\n"));
                }
            }
            if (report.ClassBalance is { Classes.Count: > 0 } balance)
            {
                var ratio = balance.ImbalanceRatio is { } r ? Invariant($", imbalance ratio {r:0.##}") : "";
                sb.Append(Invariant($"\n<details><summary>Class balance ({Markdown.Text(balance.Source)}{ratio})</summary>\n\n"));
                var total = Math.Max(1, balance.Classes.Sum(x => x.Count));
                Markdown.Table(sb, ["Class", "Objects", "Share"],
                    balance.Classes.Select(x => (IReadOnlyList<string>)[Markdown.Text(x.Name), N(x.Count), Invariant($"{100.0 * x.Count / total:0.0}%")]), new HashSet<int> { 1, 2 });
                sb.Append("\n</details>\n");
            }
        }
        return sb.ToString();
    }

    public static string Log(IReadOnlyList<DatasetVersion> versions)
    {
        var sb = new StringBuilder("### Dataset versions\n\n");
        if (versions.Count == 0) return sb.Append("No committed versions yet.\n").ToString();
        Markdown.Table(sb, ["Commit", "Tags", "Date", "Dataset", "Files", "Size", "Validation", "From export", "Message"],
            versions.Select(v => (IReadOnlyList<string>)[Code(v.Commit[..Math.Min(10, v.Commit.Length)]), Markdown.Text(string.Join(", ", v.Tags)),
                v.Date.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), Markdown.Text(v.Dataset), N(v.Pointer.Files), Format.Bytes(v.Pointer.Bytes),
                Markdown.Text(ValidationCell(v.Pointer)), Markdown.Text(v.Pointer.Export is { } e ? Export(e) : ""), Markdown.Text(v.Message.Split('\n')[0])]),
            new HashSet<int> { 4, 5 });
        return sb.ToString();
    }

    /// <summary>The validation status as <c>obs log</c> prints it.</summary>
    public static string ValidationCell(PointerFile p) => p.Validation is { } s ? Invariant($"{s.Errors} errors, {s.Warnings} warnings") : "not validated";

    /// <summary>One line of where the images came from: the export, its model and version, the window and the selection.</summary>
    public static string Export(PointerExport e) =>
        $"{e.Id} of {e.Model}{(e.ModelVersion is null ? "" : " " + e.ModelVersion)} at {e.Service}, window {Stamp(e.WindowStart)} – {Stamp(e.WindowEnd)}, {e.Select} ×{e.Count}";

    public static string MetricsShow(string label, IEnumerable<IReadOnlyList<string>> rows)
    {
        var sb = new StringBuilder(Invariant($"### Metrics at {Markdown.Text(label)}\n\n"));
        var list = rows.ToList();
        if (list.Count == 0) return sb.Append("No metrics files.\n").ToString();
        Markdown.Table(sb, ["Path", "Metric", "Value"], list.Select(Escape), new HashSet<int> { 2 });
        return sb.ToString();
    }

    public static string MetricsDiff(string oldLabel, string newLabel, IEnumerable<IReadOnlyList<string>> rows)
    {
        var sb = new StringBuilder(Invariant($"### Metrics: {Markdown.Text(oldLabel)} → {Markdown.Text(newLabel)}\n\n"));
        var list = rows.ToList();
        if (list.Count == 0) return sb.Append("No metrics changed.\n").ToString();
        Markdown.Table(sb, ["Path", "Metric", Markdown.Text(oldLabel), Markdown.Text(newLabel), "Change"], list.Select(Escape), new HashSet<int> { 2, 3, 4 });
        return sb.ToString();
    }

    private static IReadOnlyList<string> Escape(IReadOnlyList<string> row) => row.Select(Markdown.Text).ToList();

    private static void More(StringBuilder sb, int total, string command)
    {
        if (total > MaxListed) sb.Append(Invariant($"\n… and {total - MaxListed} more (see `{command}`)\n"));
    }

    /// <summary>Rule ids are identifiers (letters, digits, '.', '_'), safe inside a code span.</summary>
    private static string Code(string identifier) => identifier.Contains('`', StringComparison.Ordinal) ? Markdown.Text(identifier) : $"`{identifier}`";

    private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Signed(long n) => n >= 0 ? Invariant($"+{n}") : Invariant($"−{-n}");

    private static string Plural(long n, string word) => n == 1 ? $"1 {word}" : Invariant($"{n} {word}s");

    private static string Label(Severity s) => s switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "info",
    };

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
}
