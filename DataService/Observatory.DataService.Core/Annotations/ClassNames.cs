using System.Globalization;
using Observatory.DataService.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Observatory.DataService.Core.Annotations;

/// <summary>A problem met while reading a class list, and its line (null when it has none).</summary>
public sealed record ClassListProblem(string Message, int? Line = null);

/// <summary>
/// The class names of a dataset, read the same way by validation, the catalog and the dashboard. Precedence: data.yaml
/// <c>names</c> (Ultralytics' own file; a list or an id → name map) wins; classes.txt (darknet's, one name a line) is used
/// only when there is no usable data.yaml. Validation's <c>classes</c> setting, when configured, wins over both.
/// </summary>
public static class ClassNames
{
    /// <summary>Class-list files larger than this are not read.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Names a data.yaml may have at the dataset root, preferred first.</summary>
    public static IReadOnlyList<string> DataYamlNames { get; } = ["data.yaml", "dataset.yaml", "data.yml"];

    public const string ClassesTxt = "classes.txt";

    /// <summary>
    /// Names from a data.yaml as a list indexed by class id; null (with the reason in <paramref name="problems"/>) when it gives
    /// none, or when its id map leaves gaps (a finding for validation, which needs every id from 0 named).
    /// </summary>
    public static IReadOnlyList<string>? FromDataYaml(string text, string path, ICollection<ClassListProblem> problems)
    {
        if (ById(text, path, problems) is not { } byId) return null;
        var names = new List<string>();
        var expected = 0;
        foreach (var (id, name) in byId)
        {
            if (id != expected++)
            {
                problems.Add(new($"{path} names ids are not contiguous from 0 (missing {expected - 1})"));
                return null;
            }
            names.Add(name);
        }
        return names;
    }

    /// <summary>Names from a data.yaml by class id (a list gives ids 0…n−1; a map may leave gaps, which views can still show).</summary>
    public static IReadOnlyDictionary<int, string>? ById(string text, string path, ICollection<ClassListProblem> problems)
    {
        YamlStream stream;
        try
        {
            stream = GuardedYaml.Load(text, path);
        }
        catch (DataCheckException e)
        {
            problems.Add(new(e.Message));
            return null;
        }
        catch (YamlException e)
        {
            problems.Add(new($"not valid YAML: {e.Message}", (int)e.Start.Line));
            return null;
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            problems.Add(new($"{path} is not a mapping"));
            return null;
        }
        if (!root.Children.TryGetValue(new YamlScalarNode("names"), out var namesNode))
        {
            problems.Add(new($"{path} has no 'names'"));
            return null;
        }
        var byId = new SortedDictionary<int, string>();
        switch (namesNode)
        {
            case YamlSequenceNode seq:
                for (var i = 0; i < seq.Children.Count; i++) byId[i] = seq.Children[i] is YamlScalarNode s ? s.Value ?? "" : "";
                break;
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children)
                {
                    if (k is not YamlScalarNode ks || !int.TryParse(ks.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                    {
                        problems.Add(new($"{path} names key '{(k as YamlScalarNode)?.Value}' is not a class id >= 0", (int)k.Start.Line));
                        return null;
                    }
                    byId[id] = v is YamlScalarNode vs ? vs.Value ?? "" : "";
                }
                break;
            default:
                problems.Add(new($"{path} 'names' is neither a list nor an id → name map", (int)namesNode.Start.Line));
                return null;
        }
        if (root.Children.TryGetValue(new YamlScalarNode("nc"), out var ncNode) && ncNode is YamlScalarNode ncs
            && int.TryParse(ncs.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var nc) && nc != byId.Count)
            problems.Add(new($"{path} nc is {nc} but names lists {byId.Count} classes", (int)ncNode.Start.Line));
        return byId;
    }

    /// <summary>Names from classes.txt: one a line, surrounding blanks and empty lines dropped.</summary>
    public static IReadOnlyList<string> FromClassesTxt(string text) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
}
