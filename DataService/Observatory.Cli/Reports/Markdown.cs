using System.Text;

namespace Observatory.Cli.Reports;

/// <summary>
/// GitHub-flavoured Markdown building blocks for pull-request comments. Every piece of data (paths, messages, class names, tags)
/// goes through <see cref="Text"/>, so a file named <c>a|b_c*.png</c> neither splits a table cell nor turns into emphasis.
/// </summary>
internal static class Markdown
{
    /// <summary>
    /// Backslash-escapes the ASCII punctuation that means something inline (CommonMark lets any ASCII punctuation be escaped),
    /// and folds line breaks into spaces: one value must stay one table cell or one list item.
    /// </summary>
    public static string Text(string value)
    {
        var sb = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '~' or '&' or '#' or '!' or '@':
                    sb.Append('\\').Append(c);
                    break;
                case '\r':
                    break;
                case '\n' or '\t':
                    sb.Append(' ');
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A table; <paramref name="rightAligned"/> marks the numeric columns. Cells are taken as already escaped.</summary>
    public static void Table(StringBuilder sb, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, ISet<int>? rightAligned = null)
    {
        sb.Append("| ").AppendJoin(" | ", header).Append(" |\n");
        sb.Append('|').AppendJoin("|", header.Select((_, i) => rightAligned?.Contains(i) == true ? "---:" : "---")).Append("|\n");
        foreach (var row in rows) sb.Append("| ").AppendJoin(" | ", row).Append(" |\n");
    }

    /// <summary>A table of plain values: every cell escaped.</summary>
    public static string PlainTable(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var sb = new StringBuilder();
        Table(sb, header.Select(Text).ToList(), rows.Select(r => (IReadOnlyList<string>)r.Select(Text).ToList()));
        return sb.ToString();
    }
}
