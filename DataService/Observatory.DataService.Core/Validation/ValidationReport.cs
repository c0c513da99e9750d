using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Observatory.DataService.Core.Validation;

/// <summary>Counts for the pointer file and the CLI exit code; <see cref="ByRule"/> counts every finding (all severities), keys sorted.</summary>
public sealed record ValidationSummary(
    [property: JsonPropertyOrder(0)] int Errors,
    [property: JsonPropertyOrder(1)] int Warnings,
    [property: JsonPropertyOrder(2)] int Info,
    [property: JsonPropertyOrder(3)] IReadOnlyDictionary<string, int> ByRule)
{
    public static ValidationSummary Of(IEnumerable<ValidationFinding> findings)
    {
        int errors = 0, warnings = 0, info = 0;
        var byRule = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var f in findings)
        {
            switch (f.Severity)
            {
                case Severity.Error: errors++; break;
                case Severity.Warning: warnings++; break;
                default: info++; break;
            }
            byRule[f.Rule] = byRule.GetValueOrDefault(f.Rule) + 1;
        }
        return new ValidationSummary(errors, warnings, info, byRule);
    }
}

/// <summary>Objects of one class; <see cref="Id"/> is the YOLO class id or COCO category id when the source has ids.</summary>
public sealed record ClassCount(string Name, int? Id, int Count);

/// <summary>
/// Objects per class from one annotation source (yolo, coco or voc — the first present, so a dataset with both YOLO and COCO
/// is not counted twice); <see cref="ImbalanceRatio"/> = largest / smallest non-empty class.
/// </summary>
public sealed record ClassBalance(string Source, IReadOnlyList<ClassCount> Classes, double? ImbalanceRatio);

/// <summary>The result of validating one tracked dataset. JSON shape: see <see cref="ValidationJson"/>.</summary>
public sealed record ValidationReport(
    [property: JsonPropertyOrder(0)] string Dataset,
    [property: JsonPropertyOrder(1)] int Files,
    [property: JsonPropertyOrder(2)] ValidationSummary Summary,
    [property: JsonPropertyOrder(3)] IReadOnlyList<ValidationFinding> Findings,
    [property: JsonPropertyOrder(4)] ClassBalance? ClassBalance = null)
{
    [JsonIgnore]
    public bool HasErrors => Summary.Errors > 0;
}

/// <summary>
/// The one JSON dialect of validation: snake_case names, lowercase enum strings, nulls omitted. The report serialises as
/// <c>{"dataset","files","summary":{"errors","warnings","info","by_rule"},"findings":[{"rule","severity","path","line"?,"annotation_id"?,"message"}],"class_balance"?}</c>.
/// </summary>
public static class ValidationJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    public static string Serialize(ValidationReport report, bool indented = true) => JsonSerializer.Serialize(report, indented ? Indented : Options);

    public static byte[] SerializeToUtf8Bytes(ValidationReport report, bool indented = false) =>
        JsonSerializer.SerializeToUtf8Bytes(report, indented ? Indented : Options);

    public static ValidationReport Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<ValidationReport>(json, Options) ?? throw new JsonException("validation report is null");

    private static JsonSerializerOptions Create(bool indented)
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = indented,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
