using System.Text.Json;

namespace Observatory.Monitoring.Contracts;

/// <summary>
/// The methods run on one reference/current pair (embeddings, predicted classes, confidences or image statistics) and the report's
/// verdict. <see cref="VerdictMethod"/> names the method that decides <see cref="Drifted"/> (null when any method's verdict counts).
/// </summary>
public sealed record DriftRunReport(SampleInfo? Reference, SampleInfo? Current, IReadOnlyList<MethodVerdict> Methods)
{
    /// <summary>The method whose verdict is the report's (e.g. KS up to 1,000 reference rows, else Wasserstein); null: any method.</summary>
    public string? VerdictMethod { get; init; }

    /// <summary>The report's verdict, as the service decided it.</summary>
    public bool? Drifted { get; init; }

    public DriftRunReport Compact(int maxArrayLength) =>
        this with { Methods = Methods?.Select(m => m.Compact(maxArrayLength)).ToList() ?? [] };
}

/// <summary>Where a sample came from and its size before sampling.</summary>
public sealed record SampleInfo(string? Path, int N, int D);

/// <summary>
/// One method's verdict: the statistic, its p-value when it has one, the threshold it was compared with, whether it flagged drift.
/// <see cref="Details"/> are the method's own diagnostics (kernel width, per-dimension statistics, counts) in the `obs drift --json`
/// vocabulary; they differ per method, so they stay raw JSON and no client derives a verdict from them.
/// </summary>
public sealed record MethodVerdict(string Method, double Statistic, double? PValue, double Threshold, bool Drifted, IReadOnlyDictionary<string, JsonElement>? Details)
{
    /// <summary>Rows of each side the method used (it may sample further than the run did); null in results stored before it was recorded.</summary>
    public MethodRows? RowsUsed { get; init; }

    public MethodVerdict Compact(int maxArrayLength) => Details is null ? this : this with
    {
        Details = Details.Where(d => d.Value.ValueKind != JsonValueKind.Array || d.Value.GetArrayLength() <= maxArrayLength).ToDictionary(),
    };
}

/// <summary>Rows of the reference and of the current side one method used.</summary>
public sealed record MethodRows(int Reference, int Current);
