using System.Text;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Metrics;

namespace Observatory.DataService.Tests.Metrics;

/// <summary>Metrics files as DVC reads them: numeric leaves of a JSON/YAML object, nested keys joined with '.', bounded input.</summary>
public sealed class MetricsFileTests
{
    private static IReadOnlyDictionary<string, double> Json(string text) => MetricsFile.Parse("metrics.json", Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Parse_Json_FlattensNestedKeysAndListIndexes_InFileOrder_AndSkipsNonNumbers()
    {
        var m = Json("""{"acc": 0.91, "val": {"loss": 1.5e-2, "ap": [0.5, 0.7], "name": "resnet", "ok": true, "none": null}, "epochs": 10}""");
        Assert.Equal(["acc", "val.loss", "val.ap.0", "val.ap.1", "epochs"], m.Keys);
        Assert.Equal([0.91, 0.015, 0.5, 0.7, 10], m.Values);
    }

    [Fact]
    public void Parse_Yaml_FlattensLikeJson_AndTakesOnlyPlainNumbers()
    {
        const string yaml = "top1: 0.7\ntrain:\n  epochs: 10\n  lr: 1e-3\n  quoted: \"3\"\n  version: 1.2.3\n  nan: .nan\n  flag: true\nper_class:\n  - 0.25\n  - -.5\n";
        var m = MetricsFile.Parse("eval/metrics.yaml", Encoding.UTF8.GetBytes(yaml));
        Assert.Equal(["top1", "train.epochs", "train.lr", "per_class.0", "per_class.1"], m.Keys);
        Assert.Equal([0.7, 10, 0.001, 0.25, -0.5], m.Values);
    }

    [Fact]
    public void Parse_EmptyYaml_HasNoMetrics()
    {
        Assert.Empty(MetricsFile.Parse("metrics.yml", "# nothing yet\n"u8));
    }

    [Theory]
    [InlineData("metrics.json", "{\"a\": 1,", "metrics file metrics.json at v2 is not valid JSON (line 1)")]
    [InlineData("metrics.json", "[1, 2]", "metrics file metrics.json at v2 is not a JSON object at the top level")]
    [InlineData("m.metrics.yaml", "a: [1, 2\nb: 3\n", "metrics file m.metrics.yaml at v2 is not valid YAML")]
    [InlineData("m.metrics.yaml", "a: b: c\n", "metrics file m.metrics.yaml at v2 is not valid YAML (line 1)")]
    [InlineData("metrics.yaml", "- 1\n- 2\n", "metrics file metrics.yaml at v2 is not a YAML mapping at the top level")]
    [InlineData("metrics.json", "{\"a.b\": 1, \"a\": {\"b\": 2}}", "metrics file metrics.json at v2 has the key 'a.b' twice")]
    [InlineData("metrics.txt", "a: 1", "metrics file metrics.txt at v2 is neither .json nor .yaml/.yml")]
    public void Parse_Malformed_FailsWithOneLineNamingFileAndRevision(string path, string text, string expected)
    {
        var e = Assert.Throws<DataCheckException>(() => MetricsFile.Parse(path, Encoding.UTF8.GetBytes(text), "v2"));
        Assert.StartsWith(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(1, e.ExitCode);
    }

    [Fact]
    public void Parse_RefusesFilesOverOneMebibyte_AndNotUtf8()
    {
        var big = Encoding.UTF8.GetBytes("{\"a\": 1, \"pad\": \"" + new string('x', MetricsFile.MaxBytes) + "\"}");
        Assert.Contains("larger than 1 MiB", Assert.Throws<DataCheckException>(() => MetricsFile.Parse("metrics.json", big)).Message);
        Assert.Contains("not UTF-8", Assert.Throws<DataCheckException>(() => MetricsFile.Parse("metrics.json", [0x7B, 0xFF, 0x7D])).Message);
    }

    [Fact]
    public void Parse_YamlAliasesThatExpandExponentially_AreRefusedNotFollowed()
    {
        var yaml = new StringBuilder("l0: &l0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n");
        for (var i = 1; i < 12; i++) yaml.Append($"l{i}: &l{i} [*l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}]\n");
        var e = Assert.Throws<DataCheckException>(() => MetricsFile.Parse("metrics.yaml", Encoding.UTF8.GetBytes(yaml.ToString())));
        Assert.Contains("more than", e.Message);
    }

    [Theory]
    [InlineData("metrics.json", true)]
    [InlineData("eval/metrics.yaml", true)]
    [InlineData("runs/train.metrics.yml", true)]
    [InlineData("metrics.txt", false)]
    [InlineData("mymetrics.json", false)]
    [InlineData("data.yaml", false)]
    public void IsMetricsName_FindsMetricsAndStarDotMetricsFiles(string path, bool expected) => Assert.Equal(expected, MetricsFile.IsMetricsName(path));
}

/// <summary>Two revisions' metrics side by side, as <c>dvc metrics diff</c>.</summary>
public sealed class MetricsDiffTests
{
    private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Files(params (string Path, (string Key, double Value)[] Metrics)[] files) =>
        files.ToDictionary(f => f.Path, f => (IReadOnlyDictionary<string, double>)f.Metrics.ToDictionary(m => m.Key, m => m.Value));

    [Fact]
    public void Compare_ShowsChangedAddedAndRemovedKeys_AndFilesOnOneSide_WithDashesAsNull()
    {
        var a = Files(("metrics.json", [("acc", 0.9), ("loss", 0.5), ("old", 1)]), ("gone.metrics.json", [("x", 2)]));
        var b = Files(("metrics.json", [("acc", 0.91), ("loss", 0.5), ("new", 3)]));
        var changes = MetricsDiff.Compare(a, b);
        Assert.Equal(
            [new("gone.metrics.json", "x", 2, null), new("metrics.json", "acc", 0.9, 0.91), new("metrics.json", "old", 1, null), new MetricChange("metrics.json", "new", null, 3)],
            changes);
        Assert.Equal(0.01, changes[1].Change); // exactly: no 0.010000000000000009 from binary doubles
        Assert.Null(changes[2].Change);
        Assert.Null(changes[3].Change);
        Assert.Contains(MetricsDiff.Compare(a, b, includeUnchanged: true), c => c is { Key: "loss", Old: 0.5, New: 0.5, Change: 0 });
    }

    [Theory]
    [InlineData(0.9, 0.91, 0.01)]
    [InlineData(0.3, 0.1, -0.2)]
    [InlineData(1e30, 2e30, 1e30)]
    [InlineData(1e-30, 3e-30, 2e-30)]
    public void Subtract_IsExactForDecimalsAndFallsBackToDoublesOutsideDecimal(double a, double b, double expected) =>
        Assert.Equal(expected, MetricsDiff.Subtract(b, a), 1e-40);
}
