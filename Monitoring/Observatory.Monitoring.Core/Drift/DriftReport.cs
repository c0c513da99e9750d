using System.Text.Json;
using System.Text.Json.Serialization;

namespace Observatory.Monitoring.Core.Drift;

/// <summary>One method's verdict: the statistic, its p-value when it has one, the threshold it was compared with, and details.</summary>
public sealed record DriftResult(
    string Method, double Statistic, double? PValue, double Threshold, bool Drifted, IReadOnlyDictionary<string, object?> Details);

/// <summary>Where a sample came from and its size before sampling.</summary>
public sealed record SampleSummary(string? Path, int N, int D);

/// <summary>Results of all methods run on one reference/current pair; serialises to the `obs drift --json` contract.</summary>
public sealed record DriftReport(SampleSummary Reference, SampleSummary Current, IReadOnlyList<DriftResult> Methods)
{
    [JsonIgnore]
    public bool AnyDrift => Methods.Any(m => m.Drifted);

    public string ToJson(bool indented = false) => JsonSerializer.Serialize(this, DriftJson.Options(indented));
}

/// <summary>JSON settings for drift reports: snake_case keys, nulls omitted (a method without a p-value has no p_value key).</summary>
public static class DriftJson
{
    private static readonly JsonSerializerOptions Compact = Create(false);
    private static readonly JsonSerializerOptions Indented = Create(true);

    public static JsonSerializerOptions Options(bool indented) => indented ? Indented : Compact;

    private static JsonSerializerOptions Create(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = indented,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
