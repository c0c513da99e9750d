using Observatory.DataService.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Observatory.DataService.Core.Annotations;

/// <summary>
/// Every YAML the data half reads (pointers aside, which have their own size cap) goes through here: the text is bounded in
/// size, then its events are streamed (YamlDotNet's parser is iterative) to refuse deep nesting before the recursive
/// representation model or deserializer is built — a few hundred thousand nested '[' would otherwise overflow the stack,
/// which no catch can handle.
/// </summary>
internal static class GuardedYaml
{
    public const int MaxDepth = 64;
    public const int MaxChars = 4 * 1024 * 1024;

    /// <summary>Null when the text nests at most <see cref="MaxDepth"/> levels, else the line where it goes deeper.</summary>
    public static long? TooDeep(string text)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case SequenceStart or MappingStart:
                    if (++depth > MaxDepth) return parser.Current.Start.Line;
                    break;
                case SequenceEnd or MappingEnd:
                    depth--;
                    break;
            }
        }
        return null;
    }

    /// <summary>Throws <see cref="DataCheckException"/> naming <paramref name="what"/> when the text is too large or too deep.</summary>
    /// <exception cref="YamlException">The text is not YAML (callers turn it into their own message).</exception>
    public static void Check(string text, string what)
    {
        if (text.Length > MaxChars) throw new DataCheckException($"{what} is larger than {MaxChars / (1024 * 1024)} MiB; not read");
        if (TooDeep(text) is { } line) throw new DataCheckException($"{what} nests deeper than {MaxDepth} levels (line {line}); not read");
    }

    /// <summary>The checked text as a YAML representation model.</summary>
    public static YamlStream Load(string text, string what)
    {
        Check(text, what);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream;
    }
}
