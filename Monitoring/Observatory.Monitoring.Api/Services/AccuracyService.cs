using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Accuracy;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Services;

/// <summary>Accuracy of one window: measured on the events that have feedback, and estimated from calibrated confidence for all.</summary>
public sealed class AccuracyService(IMonitoringStore store, IOptions<MonitoringOptions> options, MonitoringMetrics metrics, [FromKeyedServices(MonitoringHost.ClockKey)] TimeProvider time)
{
    public async Task<AccuracyRun?> RunAsync(string modelName, CancellationToken ct)
    {
        var model = await store.GetModelAsync(modelName, ct);
        if (model is null) return null;
        var now = time.GetUtcNow();
        var window = DriftService.CurrentWindow(model, now);
        var max = options.Value.MaxWindowEvents;
        // As drift does: exact counts from the database, measures on a uniform sample of at most MaxWindowEvents (labelled events
        // are sampled in their share, so measured accuracy stays unbiased).
        var counts = await store.CountWindowAsync(model.Name, window.Start, window.End, ct);
        var current = await store.SampleEventsAsync(model.Name, window.Start, window.End, max, false, ct);
        var labelled = current.Where(e => e.TrueClass is not null).ToList();
        ClassificationMetrics? m = labelled.Count == 0 ? null : ClassificationMetrics.Compute(
            labelled.Select(e => model.ClassIndex(e.TrueClass!)).ToList(), labelled.Select(e => model.ClassIndex(e.PredictedClass)).ToList(), model.Classes.Count);
        var measured = m is null ? null : AccuracyInterval.ClopperPearson(m.Correct, m.Count);
        double? estimate = null;
        AccuracyInterval? band = null;
        var calibrationCount = 0;
        if (model.ReferenceUntil is { } until && current.Count > 0)
        {
            var reference = (await store.SampleEventsAsync(model.Name, DateTimeOffset.UnixEpoch, until, max, false, ct)).Where(e => e.TrueClass is not null).ToList();
            calibrationCount = reference.Count;
            if (reference.Count >= DriftService.MinEvents)
            {
                var calibration = ConfidenceCalibration.Fit(reference.Select(e => e.Confidence).ToList(), reference.Select(e => e.TrueClass == e.PredictedClass).ToList());
                (var value, band) = calibration.EstimateAccuracyWithBand(current.Select(e => e.Confidence).ToList());
                estimate = value;
            }
        }
        var result = new WindowResult
        {
            Model = model.Name, WindowStart = window.Start, WindowEnd = window.End, EventCount = (int)Math.Min(counts.Events, int.MaxValue),
            Accuracy = m?.Accuracy, EstimatedAccuracy = estimate,
            AccuracyLower = measured?.Lower, AccuracyUpper = measured?.Upper,
            EstimatedAccuracyLower = band?.Lower, EstimatedAccuracyUpper = band?.Upper,
            ModelVersions = counts.ByVersion.Count == 0 ? null : counts.ByVersion.ToDictionary(v => v.Key, v => (int)Math.Min(v.Value, int.MaxValue), StringComparer.Ordinal),
            AccuracyByVersion = ModelVersions.Accuracy(labelled),
        };
        // Decided on the whole window (its interval, not just its point) by the same test, and tolerance, as the model's alert rule.
        result = result with { AccuracyBelowBaseline = AccuracyBaseline.IsWindowBelow(result, model.BaselineAccuracy, AccuracyBaseline.WindowTolerance(model.AlertRules)) };
        if (m is not null)
        {
            // Per class, by name: what classRecallBelow reads, with how many labelled events stand behind each recall.
            var recall = new SortedDictionary<string, double>(StringComparer.Ordinal);
            var count = new SortedDictionary<string, int>(StringComparer.Ordinal);
            for (var k = 0; k < model.Classes.Count && k < m.Recall.Count; k++)
            {
                if (m.Recall[k] is not { } r) continue;
                recall[model.Classes[k]] = r;
                count[model.Classes[k]] = (int)m.Confusion[k].Sum();
            }
            result = result with { ClassRecall = recall, ClassLabelled = count };
        }
        if ((m?.Accuracy ?? estimate) is { } shown) metrics.Accuracy(model.Name, shown);
        var run = new AccuracyRun(result, labelled.Count, m?.ToScores(), model.BaselineAccuracy, calibrationCount,
            current.Count == 0 ? "no events in the window" : labelled.Count == 0 ? "no feedback in the window; estimate only" : null);
        // The stored flag (series thinning keeps flagged windows) is the same verdict the window carries.
        await store.AddResultAsync(new StoredResult(model.Name, StoredResults.Accuracy, window.Start, window.End, result.EventCount, result.AccuracyBelowBaseline == true, m?.Accuracy ?? estimate,
            StoredResults.Serialize(run), now), ct);
        return run;
    }
}
