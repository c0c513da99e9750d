using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Observatory.DataService.Core.Validation;

/// <summary>
/// Streams YAML events (YamlDotNet's parser is iterative) to refuse deep nesting before the recursive representation model
/// is built: a few hundred thousand nested '[' would otherwise overflow the stack, which no catch can handle.
/// </summary>
internal static class YamlGuard
{
    public const int MaxDepth = 64;

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
}
