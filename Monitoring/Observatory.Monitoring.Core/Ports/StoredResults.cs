using System.Text.Json;
using Observatory.Monitoring.Contracts;

namespace Observatory.Monitoring.Core.Ports;

/// <summary>
/// The one serializer of <see cref="StoredResult.Json"/>: drift and accuracy runs are written and read back here as their contract
/// records, so nothing else parses a stored result by property name.
/// </summary>
public static class StoredResults
{
    public const string Drift = "drift";
    public const string Accuracy = "accuracy";

    public static string Serialize(DriftRun run) => JsonSerializer.Serialize(run, MonitoringJson.Options);

    public static string Serialize(AccuracyRun run) => JsonSerializer.Serialize(run, MonitoringJson.Options);

    public static DriftRun ReadDrift(StoredResult result) => Read<DriftRun>(result, Drift);

    public static AccuracyRun ReadAccuracy(StoredResult result) => Read<AccuracyRun>(result, Accuracy);

    /// <summary>Only the window of a drift or accuracy result (what alert rules read); the rest of the JSON is skipped, not materialised.</summary>
    public static WindowResult? ReadWindow(StoredResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return JsonSerializer.Deserialize<WindowOnly>(result.Json, MonitoringJson.Options)?.Window;
    }

    private static T Read<T>(StoredResult result, string kind) where T : class
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Kind != kind) throw new ArgumentException($"result of {result.Model} ending {result.WindowEnd:O} is a {result.Kind} result, not {kind}", nameof(result));
        return JsonSerializer.Deserialize<T>(result.Json, MonitoringJson.Options)
            ?? throw new JsonException($"stored {kind} result of {result.Model} ending {result.WindowEnd:O} is JSON null");
    }

    private sealed record WindowOnly(WindowResult? Window);
}
