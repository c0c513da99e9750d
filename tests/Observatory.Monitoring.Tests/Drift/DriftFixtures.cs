using System.Text.Json;
using Observatory.Monitoring.Core.Drift;
using Observatory.Monitoring.Core.IO;

namespace Observatory.Monitoring.Tests.Drift;

/// <summary>Committed inputs and SciPy/NumPy/scikit-learn reference values made by Fixtures/drift/make_fixtures.py and make_large_fixtures.py.</summary>
internal static class DriftFixtures
{
    public static string Dir { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "drift");

    private static readonly Lazy<JsonElement> ExpectedDoc = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "expected.json"))).RootElement);

    private static readonly Lazy<JsonElement> ExpectedLargeDoc = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "expected_large.json"))).RootElement);

    /// <summary>The 20,000-per-side values made by Fixtures/drift/make_large_fixtures.py.</summary>
    public static JsonElement ExpectedLarge => ExpectedLargeDoc.Value;

    public static DataMatrix Load(string name) => NpyReader.Read(Path.Combine(Dir, name + ".npy"));

    public static JsonElement Expected(string section) => ExpectedDoc.Value.GetProperty(section);

    public static double[] Array(string section, string key) =>
        Expected(section).GetProperty(key).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static double Number(string section, string key) => Expected(section).GetProperty(key).GetDouble();

    public static double[] Column(DataMatrix m, int j) => Enumerable.Range(0, m.Rows).Select(i => m[i, j]).ToArray();

    public static double[] SortedColumn(DataMatrix m, int j)
    {
        var c = Column(m, j);
        System.Array.Sort(c);
        return c;
    }

    public static void Close(double expected, double actual, double relative, double absolute = 0, string? what = null)
    {
        var tolerance = Math.Max(absolute, relative * Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= tolerance,
            $"{what}: expected {expected:R}, got {actual:R} (diff {Math.Abs(expected - actual):E3}, tolerance {tolerance:E3})");
    }
}
