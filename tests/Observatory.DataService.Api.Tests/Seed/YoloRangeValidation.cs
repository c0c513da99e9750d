using System.Globalization;
using System.Text.Json;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Ports;

namespace Observatory.DataService.Api.Tests.Seed;

/// <summary>
/// A small real validator for the seeded data (the full rule set lives in the validation library): YOLO rows must have
/// coordinates in [0, 1] (error <c>yolo.coordinate_range</c>); boxes under 3% of the image are warned (<c>yolo.small_box</c>).
/// Writes the report in the validation JSON shape with repo-relative paths and 1-based lines.
/// </summary>
public sealed class YoloRangeValidation : IDatasetValidation
{
    public Task<ValidationOutcome> ValidateAsync(string datasetDirectory, string datasetPath, TreeObject tree, string? rulesYaml, string cacheDirectory, IOperationProgress progress, CancellationToken ct)
    {
        var findings = new List<Dictionary<string, object>>();
        foreach (var entry in tree.Entries.Where(e => e.Path.StartsWith("labels/", StringComparison.Ordinal) && e.Path.EndsWith(".txt", StringComparison.Ordinal)))
        {
            var lines = File.ReadAllLines(Path.Combine(datasetDirectory, entry.Path));
            for (var i = 0; i < lines.Length; i++)
            {
                var parts = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 5) continue;
                var v = parts.Skip(1).Take(4).Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
                var path = datasetPath + "/" + entry.Path;
                if (v.Any(x => x is < 0 or > 1))
                    findings.Add(Finding("yolo.coordinate_range", "error", path, i + 1, $"coordinate {v.First(x => x is < 0 or > 1).ToString(CultureInfo.InvariantCulture)} outside [0, 1]"));
                else if (v[2] * v[3] < 0.03)
                    findings.Add(Finding("yolo.small_box", "warning", path, i + 1, $"box covers {(v[2] * v[3] * 100).ToString("0.0", CultureInfo.InvariantCulture)}% of the image"));
            }
        }
        var errors = findings.Count(f => (string)f["severity"] == "error");
        var warnings = findings.Count - errors;
        var byRule = findings.GroupBy(f => (string)f["rule"]).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        var report = new Dictionary<string, object>
        {
            ["dataset"] = datasetPath,
            ["files"] = tree.Entries.Count,
            ["summary"] = new Dictionary<string, object> { ["errors"] = errors, ["warnings"] = warnings, ["by_rule"] = byRule },
            ["findings"] = findings,
        };
        var json = JsonSerializer.SerializeToUtf8Bytes(report);
        return Task.FromResult(new ValidationOutcome(errors, warnings, json, $"{errors} error(s), {warnings} warning(s)"));
    }

    private static Dictionary<string, object> Finding(string rule, string severity, string path, int line, string message) =>
        new() { ["rule"] = rule, ["severity"] = severity, ["path"] = path, ["line"] = line, ["message"] = message };
}
