using System.Text;
using Observatory.DataService.Core.Queries;
using Observatory.Monitoring.Contracts;
using static Observatory.Reports.HtmlPage;

namespace Observatory.Reports;

/// <summary>
/// Renders reports as one self-contained HTML file: no script, no external reference, every image inline. Pure: the same input gives
/// the same bytes, so `obs report` and the dashboard's download are the same file.
/// </summary>
public static class HtmlReports
{
    /// <summary>Rows of a table beyond this are summarised ("… and 1,204 more"): a report is read, not searched.</summary>
    public const int MaxRows = 200;

    /// <summary>The policy every report carries in a meta tag; a server handing a report out sends it as the header too.</summary>
    public const string ContentSecurityPolicy = HtmlPage.Policy;

    /// <summary>Two dataset versions: per dataset the diff, class balance before/after, box changes and validation findings with thumbnails.</summary>
    public static string Render(DatasetVersionsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var page = new HtmlPage($"Dataset report: {report.From} → {report.To}",
            string.Join(", ", report.Datasets.Select(d => d.Diff.Dataset)), report.Generated);
        foreach (var d in report.Datasets) page.Raw(Dataset(d));
        if (report.Datasets.Count == 0) page.Raw("<section><p class=\"muted\">No dataset was compared.</p></section>");
        return page.ToString();
    }

    private static string Dataset(DatasetComparison d)
    {
        var diff = d.Diff;
        var sb = new StringBuilder();
        sb.Append("<section data-testid=\"dataset\" data-dataset=\"").Append(E(diff.Dataset)).Append("\"><h2>").Append(E(diff.Dataset)).Append("</h2>")
          .Append("<p class=\"muted\"><code>").Append(E(diff.From)).Append("</code> (").Append(E(Short(diff.FromCommit))).Append(") → <code>")
          .Append(E(diff.To)).Append("</code> (").Append(E(Short(diff.ToCommit))).Append(")</p>");
        foreach (var note in d.Notes) sb.Append("<p class=\"muted\" data-testid=\"note\">").Append(E(note)).Append("</p>");
        var annotationFiles = diff.Annotations.Added + diff.Annotations.Deleted + diff.Annotations.Modified;
        sb.Append("<div class=\"stats\" data-testid=\"diff-summary\">")
          .Append(Stat(diff.Added, $"added ({Bytes(diff.BytesAdded)})", "diff-added"))
          .Append(Stat(diff.Deleted, $"deleted ({Bytes(diff.BytesDeleted)})", "diff-deleted"))
          .Append(Stat(diff.Modified, "modified", "diff-modified"))
          .Append(Stat(annotationFiles, "annotation files changed", "diff-annotations"))
          .Append("</div>");

        sb.Append(ClassBalance(d));
        sb.Append(BoxChanges(diff));
        sb.Append(ChangedFiles(diff));
        if (d.Relabelled.Count > 0)
        {
            sb.Append("<h3>Labels changed: before and after</h3><div class=\"thumbs\">");
            foreach (var p in d.Relabelled)
                sb.Append("<div class=\"pair\" data-testid=\"relabelled\">").Append(Thumbnail(p.Before, "before: " + BoxSummary(p.Before.Boxes)))
                  .Append(Thumbnail(p.After, "after: " + BoxSummary(p.After.Boxes))).Append("</div>");
            sb.Append("</div>");
        }
        sb.Append(Validation(d));
        return sb.Append("</section>").ToString();
    }

    private static string ClassBalance(DatasetComparison d)
    {
        if (d.Before is null && d.After is null) return "";
        var names = new SortedDictionary<int, string>();
        foreach (var c in (d.Before?.Classes ?? []).Concat(d.After?.Classes ?? [])) names[c.Id] = c.Name;
        var before = d.Before?.Classes.ToDictionary(c => c.Id, c => c.Count) ?? [];
        var after = d.After?.Classes.ToDictionary(c => c.Id, c => c.Count) ?? [];
        var sb = new StringBuilder("<h3>Class balance (objects per class)</h3>");
        if (names.Count == 0) return sb.Append("<p class=\"muted\">Neither version has YOLO label files with boxes.</p>").ToString();
        var rows = names.Select(kv => new Charts.Pair(kv.Value, before.GetValueOrDefault(kv.Key), after.GetValueOrDefault(kv.Key))).ToList();
        sb.Append(Charts.Legend(d.Diff.From, d.Diff.To));
        // The chart keeps the busiest classes; the table below lists every one.
        sb.Append(Charts.PairedBars(rows.OrderByDescending(r => Math.Max(r.Before ?? 0, r.After ?? 0)).Take(40).ToList(), v => N(v, "#,0"), "class-balance-chart"));
        sb.Append("<table data-testid=\"class-balance\"><tr><th>class</th><th class=\"n\">").Append(E(d.Diff.From)).Append("</th><th class=\"n\">")
          .Append(E(d.Diff.To)).Append("</th><th class=\"n\">change</th><th class=\"n\">share before → after</th></tr>");
        double tb = Math.Max(1, d.Before?.Objects ?? 0), ta = Math.Max(1, d.After?.Objects ?? 0);
        foreach (var (id, name) in names)
        {
            int b = before.GetValueOrDefault(id), a = after.GetValueOrDefault(id);
            sb.Append("<tr><td>").Append(E(name)).Append(" <span class=\"muted\">(").Append(id).Append(")</span></td><td class=\"n\">").Append(b)
              .Append("</td><td class=\"n\">").Append(a).Append("</td><td class=\"n\">").Append(a - b >= 0 ? "+" : "").Append(a - b)
              .Append("</td><td class=\"n\">").Append(E(Pct(b / tb))).Append(" → ").Append(E(Pct(a / ta))).Append("</td></tr>");
        }
        sb.Append("</table><p class=\"muted\">")
          .Append(d.Before is { } vb ? $"{vb.Objects:#,0} objects in {vb.LabelFiles:#,0} label files" : "no label files").Append(" → ")
          .Append(d.After is { } va ? $"{va.Objects:#,0} objects in {va.LabelFiles:#,0} label files" : "no label files").Append("</p>");
        return sb.ToString();
    }

    private static string BoxChanges(DiffView diff)
    {
        if (diff.BoxesUnavailable is { } why) return $"<h3>Box changes</h3><p class=\"muted\" data-testid=\"boxes-unavailable\">Boxes not compared: {E(why)}</p>";
        if (diff.Boxes is not { } boxes) return "";
        var changed = boxes.ByClass.Where(kv => kv.Value is var v && (v.Added + v.Removed + v.Moved + v.Relabelled > 0 || v.Before != v.After)).ToList();
        if (changed.Count == 0) return "<h3>Box changes</h3><p class=\"muted\">No box changed.</p>";
        var sb = new StringBuilder("<h3>Box changes per class</h3><table data-testid=\"box-changes\"><tr><th>class</th><th class=\"n\">added</th><th class=\"n\">removed</th><th class=\"n\">moved</th><th class=\"n\">relabelled</th><th class=\"n\">boxes before → after</th></tr>");
        foreach (var (cls, v) in changed)
            sb.Append("<tr><td>").Append(E(cls)).Append("</td><td class=\"n\">").Append(v.Added).Append("</td><td class=\"n\">").Append(v.Removed)
              .Append("</td><td class=\"n\">").Append(v.Moved).Append("</td><td class=\"n\">").Append(v.Relabelled).Append("</td><td class=\"n\">")
              .Append(v.Before).Append(" → ").Append(v.After).Append("</td></tr>");
        return sb.Append("</table><p class=\"muted\">").Append(boxes.Images.Count).Append(" images with changed boxes</p>").ToString();
    }

    private static string ChangedFiles(DiffView diff)
    {
        var sb = new StringBuilder("<h3>Changed files</h3>");
        if (diff.Files.Count == 0) return sb.Append("<p class=\"muted\">The two versions hold the same files.</p>").ToString();
        sb.Append("<table data-testid=\"changed-files\"><tr><th>change</th><th>file</th><th class=\"n\">old size</th><th class=\"n\">new size</th></tr>");
        foreach (var f in diff.Files.Take(MaxRows))
            sb.Append("<tr><td><span class=\"badge ").Append(E(f.Change)).Append("\">").Append(E(f.Change)).Append("</span></td><td class=\"path\">")
              .Append(E(Relative(diff.Dataset, f.Path))).Append("</td><td class=\"n\">").Append(f.OldSize is { } o ? Bytes(o) : "—")
              .Append("</td><td class=\"n\">").Append(f.NewSize is { } s ? Bytes(s) : "—").Append("</td></tr>");
        sb.Append("</table>");
        if (diff.Files.Count > MaxRows) sb.Append($"<p class=\"muted\">… and {diff.Files.Count - MaxRows:#,0} more; <code>obs diff</code> lists every file.</p>");
        return sb.ToString();
    }

    private static string Validation(DatasetComparison d)
    {
        var sb = new StringBuilder("<h3>Validation</h3>");
        static string Count(int n, string what) => n == 1 ? $"1 {what}" : $"{n} {what}s";
        string Summary(ReportView? r) => r is null ? "not validated" : $"{Count(r.Summary.Errors, "error")}, {Count(r.Summary.Warnings, "warning")}";
        sb.Append("<p data-testid=\"validation-summary\">").Append(E(d.Diff.From)).Append(": ").Append(E(Summary(d.ValidationBefore)))
          .Append(" → ").Append(E(d.Diff.To)).Append(": ").Append(E(Summary(d.ValidationAfter))).Append("</p>");
        if (d.ValidationAfter is not { } report) return sb.ToString();
        if (report.Findings.Count == 0) return sb.Append("<p class=\"muted\">No findings.</p>").ToString();
        sb.Append("<table data-testid=\"findings\"><tr><th>image</th><th>severity</th><th>rule</th><th>file</th><th>message</th></tr>");
        foreach (var f in report.Findings.OrderBy(f => f.Severity == "error" ? 0 : f.Severity == "warning" ? 1 : 2).Take(MaxRows))
        {
            sb.Append("<tr data-testid=\"finding\"><td>");
            if (d.FindingImages.TryGetValue(f.Path, out var image)) sb.Append(Thumbnail(image with { Highlight = f.Line }, BoxSummary(image.Boxes), "finding-thumbnail"));
            sb.Append("</td><td><span class=\"badge ").Append(E(f.Severity)).Append("\">").Append(E(f.Severity)).Append("</span></td><td>").Append(E(f.Rule))
              .Append("</td><td class=\"path\">").Append(E(Relative(d.Diff.Dataset, f.Path))).Append(f.Line is { } l ? $":{l}" : "")
              .Append("</td><td>").Append(E(f.Message)).Append("</td></tr>");
        }
        sb.Append("</table>");
        if (report.Findings.Count > MaxRows) sb.Append($"<p class=\"muted\">… and {report.Findings.Count - MaxRows:#,0} more; <code>obs validate --rev {E(d.Diff.To)}</code> lists every finding.</p>");
        return sb.ToString();
    }

    /// <summary>A drift comparison: the verdict, per-method statistics, share of drifted dimensions, image statistics, class shares, confidences, outliers.</summary>
    public static string Render(DriftReportInput report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var run = report.Run;
        var drifted = ReportVerdict.Drifted(run, report.StoredFlag);
        var page = new HtmlPage(report.Title, report.Subject, report.Generated);
        var sb = new StringBuilder("<section data-testid=\"summary\"><h2>Verdict</h2>");
        sb.Append("<span class=\"verdict ").Append(drifted ? "drifted" : "stable").Append("\" data-testid=\"verdict\">").Append(drifted ? "Drift detected" : "No drift detected").Append("</span>");
        sb.Append("<div class=\"stats\">");
        if (run.Window.EventCount > 0) sb.Append(Stat(run.Window.EventCount, "events in the window", "events"));
        foreach (var (name, r) in Reports(run))
            sb.Append("<div class=\"stat\"><b>").Append(ReportVerdict.Drifted(r) ? "drifted" : "stable").Append("</b>").Append(E(name)).Append("</div>");
        sb.Append("</div>");
        if (run.Reference is { } reference) sb.Append("<p>Reference: <code>").Append(E(reference.Label)).Append("</code></p>");
        if (run.Embedding is { Reference: { } rs, Current: { } cs })
            sb.Append("<p class=\"muted\">reference ").Append(rs.N.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture)).Append(" × ").Append(rs.D)
              .Append(rs.Path is { } rp ? $" ({E(rp)})" : "").Append(", current ").Append(cs.N.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture)).Append(" × ").Append(cs.D)
              .Append(cs.Path is { } cp ? $" ({E(cp)})" : "").Append("</p>");
        if (run.Note is { Length: > 0 } note) sb.Append("<p class=\"muted\" data-testid=\"note\">").Append(E(note)).Append("</p>");
        foreach (var n in report.Notes) sb.Append("<p class=\"muted\" data-testid=\"note\">").Append(E(n)).Append("</p>");
        page.Raw(sb.Append("</section>").ToString());

        if (run.EmbeddingShareDrifted is { } share)
            page.Raw($"<section data-testid=\"share-drifted\"><h2>Share of drifted dimensions</h2>{Charts.Meter(share, run.Embedding is { } e && ReportVerdict.Drifted(e), "share-drifted-chart")}"
                + "<p class=\"muted\">Embedding dimensions flagged by the per-dimension test (KS under its correction, else Wasserstein).</p></section>");
        foreach (var (name, r) in Reports(run)) page.Raw(Methods(name, r));
        if (run.ImageFeatures is { Count: > 0 } features) page.Raw(ImageStatistics(features));
        if (run.ClassShares is { Count: > 0 } shares)
        {
            string Name(int k) => report.ClassNames is { } names && k >= 0 && k < names.Count ? names[k] : $"class {k}";
            page.Raw("<section data-testid=\"class-shares\"><h2>Predicted classes</h2>" + Charts.Legend("reference", "window")
                + Charts.PairedBars(shares.Select(s => new Charts.Pair(Name(s.Class), s.Reference, s.Current)).ToList(), Pct, "class-shares-chart") + "</section>");
        }
        if (run.ConfidenceHistogram is { } h)
            page.Raw("<section data-testid=\"confidence\"><h2>Confidence</h2>" + Charts.Legend("reference", "window")
                + Charts.Histogram(h.Edges, h.Reference, h.Current, "confidence-chart") + "</section>");
        if (report.Outliers.Count > 0 || report.Typical.Count > 0) page.Raw(Outliers(report));
        return page.ToString();
    }

    private static IEnumerable<(string Name, DriftRunReport Report)> Reports(DriftRun run)
    {
        if (run.Embedding is { } e) yield return ("embedding drift", e);
        if (run.Prediction is { } p) yield return ("prediction drift", p);
        if (run.Confidence is { } c) yield return ("confidence drift", c);
        if (run.ImageStatistics is { } i) yield return ("image statistics", i);
    }

    private static string Methods(string name, DriftRunReport r)
    {
        var sb = new StringBuilder();
        sb.Append("<section data-testid=\"methods\" data-report=\"").Append(E(name)).Append("\"><h2>").Append(E(char.ToUpperInvariant(name[0]) + name[1..])).Append(": ")
          .Append(ReportVerdict.Drifted(r) ? "drifted" : "stable").Append("</h2>");
        if (r.VerdictMethod is { } vm) sb.Append("<p class=\"muted\">The verdict is <code>").Append(E(vm)).Append("</code>'s.</p>");
        sb.Append("<table><tr><th>method</th><th class=\"n\">statistic</th><th class=\"n\">p-value</th><th class=\"n\">threshold</th><th>verdict</th><th>against the threshold</th></tr>");
        foreach (var m in r.Methods)
            sb.Append("<tr data-testid=\"method\" data-method=\"").Append(E(m.Method)).Append("\"><td><code>").Append(E(m.Method)).Append("</code></td><td class=\"n\">")
              .Append(E(N(m.Statistic))).Append("</td><td class=\"n\">").Append(m.PValue is { } p ? E(N(p, "0.####")) : "—").Append("</td><td class=\"n\">")
              .Append(E(N(m.Threshold))).Append("</td><td><span class=\"badge ").Append(m.Drifted ? "bad\">drifted" : "ok\">stable").Append("</span></td><td>")
              // A test with a p-value compares the p-value with its threshold (alpha), any other method its statistic.
              .Append(Charts.AgainstThreshold(m.PValue ?? m.Statistic, m.Threshold, m.Drifted, m.PValue is null ? "statistic" : "p-value")).Append("</td></tr>");
        return sb.Append("</table></section>").ToString();
    }

    private static string ImageStatistics(IReadOnlyList<ImageFeatureVerdict> features)
    {
        var sb = new StringBuilder("<section data-testid=\"image-statistics\"><h2>Image statistics: reference → window</h2>");
        var means = features.Where(f => f.ReferenceMean is not null || f.CurrentMean is not null).ToList();
        if (means.Count > 0)
            sb.Append(Charts.Legend("reference mean", "window mean"))
              .Append(Charts.PairedBars(means.Select(f => new Charts.Pair(f.Feature + (f.Moved ? " (moved)" : ""), f.ReferenceMean, f.CurrentMean)).ToList(), v => N(v, "0.###"), "image-statistics-chart", perRow: true))
              .Append("<p class=\"muted\">Each statistic is drawn on its own scale (its larger mean is the full bar).</p>");
        sb.Append("<table><tr><th>statistic</th><th class=\"n\">reference mean</th><th class=\"n\">window mean</th><th class=\"n\">KS</th><th class=\"n\">p-value</th><th class=\"n\">Wasserstein (normed)</th><th>verdict</th></tr>");
        foreach (var f in features)
            sb.Append("<tr data-testid=\"image-feature\"><td>").Append(E(f.Feature)).Append("</td><td class=\"n\">").Append(f.ReferenceMean is { } rm ? E(N(rm, "0.###")) : "—")
              .Append("</td><td class=\"n\">").Append(f.CurrentMean is { } cm ? E(N(cm, "0.###")) : "—").Append("</td><td class=\"n\">").Append(f.KsStatistic is { } k ? E(N(k)) : "—")
              .Append("</td><td class=\"n\">").Append(f.PValue is { } p ? E(N(p)) : "—").Append("</td><td class=\"n\">").Append(f.Wasserstein is { } w ? E(N(w)) : "—")
              .Append("</td><td><span class=\"badge ").Append(f.Moved ? "bad\">moved" : "ok\">stable").Append("</span></td></tr>");
        return sb.Append("</table></section>").ToString();
    }

    private static string Outliers(DriftReportInput report)
    {
        var sb = new StringBuilder("<section data-testid=\"outliers\"><h2>Least like the reference</h2>");
        sb.Append(Items(report.Outliers, "outlier"));
        if (report.Typical.Count > 0) sb.Append("<h3>Typical reference items</h3>").Append(Items(report.Typical, "typical"));
        return sb.Append("</section>").ToString();
    }

    private static string Items(IReadOnlyList<ReportOutlier> items, string testId)
    {
        if (items.All(i => i.Image is null))
        {
            var table = new StringBuilder($"<table data-testid=\"{testId}-table\"><tr><th>item</th><th class=\"n\">distance</th><th>detail</th></tr>");
            foreach (var i in items)
                table.Append($"<tr data-testid=\"{testId}\"><td><code>{E(i.Label)}</code></td><td class=\"n\">{E(N(i.Distance))}</td><td>{E(i.Detail)}</td></tr>");
            return table.Append("</table>").ToString();
        }
        var sb = new StringBuilder("<div class=\"thumbs\">");
        foreach (var i in items)
        {
            var caption = $"{i.Label} · distance {N(i.Distance, "0.###")}" + (i.Detail is { Length: > 0 } d ? $" · {d}" : "");
            sb.Append($"<div data-testid=\"{testId}\">")
              .Append(i.Image is { } image ? Thumbnail(image, caption, $"{testId}-thumbnail") : $"<figure class=\"thumb\"><figcaption>{E(caption)} (no image kept)</figcaption></figure>")
              .Append("</div>");
        }
        return sb.Append("</div>").ToString();
    }

    private static string Stat(long value, string label, string testId) =>
        $"<div class=\"stat\"><b data-testid=\"{testId}\">{value:#,0}</b>{E(label)}</div>";

    private static string Short(string commit) => commit.Length > 10 ? commit[..10] : commit;

    private static string Relative(string dataset, string path) =>
        path.StartsWith(dataset + "/", StringComparison.Ordinal) ? path[(dataset.Length + 1)..] : path;
}
