using System.Globalization;
using System.Text;
using System.Text.Json;
using Observatory.DataService.Core.Annotations;
using Observatory.DataService.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Observatory.DataService.Core.Metrics;

/// <summary>
/// A model metrics file as DVC's <c>metrics</c> reads it: a JSON or YAML object whose numeric leaves are the metrics, nested
/// keys joined with '.' and list items keyed by their index (<c>{"val": {"ap": [0.5, 0.7]}}</c> gives <c>val.ap.0</c>,
/// <c>val.ap.1</c>). Strings, booleans and nulls are not metrics and are skipped, as are non-finite numbers and YAML scalars
/// that are quoted (YAML makes those strings). Input is bounded: over <see cref="MaxBytes"/>, deeper than
/// <see cref="MaxDepth"/> or expanding (through YAML aliases) to more than <see cref="MaxNodes"/> values is refused.
/// </summary>
public static class MetricsFile
{
    public const int MaxBytes = 1024 * 1024;
    public const int MaxDepth = GuardedYaml.MaxDepth;
    public const int MaxNodes = 1_000_000;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>True for a JSON or YAML file name (.json, .yaml, .yml), the formats a metrics file may have.</summary>
    public static bool IsSupported(string path) =>
        path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for the names found without being asked for: <c>metrics.json|yaml|yml</c> and <c>*.metrics.json|yaml|yml</c>.</summary>
    public static bool IsMetricsName(string path)
    {
        var name = Path.GetFileName(path);
        if (!IsSupported(name)) return false;
        var stem = Path.GetFileNameWithoutExtension(name);
        return stem == "metrics" || stem.EndsWith(".metrics", StringComparison.Ordinal);
    }

    /// <summary>The metrics of a file's bytes (UTF-8), in file order; <paramref name="revision"/> only names where it was read in errors.</summary>
    /// <exception cref="DataCheckException">Too large, not UTF-8, not valid JSON/YAML, not an object, or a key repeated after flattening.</exception>
    public static IReadOnlyDictionary<string, double> Parse(string path, ReadOnlySpan<byte> content, string? revision = null)
    {
        EnsureSize(path, content.Length, revision);
        string text;
        try
        {
            text = StrictUtf8.GetString(content.StartsWith("\uFEFF"u8) ? content[3..] : content);
        }
        catch (DecoderFallbackException)
        {
            throw new DataCheckException($"metrics file {Describe(path, revision)} is not UTF-8 text");
        }
        return ParseText(path, text, revision);
    }

    /// <summary>As <see cref="Parse"/>, for text already decoded (git's port reads files as text).</summary>
    public static IReadOnlyDictionary<string, double> ParseText(string path, string text, string? revision = null)
    {
        var what = Describe(path, revision);
        EnsureSize(path, text.Length, revision);
        if (!IsSupported(path)) throw new DataCheckException($"metrics file {what} is neither .json nor .yaml/.yml");
        var sink = new Sink(what);
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) ReadJson(text, sink);
        else ReadYaml(text, sink);
        return sink.Values;
    }

    /// <summary>Where a file was read, as errors name it: "metrics.json at v2" (the CLI says "at workspace" for files on disk), or the bare path.</summary>
    public static string Describe(string path, string? revision) => revision is null ? path : $"{path} at {revision}";

    /// <summary>Refuses a file over <see cref="MaxBytes"/> before it is read (callers that know the size up front).</summary>
    /// <exception cref="DataCheckException">The file is too large.</exception>
    public static void EnsureSize(string path, long size, string? revision = null)
    {
        if (size > MaxBytes) throw new DataCheckException($"metrics file {Describe(path, revision)} is larger than {MaxBytes / (1024 * 1024)} MiB; not read");
    }

    private static void ReadJson(string text, Sink sink)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = MaxDepth, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            // System.Text.Json appends its own 0-based "LineNumber: … | BytePositionInLine: …"; the 1-based line is given instead.
            var message = e.Message.IndexOf(" LineNumber:", StringComparison.Ordinal) is var at and > 0 ? e.Message[..at] : e.Message;
            throw new DataCheckException($"metrics file {sink.What} is not valid JSON (line {e.LineNumber + 1}): {OneLine(message)}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new DataCheckException($"metrics file {sink.What} is not a JSON object at the top level");
            Flatten(doc.RootElement, "", 0, sink);
        }
    }

    private static void Flatten(JsonElement e, string key, int depth, Sink sink)
    {
        sink.Visit(depth);
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) Flatten(p.Value, Join(key, p.Name), depth + 1, sink);
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in e.EnumerateArray()) Flatten(item, Join(key, (i++).ToString(CultureInfo.InvariantCulture)), depth + 1, sink);
                break;
            case JsonValueKind.Number when e.TryGetDouble(out var v) && double.IsFinite(v):
                sink.Add(key, v);
                break;
        }
    }

    private static void ReadYaml(string text, Sink sink)
    {
        YamlStream stream;
        try
        {
            stream = GuardedYaml.Load(text, $"metrics file {sink.What}");
        }
        catch (YamlException e)
        {
            throw new DataCheckException($"metrics file {sink.What} is not valid YAML (line {e.Start.Line}): {OneLine(e.Message)}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, not a YamlException, on some broken flow collections ("a: [1, 2" then a new key).
            throw new DataCheckException($"metrics file {sink.What} is not valid YAML (an unclosed [ or {{?)");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" or "~" or "null" }) return;
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new DataCheckException($"metrics file {sink.What} is not a YAML mapping at the top level");
        Flatten(root, "", 0, sink);
    }

    // Aliases make the representation a graph: depth and node count are bounded here, not by the text's nesting.
    private static void Flatten(YamlNode node, string key, int depth, Sink sink)
    {
        sink.Visit(depth);
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children)
                {
                    if (k is not YamlScalarNode { Value: { } name })
                        throw new DataCheckException($"metrics file {sink.What} has a key that is not a plain name (line {k.Start.Line})");
                    Flatten(v, Join(key, name), depth + 1, sink);
                }
                break;
            case YamlSequenceNode seq:
                var i = 0;
                foreach (var item in seq.Children) Flatten(item, Join(key, (i++).ToString(CultureInfo.InvariantCulture)), depth + 1, sink);
                break;
            case YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: { } s } when IsYamlNumber(s, out var v):
                sink.Add(key, v);
                break;
        }
    }

    // YAML 1.2 core-schema numbers; .NET alone would also take "NaN", "Infinity" and thousands separators.
    private static bool IsYamlNumber(string s, out double value)
    {
        value = 0;
        if (s.Length == 0 || !(char.IsAsciiDigit(s[0]) || (s.Length > 1 && s[0] is '-' or '+' or '.' && (char.IsAsciiDigit(s[1]) || s[1] == '.'))))
            return false;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    private static string OneLine(string message)
    {
        var line = message.ReplaceLineEndings(" ");
        return line.Length > 200 ? line[..200] + "…" : line;
    }

    private sealed class Sink(string what)
    {
        private int _nodes;
        public string What { get; } = what;
        public OrderedDictionary<string, double> Values { get; } = new(StringComparer.Ordinal);

        public void Visit(int depth)
        {
            if (depth > MaxDepth) throw new DataCheckException($"metrics file {What} nests deeper than {MaxDepth} levels; not read");
            if (++_nodes > MaxNodes) throw new DataCheckException($"metrics file {What} expands to more than {MaxNodes} values; not read");
        }

        public void Add(string key, double value)
        {
            if (!Values.TryAdd(key, value)) throw new DataCheckException($"metrics file {What} has the key '{key}' twice (nested keys are joined with '.')");
        }
    }
}
