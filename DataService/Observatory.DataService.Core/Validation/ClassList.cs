using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Observatory.DataService.Core.Validation;

/// <summary>The dataset's class names by id, and where they came from (config, data.yaml or classes.txt).</summary>
internal sealed record ClassList(IReadOnlyList<string> Names, string Source)
{
    private const int MaxConfigBytes = 1024 * 1024;

    public bool Contains(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>
    /// Loads the class list: <c>classes</c> in config wins; else data.yaml <c>names</c> (list or id → name map); else classes.txt.
    /// Problems (unreadable YAML, nc ≠ names, the two files disagree) become yolo.class_list findings.
    /// </summary>
    public static ClassList? Load(ValidationRules rules, string datasetDirectory, DatasetLayout layout, Func<string, FindingSink> sinkFor)
    {
        if (rules.Classes is { Count: > 0 } configured) return new ClassList(configured, "config");
        ClassList? fromYaml = null, fromTxt = null;
        if (layout.DataYaml is { } yaml)
        {
            var sink = sinkFor(yaml.Path);
            if (yaml.Size > MaxConfigBytes) sink.Add(RuleIds.YoloClassList, $"{yaml.Path} is larger than 1 MiB; not read");
            else fromYaml = ReadDataYaml(File.ReadAllText(Path.Combine(datasetDirectory, yaml.Path)), yaml.Path, sink);
        }
        if (layout.ClassesTxt is { } txt)
        {
            var sink = sinkFor(txt.Path);
            if (txt.Size > MaxConfigBytes) sink.Add(RuleIds.YoloClassList, "classes.txt is larger than 1 MiB; not read");
            else
            {
                var names = File.ReadAllText(Path.Combine(datasetDirectory, txt.Path)).Split('\n')
                    .Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
                fromTxt = new ClassList(names, "classes.txt");
                if (fromYaml is not null && !fromYaml.Names.SequenceEqual(names, StringComparer.Ordinal))
                    sink.Add(RuleIds.YoloClassList,
                        $"classes.txt ({names.Count} classes: {Preview(names)}) disagrees with {fromYaml.Source} ({fromYaml.Names.Count} classes: {Preview(fromYaml.Names)})");
            }
        }
        return fromYaml ?? fromTxt;
    }

    private static ClassList? ReadDataYaml(string text, string path, FindingSink sink)
    {
        var stream = new YamlStream();
        try
        {
            if (YamlGuard.TooDeep(text) is { } deepLine)
            {
                sink.Add(RuleIds.YoloClassList, $"data.yaml nests deeper than {YamlGuard.MaxDepth} levels", (int)deepLine);
                return null;
            }
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            sink.Add(RuleIds.YoloClassList, $"not valid YAML: {e.Message}", (int)e.Start.Line);
            return null;
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            sink.Add(RuleIds.YoloClassList, "data.yaml is not a mapping");
            return null;
        }
        if (!root.Children.TryGetValue(new YamlScalarNode("names"), out var namesNode))
        {
            sink.Add(RuleIds.YoloClassList, "data.yaml has no 'names'");
            return null;
        }
        var names = new List<string>();
        switch (namesNode)
        {
            case YamlSequenceNode seq:
                foreach (var n in seq.Children) names.Add(n is YamlScalarNode s ? s.Value ?? "" : "");
                break;
            case YamlMappingNode map:
                var byId = new SortedDictionary<int, string>();
                foreach (var (k, v) in map.Children)
                {
                    if (k is not YamlScalarNode ks || !int.TryParse(ks.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                    {
                        sink.Add(RuleIds.YoloClassList, $"data.yaml names key '{(k as YamlScalarNode)?.Value}' is not a class id >= 0", (int)k.Start.Line);
                        return null;
                    }
                    byId[id] = v is YamlScalarNode vs ? vs.Value ?? "" : "";
                }
                var expected = 0;
                foreach (var (id, name) in byId)
                {
                    if (id != expected++)
                    {
                        sink.Add(RuleIds.YoloClassList, $"data.yaml names ids are not contiguous from 0 (missing {expected - 1})", (int)namesNode.Start.Line);
                        return null;
                    }
                    names.Add(name);
                }
                break;
            default:
                sink.Add(RuleIds.YoloClassList, "data.yaml 'names' is neither a list nor an id → name map", (int)namesNode.Start.Line);
                return null;
        }
        if (root.Children.TryGetValue(new YamlScalarNode("nc"), out var ncNode) && ncNode is YamlScalarNode ncs
            && int.TryParse(ncs.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var nc) && nc != names.Count)
            sink.Add(RuleIds.YoloClassList, $"data.yaml nc is {nc} but names lists {names.Count} classes", (int)ncNode.Start.Line);
        return new ClassList(names, path);
    }

    private static string Preview(IReadOnlyList<string> names) =>
        names.Count <= 5 ? string.Join(", ", names) : string.Join(", ", names.Take(5)) + ", …";
}
