using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Observatory.Monitoring.Onnx.Model;

/// <summary>A model.yaml that cannot be used; the message names the file and, when one is at fault, the key.</summary>
public sealed class ModelYamlException(string message) : Exception(message);

/// <summary>An ONNX model with the preprocessing its model.yaml declares and the class names it lists (empty when none).</summary>
public sealed record ModelDescription(EmbeddingModelOptions Options, IReadOnlyList<string> Classes);

/// <summary>
/// model.yaml, the optional file beside the .onnx in a tracked model folder: a flat mapping whose keys override
/// <see cref="EmbeddingModelOptions.ForModelFile"/> (input, output, width, height, resize, pixel_scale, mean, std,
/// channel_order, layout) plus <c>classes</c>. Strict on purpose: a misspelt key would otherwise silently embed with the
/// default preprocessing, and the drift it causes would be blamed on the data. The text is read as a stream of parser
/// events (iterative, so no nesting can overflow the stack) and bounded in size before that.
/// </summary>
public static class ModelYaml
{
    /// <summary>The name the file has beside the model.</summary>
    public const string FileName = "model.yaml";

    /// <summary>Files larger than this are refused: a model.yaml is a dozen lines; a large one is a mistake or an attack.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The keys a model.yaml may have.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        ["input", "output", "width", "height", "resize", "pixel_scale", "mean", "std", "channel_order", "layout", "classes"];

    /// <summary>
    /// A tracked model: its ONNX file with the model.yaml beside it, or with <see cref="EmbeddingModelOptions.ForModelFile"/>'s
    /// conventions when it has none (<paramref name="modelYaml"/> null).
    /// </summary>
    public static ModelDescription Describe(string onnxPath, byte[]? modelYaml, string where) =>
        modelYaml is null ? new ModelDescription(EmbeddingModelOptions.ForModelFile(onnxPath), []) : Parse(modelYaml, onnxPath, where);

    /// <summary>Reads a model.yaml given as bytes (the size is checked before decoding).</summary>
    /// <param name="where">The file as the user knows it (e.g. <c>models/tiny/model.yaml at tiny@v1</c>), for messages.</param>
    public static ModelDescription Parse(ReadOnlySpan<byte> utf8, string onnxPath, string where)
    {
        if (utf8.Length > MaxBytes) throw new ModelYamlException($"{where} is larger than {MaxBytes / 1024} KiB ({utf8.Length} bytes); not read");
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw new ModelYamlException($"{where} is not UTF-8 text");
        }
        return Parse(text, onnxPath, where);
    }

    /// <summary>Reads a model.yaml: the options start from <see cref="EmbeddingModelOptions.ForModelFile"/> of <paramref name="onnxPath"/>.</summary>
    public static ModelDescription Parse(string text, string onnxPath, string where)
    {
        if (text.Length > MaxBytes) throw new ModelYamlException($"{where} is larger than {MaxBytes / 1024} KiB; not read");
        var values = ReadFlatMapping(text, where);
        var options = EmbeddingModelOptions.ForModelFile(onnxPath);
        IReadOnlyList<string> classes = [];
        foreach (var (key, value) in values)
        {
            options = key switch
            {
                "input" => options with { InputName = Text(value, key, where) },
                "output" => options with { OutputName = Text(value, key, where) },
                "width" => options with { Width = Size(value, key, where) },
                "height" => options with { Height = Size(value, key, where) },
                "resize" => options with { ResizeMode = OneOf(value, key, where, ("stretch", ResizeMode.Stretch), ("center_crop", ResizeMode.CenterCrop)) },
                "pixel_scale" => options with { PixelScale = Number(Scalar(value, key, where), key, where, positive: true) },
                "mean" => options with { Mean = Triple(value, key, where, positive: false) },
                "std" => options with { Std = Triple(value, key, where, positive: true) },
                "channel_order" => options with { ChannelOrder = OneOf(value, key, where, ("rgb", ChannelOrder.Rgb), ("bgr", ChannelOrder.Bgr)) },
                "layout" => options with { Layout = OneOf(value, key, where, ("nchw", TensorLayout.Nchw), ("nhwc", TensorLayout.Nhwc)) },
                _ => options,
            };
            if (key == "classes") classes = Classes(value, where);
        }
        return new ModelDescription(options, classes);
    }

    /// <summary>A value: one scalar, or a list of scalars (null for the other).</summary>
    private sealed record Value(Scalar? Scalar, IReadOnlyList<Scalar>? List, Mark Start);

    private static List<(string Key, Value Value)> ReadFlatMapping(string text, string where)
    {
        var result = new List<(string, Value)>();
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _)) return result; // an empty file declares nothing
            parser.Consume<DocumentStart>();
            if (parser.Accept<Scalar>(out var lone) && lone.Value.Length == 0) return result; // only comments
            if (!parser.TryConsume<MappingStart>(out _))
                throw new ModelYamlException($"{where} must be a mapping of keys ({string.Join(", ", Keys)}) to values (line {parser.Current?.Start.Line})");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                if (!parser.TryConsume<Scalar>(out var key))
                    throw new ModelYamlException($"{where}: keys must be plain names (line {parser.Current?.Start.Line})");
                if (!Keys.Contains(key.Value))
                    throw new ModelYamlException($"{where}: unknown key '{key.Value}' (line {key.Start.Line}); valid keys: {string.Join(", ", Keys)}");
                if (!seen.Add(key.Value)) throw new ModelYamlException($"{where}: key '{key.Value}' is given twice (line {key.Start.Line})");
                result.Add((key.Value, ReadValue(parser, key.Value, where)));
            }
            parser.Consume<DocumentEnd>();
            if (!parser.TryConsume<StreamEnd>(out _)) throw new ModelYamlException($"{where} must hold one YAML document");
        }
        catch (YamlException e)
        {
            throw new ModelYamlException($"{where} is not valid YAML (line {e.Start.Line}): {e.Message}");
        }
        return result;
    }

    private static Value ReadValue(IParser parser, string key, string where)
    {
        if (parser.TryConsume<Scalar>(out var scalar)) return new Value(scalar, null, scalar.Start);
        if (parser.TryConsume<SequenceStart>(out var start))
        {
            var items = new List<Scalar>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                if (!parser.TryConsume<Scalar>(out var item))
                    throw new ModelYamlException($"{where}: '{key}' must be a list of plain values (line {parser.Current?.Start.Line})");
                items.Add(item);
            }
            return new Value(null, items, start.Start);
        }
        throw new ModelYamlException($"{where}: '{key}' must be a value or a list of values, not a mapping (line {parser.Current?.Start.Line})");
    }

    private static Scalar Scalar(Value value, string key, string where) =>
        value.Scalar is { } s && !IsNull(s) ? s
        : throw new ModelYamlException($"{where}: '{key}' needs a value (line {value.Start.Line})");

    private static bool IsNull(Scalar s) => s.Style == ScalarStyle.Plain && s.Value is "" or "~" or "null" or "Null" or "NULL";

    private static string Text(Value value, string key, string where)
    {
        var s = Scalar(value, key, where);
        return string.IsNullOrWhiteSpace(s.Value) ? throw new ModelYamlException($"{where}: '{key}' must not be empty (line {s.Start.Line})") : s.Value;
    }

    private static int Size(Value value, string key, string where)
    {
        var s = Scalar(value, key, where);
        // An upper bound keeps a typo (96000) from allocating a tensor of gigabytes per image.
        if (!int.TryParse(s.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > 8192)
            throw new ModelYamlException($"{where}: '{key}' must be a whole number of pixels from 1 to 8192, got '{s.Value}' (line {s.Start.Line})");
        return n;
    }

    private static float Number(Scalar s, string key, string where, bool positive)
    {
        if (!float.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) || !float.IsFinite(f) || (positive && !(f > 0)))
            throw new ModelYamlException($"{where}: '{key}' must be a {(positive ? "positive " : "")}number, got '{s.Value}' (line {s.Start.Line})");
        return f;
    }

    private static float[] Triple(Value value, string key, string where, bool positive)
    {
        if (value.List is not { Count: 3 } list)
            throw new ModelYamlException($"{where}: '{key}' must be a list of 3 numbers (R, G, B), e.g. [0.485, 0.456, 0.406] (line {value.Start.Line})");
        return list.Select(s => Number(s, key, where, positive)).ToArray();
    }

    private static T OneOf<T>(Value value, string key, string where, params (string Name, T Value)[] choices)
    {
        var s = Scalar(value, key, where);
        foreach (var (name, v) in choices)
            if (string.Equals(s.Value, name, StringComparison.OrdinalIgnoreCase)) return v;
        throw new ModelYamlException($"{where}: '{key}' must be one of {string.Join(", ", choices.Select(c => c.Name))}, got '{s.Value}' (line {s.Start.Line})");
    }

    private static IReadOnlyList<string> Classes(Value value, string where)
    {
        if (value.List is not { } list)
            throw new ModelYamlException($"{where}: 'classes' must be a list of names, e.g. [apple, bread] (line {value.Start.Line})");
        var names = new List<string>(list.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in list)
        {
            if (IsNull(item) || string.IsNullOrWhiteSpace(item.Value))
                throw new ModelYamlException($"{where}: 'classes' has an empty name (line {item.Start.Line})");
            // Class ids are list positions: a repeated name would make two ids indistinguishable in every report.
            if (!seen.Add(item.Value)) throw new ModelYamlException($"{where}: 'classes' names '{item.Value}' twice (line {item.Start.Line})");
            names.Add(item.Value);
        }
        return names;
    }
}
