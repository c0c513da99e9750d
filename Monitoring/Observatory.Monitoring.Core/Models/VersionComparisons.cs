using Observatory.Monitoring.Contracts;

namespace Observatory.Monitoring.Core.Models;

/// <summary>
/// Puts a model's versions side by side from the windows already stored: each window records which versions served it
/// (<see cref="WindowResult.ModelVersions"/>), each version's own drift verdict when several shared it
/// (<see cref="DriftRun.EmbeddingByVersion"/>) and each version's accuracy (<see cref="WindowResult.AccuracyByVersion"/>).
/// Nothing is re-measured: the comparison is only as good as the windows, and says how many it read.
/// </summary>
public static class VersionComparisons
{
    public static ModelVersionComparison Compare(MonitoredModel model, IReadOnlyList<DriftRun> drift, IReadOnlyList<AccuracyRun> accuracy, int windowsRead)
    {
        var stats = new Dictionary<string, Tally>(StringComparer.Ordinal);
        Tally Of(string version) => stats.TryGetValue(version, out var t) ? t : stats[version] = new Tally();

        foreach (var run in drift)
        {
            if (run.Window?.ModelVersions is not { Count: > 0 } served) continue;
            foreach (var (version, events) in served)
            {
                if (events <= 0) continue;
                var t = Of(version);
                t.Windows++;
                t.Events += events;
                var end = run.Window.WindowEnd;
                if (t.First is null || end < t.First) t.First = end;
                if (t.Last is null || end > t.Last) t.Last = end;
                // A version's own verdict when the window was split by version; the window's when it served alone. A version
                // that shared a window too thinly to be compared on its own has no verdict there (not "no drift").
                var verdict = run.EmbeddingByVersion?.GetValueOrDefault(version)?.Drifted
                    ?? (served.Count(kv => kv.Value > 0) == 1 ? run.Window.EmbeddingDrift : null);
                if (verdict is { } drifted)
                {
                    t.DriftMeasured++;
                    if (drifted) t.Drifted++;
                }
            }
        }
        foreach (var run in accuracy)
        {
            if (run.Window?.AccuracyByVersion is not { Count: > 0 } byVersion) continue;
            foreach (var (version, value) in byVersion)
            {
                var weight = run.Window.ModelVersions?.GetValueOrDefault(version) ?? 0;
                if (weight <= 0 || !double.IsFinite(value)) continue;
                var t = Of(version);
                t.AccuracyWindows++;
                t.AccuracySum += value * weight;
                t.AccuracyWeight += weight;
            }
        }

        var registered = model.PreviousVersions
            .Select(v => (v.Version, v.Stage, Current: false, RegisteredAt: (DateTimeOffset?)v.RegisteredAt, ReplacedAt: (DateTimeOffset?)v.ReplacedAt, v.BaselineAccuracy))
            .Append((model.Version, model.Stage, Current: true, RegisteredAt: model.VersionRegisteredAt, ReplacedAt: null, model.BaselineAccuracy))
            .ToList();
        // Versions the clients named but nobody registered still served traffic: listed after the registered ones.
        var unregistered = stats.Keys.Where(v => registered.All(r => r.Version != v)).Order(StringComparer.Ordinal)
            .Select(v => (Version: v, Stage: (string?)null, Current: false, RegisteredAt: (DateTimeOffset?)null, ReplacedAt: (DateTimeOffset?)null, BaselineAccuracy: (double?)null));
        // A version registered twice (re-registration after a rollback) is listed once, at its latest registration.
        var rows = registered.Concat(unregistered).GroupBy(r => r.Version, StringComparer.Ordinal).Select(g => g.Last()).ToList();

        var summaries = rows.Select(r =>
        {
            var t = stats.GetValueOrDefault(r.Version) ?? new Tally();
            double? acc = t.AccuracyWeight > 0 ? t.AccuracySum / t.AccuracyWeight : null;
            return new ModelVersionSummary(r.Version, r.Stage, r.Current, r.RegisteredAt, r.ReplacedAt, t.First, t.Last, t.Windows, t.Events,
                t.DriftMeasured, t.Drifted, t.DriftMeasured > 0 ? t.Drifted / (double)t.DriftMeasured : null, t.AccuracyWindows, acc,
                r.BaselineAccuracy, acc is { } a && r.BaselineAccuracy is { } b ? a - b : null);
        }).ToList();
        return new ModelVersionComparison(model.Name, windowsRead, summaries);
    }

    private sealed class Tally
    {
        public int Windows;
        public long Events;
        public DateTimeOffset? First;
        public DateTimeOffset? Last;
        public int DriftMeasured;
        public int Drifted;
        public int AccuracyWindows;
        public double AccuracySum;
        public long AccuracyWeight;
    }
}
