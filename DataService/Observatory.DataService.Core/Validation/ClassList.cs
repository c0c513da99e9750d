using Observatory.DataService.Core.Annotations;

namespace Observatory.DataService.Core.Validation;

/// <summary>The dataset's class names by id, and where they came from (config, data.yaml or classes.txt).</summary>
internal sealed record ClassList(IReadOnlyList<string> Names, string Source)
{
    public bool Contains(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>
    /// Loads the class list with <see cref="ClassNames"/>' precedence: <c>classes</c> in config wins; else data.yaml <c>names</c>;
    /// else classes.txt. Problems (unreadable YAML, nc ≠ names, the two files disagree) become yolo.class_list findings.
    /// </summary>
    public static ClassList? Load(ValidationRules rules, string datasetDirectory, DatasetLayout layout, Func<string, FindingSink> sinkFor)
    {
        if (rules.Classes is { Count: > 0 } configured) return new ClassList(configured, "config");
        ClassList? fromYaml = null, fromTxt = null;
        if (layout.DataYaml is { } yaml)
        {
            var sink = sinkFor(yaml.Path);
            if (yaml.Size > ClassNames.MaxBytes) sink.Add(RuleIds.YoloClassList, $"{yaml.Path} is larger than 1 MiB; not read");
            else
            {
                var problems = new List<ClassListProblem>();
                var names = ClassNames.FromDataYaml(File.ReadAllText(Path.Combine(datasetDirectory, yaml.Path)), yaml.Path, problems);
                foreach (var p in problems) sink.Add(RuleIds.YoloClassList, p.Message, p.Line);
                if (names is not null) fromYaml = new ClassList(names, yaml.Path);
            }
        }
        if (layout.ClassesTxt is { } txt)
        {
            var sink = sinkFor(txt.Path);
            if (txt.Size > ClassNames.MaxBytes) sink.Add(RuleIds.YoloClassList, "classes.txt is larger than 1 MiB; not read");
            else
            {
                var names = ClassNames.FromClassesTxt(File.ReadAllText(Path.Combine(datasetDirectory, txt.Path)));
                fromTxt = new ClassList(names, ClassNames.ClassesTxt);
                if (fromYaml is not null && !fromYaml.Names.SequenceEqual(names, StringComparer.Ordinal))
                    sink.Add(RuleIds.YoloClassList,
                        $"classes.txt ({names.Count} classes: {Preview(names)}) disagrees with {fromYaml.Source} ({fromYaml.Names.Count} classes: {Preview(fromYaml.Names)})");
            }
        }
        return fromYaml ?? fromTxt;
    }

    private static string Preview(IReadOnlyList<string> names) =>
        names.Count <= 5 ? string.Join(", ", names) : string.Join(", ", names.Take(5)) + ", …";
}
