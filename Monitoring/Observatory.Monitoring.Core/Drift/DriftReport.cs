using System.Text.Json;
using System.Text.Json.Serialization;

namespace Observatory.Monitoring.Core.Drift;

/// <summary>One method's verdict: the statistic, its p-value when it has one, the threshold it was compared with, and details.</summary>
public sealed record DriftResult(
    string Method, double Statistic, double? PValue, double Threshold, bool Drifted,
    [property: JsonPropertyOrder(1)] IReadOnlyDictionary<string, object?> Details)
{
    /// <summary>Rows of each side this method actually used: all of them, or the seeded sample a costly method is capped to.</summary>
    public RowCounts? RowsUsed { get; init; }
}

/// <summary>Rows per side.</summary>
public sealed record RowCounts(int Reference, int Current);

/// <summary>Where a sample came from and its size before sampling.</summary>
public sealed record SampleSummary(string? Path, int N, int D);

/// <summary>
/// Results of all methods run on one reference/current pair; serialises to the `obs drift --json` contract. <see cref="Drift"/>
/// and <see cref="Policy"/> are set by <see cref="WithVerdict"/> (absent from the JSON until then).
/// </summary>
public sealed record DriftReport(SampleSummary Reference, SampleSummary Current, [property: JsonPropertyOrder(1)] IReadOnlyList<DriftResult> Methods)
{
    /// <summary>The verdict of <see cref="Policy"/>: the one value to gate on.</summary>
    public bool? Drift { get; init; }

    public DriftDecision? Policy { get; init; }

    [JsonIgnore]
    public bool AnyDrift => Methods.Any(m => m.Drifted);

    /// <summary>This report with the policy's verdict and how it was reached.</summary>
    public DriftReport WithVerdict(DriftPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var decision = policy.Decide(Methods);
        return this with { Drift = decision.Drift, Policy = decision };
    }

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
