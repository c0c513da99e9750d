using System.Globalization;
using System.Net;
using System.Text;
using Observatory.DataService.Core.Queries;

namespace Observatory.Reports;

/// <summary>
/// The shell every report shares: one file, inline CSS, inline SVG, images as <c>data:</c> URIs, and a Content-Security-Policy
/// that forbids the page any request at all, so a report stays readable offline and never calls home when opened. Every piece of
/// text goes through <see cref="E"/>: paths, class names and messages are user input.
/// </summary>
internal sealed class HtmlPage
{
    // default-src 'none': no script, no fetch, no font, no frame; images only from data: URIs, styles only inline.
    public const string Policy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

    private readonly StringBuilder _html = new();

    public HtmlPage(string title, string subtitle, DateTimeOffset generated)
    {
        _html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"").Append(Policy).Append("\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"generator\" content=\"Observatory\">\n")
            .Append("<title>").Append(E(title)).Append("</title>\n<style>").Append(Css).Append("</style>\n</head>\n<body>\n<header>\n")
            .Append("<h1>").Append(E(title)).Append("</h1>\n<p class=\"muted\">").Append(E(subtitle)).Append(" · generated ")
            .Append(E(generated.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))).Append(" by Observatory</p>\n</header>\n<main>\n");
    }

    public HtmlPage Raw(string html) { _html.Append(html); return this; }

    public HtmlPage Text(string text) { _html.Append(E(text)); return this; }

    public override string ToString() => _html + "</main>\n</body>\n</html>\n";

    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static string N(double v, string format = "0.####") => double.IsNaN(v) ? "NaN" : v.ToString(format, CultureInfo.InvariantCulture);

    public static string Pct(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";

    public static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => (n / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KB",
        < 1024L * 1024 * 1024 => (n / 1048576.0).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
        _ => (n / 1073741824.0).ToString("0.##", CultureInfo.InvariantCulture) + " GB",
    };

    /// <summary>An image with its boxes drawn as an SVG overlay (normalised coordinates), as the dashboard's thumbnails draw them.</summary>
    public static string Thumbnail(ReportImage image, string caption, string testId = "thumbnail")
    {
        var sb = new StringBuilder();
        sb.Append("<figure class=\"thumb\" data-testid=\"").Append(testId).Append("\"><div class=\"frame\"><img alt=\"").Append(E(image.Name))
            .Append("\" src=\"data:").Append(image.ContentType).Append(";base64,").Append(Convert.ToBase64String(image.Bytes)).Append("\">");
        if (image.Boxes.Count > 0)
        {
            sb.Append("<svg viewBox=\"0 0 1 1\" preserveAspectRatio=\"none\" aria-hidden=\"true\">");
            foreach (var b in image.Boxes)
            {
                var cls = image.Highlight is null ? "" : b.Line == image.Highlight ? " hl" : " dim";
                sb.Append("<rect x=\"").Append(N(b.CenterX - b.Width / 2, "0.#####")).Append("\" y=\"").Append(N(b.CenterY - b.Height / 2, "0.#####"))
                    .Append("\" width=\"").Append(N(b.Width, "0.#####")).Append("\" height=\"").Append(N(b.Height, "0.#####"))
                    .Append("\" class=\"box c").Append(((b.ClassId % 6) + 6) % 6).Append(cls).Append("\" vector-effect=\"non-scaling-stroke\"><title>")
                    .Append(E(b.ClassName)).Append("</title></rect>");
            }
            sb.Append("</svg>");
        }
        sb.Append("</div><figcaption>").Append(E(caption)).Append("</figcaption></figure>");
        return sb.ToString();
    }

    /// <summary>What a thumbnail's caption says about its boxes ("2× car, person", "no boxes").</summary>
    public static string BoxSummary(IReadOnlyList<YoloBox> boxes) => boxes.Count == 0 ? "no boxes"
        : string.Join(", ", boxes.GroupBy(b => b.ClassName).Select(g => g.Count() > 1 ? $"{g.Count()}× {g.Key}" : g.Key));

    private const string Css = """
        :root{--fg:#1d232b;--muted:#5c6672;--line:#d9dee4;--ref:#9aa5b1;--cur:#2f6fdb;--bad:#c62828;--ok:#2e7d32;--warn:#b26a00}
        *{box-sizing:border-box}
        body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:#f5f7f9}
        header{padding:20px 28px;background:#fff;border-bottom:1px solid var(--line)}
        h1{font-size:22px;margin:0 0 4px}
        h2{font-size:18px;margin:0 0 12px}
        h3{font-size:15px;margin:18px 0 8px}
        main{padding:20px 28px;display:flex;flex-direction:column;gap:18px;max-width:1200px}
        section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px}
        .muted{color:var(--muted)}
        table{border-collapse:collapse;width:100%;margin:6px 0}
        th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
        th{font-weight:600;color:var(--muted)}
        td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
        code,.path{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px;word-break:break-all}
        .stats{display:flex;flex-wrap:wrap;gap:12px;margin:4px 0 8px}
        .stat{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:120px}
        .stat b{display:block;font-size:20px}
        .verdict{display:inline-block;padding:6px 14px;border-radius:6px;font-weight:700;font-size:16px;color:#fff}
        .verdict.drifted{background:var(--bad)}
        .verdict.stable{background:var(--ok)}
        .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;background:var(--muted)}
        .badge.bad,.badge.error,.badge.deleted{background:var(--bad)}
        .badge.ok,.badge.added{background:var(--ok)}
        .badge.warning{background:var(--warn)}
        .badge.modified,.badge.info{background:var(--cur)}
        .legend{display:flex;gap:14px;font-size:12px;color:var(--muted);margin:4px 0}
        .legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
        svg.chart{width:100%;max-width:720px;height:auto;display:block}
        svg.chart text{font:11px system-ui,sans-serif;fill:var(--fg)}
        .bar-ref{fill:var(--ref)} .bar-cur{fill:var(--cur)} .bar-bad{fill:var(--bad)} .bar-ok{fill:var(--ok)} .track{fill:#eef1f4}
        .tick{stroke:var(--fg);stroke-width:1.5}
        .thumbs{display:flex;flex-wrap:wrap;gap:12px}
        .pair{display:flex;gap:4px;align-items:flex-start}
        figure.thumb{margin:0;width:150px}
        .frame{position:relative;line-height:0;background:#eef1f4;border-radius:4px;overflow:hidden}
        .frame img{width:100%;height:auto;display:block}
        .frame svg{position:absolute;inset:0;width:100%;height:100%}
        .box{fill:none;stroke-width:2}
        .c0{stroke:#e53935}.c1{stroke:#1e88e5}.c2{stroke:#43a047}.c3{stroke:#fb8c00}.c4{stroke:#8e24aa}.c5{stroke:#00acc1}
        .box.dim{opacity:.35} .box.hl{stroke-width:3.5}
        figcaption{font-size:12px;line-height:1.3;margin-top:4px;color:var(--muted);word-break:break-all}
        """;
}
