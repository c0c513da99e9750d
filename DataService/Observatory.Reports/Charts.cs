using System.Text;
using static Observatory.Reports.HtmlPage;

namespace Observatory.Reports;

/// <summary>Small inline SVG charts: paired horizontal bars (before/after), a share meter, a statistic against its threshold, paired histogram bins.</summary>
internal static class Charts
{
    /// <summary>A row of a paired chart: what is compared and its value on each side (null: absent on that side).</summary>
    public sealed record Pair(string Label, double? Before, double? After);

    public static string Legend(string before, string after) =>
        $"<div class=\"legend\"><span><i class=\"bar-ref\" style=\"background:var(--ref)\"></i>{E(before)}</span><span><i style=\"background:var(--cur)\"></i>{E(after)}</span></div>";

    /// <summary>
    /// Horizontal bar pairs, one row per label, scaled to the largest value — or, with <paramref name="perRow"/>, each row to its own
    /// larger side (image statistics have different units: a width of 160 px would flatten a brightness of 0.5). Long labels are cut
    /// in the chart (the table beside it has them whole).
    /// </summary>
    public static string PairedBars(IReadOnlyList<Pair> rows, Func<double, string> format, string testId, bool perRow = false)
    {
        const int width = 720, labelWidth = 170, valueWidth = 90, rowHeight = 30, bar = 11;
        var max = rows.SelectMany(r => new[] { r.Before ?? 0, r.After ?? 0 }).DefaultIfEmpty(0).Max();
        if (max <= 0) max = 1;
        var plot = width - labelWidth - valueWidth;
        var sb = new StringBuilder();
        sb.Append($"<svg class=\"chart\" data-testid=\"{testId}\" viewBox=\"0 0 {width} {rows.Count * rowHeight + 4}\" role=\"img\">");
        for (var i = 0; i < rows.Count; i++)
        {
            var (label, before, after) = (rows[i].Label, rows[i].Before, rows[i].After);
            var y = i * rowHeight + 3;
            var shown = label.Length > 26 ? label[..25] + "…" : label;
            if (perRow) max = Math.Max(Math.Abs(before ?? 0), Math.Abs(after ?? 0)) is > 0 and var m ? m : 1;
            sb.Append($"<g data-label=\"{E(label)}\"><title>{E(label)}: {E(before is { } b0 ? format(b0) : "—")} → {E(after is { } a0 ? format(a0) : "—")}</title>");
            sb.Append($"<text x=\"{labelWidth - 6}\" y=\"{y + bar + 3}\" text-anchor=\"end\">{E(shown)}</text>");
            sb.Append($"<rect class=\"bar-ref\" x=\"{labelWidth}\" y=\"{y}\" width=\"{N(Math.Max(0, before ?? 0) / max * plot, "0.#")}\" height=\"{bar}\"/>");
            sb.Append($"<rect class=\"bar-cur\" x=\"{labelWidth}\" y=\"{y + bar + 1}\" width=\"{N(Math.Max(0, after ?? 0) / max * plot, "0.#")}\" height=\"{bar}\"/>");
            sb.Append($"<text x=\"{width - valueWidth + 4}\" y=\"{y + bar + 3}\">{E(before is { } b ? format(b) : "—")} → {E(after is { } a ? format(a) : "—")}</text></g>");
        }
        return sb.Append("</svg>").ToString();
    }

    /// <summary>A share (0..1) as a filled bar with its percentage; red when the verdict says drifted.</summary>
    public static string Meter(double share, bool bad, string testId)
    {
        const int width = 360;
        var fill = Math.Clamp(share, 0, 1) * width;
        return $"<svg class=\"chart\" style=\"max-width:460px\" data-testid=\"{testId}\" viewBox=\"0 0 460 22\" role=\"img\"><title>{E(Pct(share))}</title>"
            + $"<rect class=\"track\" x=\"0\" y=\"3\" width=\"{width}\" height=\"16\" rx=\"3\"/><rect class=\"{(bad ? "bar-bad" : "bar-cur")}\" x=\"0\" y=\"3\" width=\"{N(fill, "0.#")}\" height=\"16\" rx=\"3\"/>"
            + $"<text x=\"{width + 8}\" y=\"15\">{E(Pct(share))}</text></svg>";
    }

    /// <summary>A value (a statistic, or a p-value) as a bar against a tick at its threshold, on a scale that shows both.</summary>
    public static string AgainstThreshold(double statistic, double threshold, bool drifted, string what)
    {
        const int width = 160;
        var scale = Math.Max(Math.Max(Math.Abs(statistic), Math.Abs(threshold)) * 1.15, 1e-12);
        var bar = double.IsFinite(statistic) ? Math.Clamp(statistic / scale, 0, 1) * width : 0;
        var tick = double.IsFinite(threshold) ? Math.Clamp(threshold / scale, 0, 1) * width : width;
        return $"<svg class=\"chart mini\" style=\"width:{width}px\" viewBox=\"0 0 {width} 14\" role=\"img\"><title>{E(what)} {E(N(statistic))}, threshold {E(N(threshold))}</title>"
            + $"<rect class=\"track\" x=\"0\" y=\"2\" width=\"{width}\" height=\"10\"/><rect class=\"{(drifted ? "bar-bad" : "bar-ok")}\" x=\"0\" y=\"2\" width=\"{N(bar, "0.#")}\" height=\"10\"/>"
            + $"<line class=\"tick\" x1=\"{N(tick, "0.#")}\" x2=\"{N(tick, "0.#")}\" y1=\"0\" y2=\"14\"/></svg>";
    }

    /// <summary>Two distributions over the same bins as side-by-side columns, each as a share of its own total.</summary>
    public static string Histogram(IReadOnlyList<double> edges, IReadOnlyList<int> reference, IReadOnlyList<int> current, string testId)
    {
        const int width = 720, height = 140, bottom = 18;
        var bins = Math.Min(reference.Count, current.Count);
        if (bins == 0) return "";
        double rt = Math.Max(1, reference.Sum()), ct = Math.Max(1, current.Sum());
        var max = Enumerable.Range(0, bins).Select(i => Math.Max(reference[i] / rt, current[i] / ct)).Max();
        if (max <= 0) max = 1;
        var slot = (double)width / bins;
        var sb = new StringBuilder($"<svg class=\"chart\" data-testid=\"{testId}\" viewBox=\"0 0 {width} {height}\" role=\"img\">");
        for (var i = 0; i < bins; i++)
        {
            double r = reference[i] / rt, c = current[i] / ct;
            var x = i * slot;
            var hr = r / max * (height - bottom - 4);
            var hc = c / max * (height - bottom - 4);
            var label = i + 1 < edges.Count ? $"{N(edges[i], "0.##")}–{N(edges[i + 1], "0.##")}" : $"bin {i + 1}";
            sb.Append($"<g><title>{E(label)}: {E(Pct(r))} → {E(Pct(c))}</title>")
              .Append($"<rect class=\"bar-ref\" x=\"{N(x + slot * 0.12, "0.#")}\" y=\"{N(height - bottom - hr, "0.#")}\" width=\"{N(slot * 0.36, "0.#")}\" height=\"{N(hr, "0.#")}\"/>")
              .Append($"<rect class=\"bar-cur\" x=\"{N(x + slot * 0.5, "0.#")}\" y=\"{N(height - bottom - hc, "0.#")}\" width=\"{N(slot * 0.36, "0.#")}\" height=\"{N(hc, "0.#")}\"/>")
              .Append($"<text x=\"{N(x + slot / 2, "0.#")}\" y=\"{height - 4}\" text-anchor=\"middle\">{E(label)}</text></g>");
        }
        return sb.Append("</svg>").ToString();
    }
}
