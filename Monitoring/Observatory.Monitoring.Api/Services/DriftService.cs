using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Drift;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Core.Windows;

namespace Observatory.Monitoring.Api.Services;

/// <summary>
/// Compares the model's recent window with its reference period: embeddings (the model's methods), predicted classes and
/// confidences. Which method decides each verdict is <see cref="DriftRuns"/>' choice, made once for every client.
/// </summary>
public sealed class DriftService(IMonitoringStore store, IReferenceDatasets references, IModelEncoders encoders, IOptions<MonitoringOptions> options, MonitoringMetrics metrics,
    [FromKeyedServices(MonitoringHost.ClockKey)] TimeProvider time)
{
    public const int MinEvents = 20;

    /// <summary>Events per side whose embeddings and image statistics a drift run reads (a prefix of the window's sample).</summary>
    public const int EmbeddingSample = 10_000;

    public async Task<DriftRun?> RunAsync(string modelName, CancellationToken ct)
    {
        var model = await store.GetModelAsync(modelName, ct);
        if (model is null) return null;
        var now = time.GetUtcNow();
        var window = CurrentWindow(model, now);
        var withEmbeddings = model.EmbeddingDimension > 0;
        // A window of millions is never loaded: the database counts it exactly and returns a uniform sample (the events with the
        // smallest sampling key), up to MaxWindowEvents of the small columns and the first EmbeddingSample of those with their
        // embeddings and image statistics. Time and memory follow these caps, not traffic.
        var max = options.Value.MaxWindowEvents;
        var embeddingMax = Math.Min(EmbeddingSample, max);
        var counts = await store.CountWindowAsync(model.Name, window.Start, window.End, ct);
        var served = await store.SampleEventsAsync(model.Name, window.Start, window.End, max, false, ct);
        var servedBlobs = withEmbeddings ? await store.SampleEventsAsync(model.Name, window.Start, window.End, embeddingMax, true, ct) : [];
        var current = served;
        var currentBlobs = servedBlobs;
        var judged = counts.Events;
        IReadOnlyList<InferenceEvent> reference = [], referenceBlobs = [];
        long? referenceEvents = null;
        if (model.ReferenceUntil is { } until)
        {
            referenceEvents = (await store.CountWindowAsync(model.Name, DateTimeOffset.UnixEpoch, until, ct)).Events;
            reference = await store.SampleEventsAsync(model.Name, DateTimeOffset.UnixEpoch, until, max, false, ct);
            if (withEmbeddings && model.Reference is null)
                referenceBlobs = await store.SampleEventsAsync(model.Name, DateTimeOffset.UnixEpoch, until, embeddingMax, true, ct);
        }
        // Embeddings reach the matrices sampled to at most EmbeddingSample per side (the library's default is 100,000 for
        // `obs drift`); the other methods use every row read.
        var driftOptions = new DriftOptions { MaxSamples = EmbeddingSample };
        var notes = new List<string>();
        string? versionNote = null;
        // Once a new version took over (a retrained model, its reference moved with it), a window is judged on the traffic that
        // version served: what the replaced version saw before the switch is history, and must not keep the alert it raised
        // firing. Until the new version has served enough events, the whole window is judged as before.
        var own = counts.ByVersion.GetValueOrDefault(model.Version ?? "");
        if (model.PreviousVersions.Count > 0 && own < counts.Events && own >= MinEvents)
        {
            versionNote = $"{counts.Events - own} events served by earlier versions were left out: the window is judged on the {own} version {model.Version} served";
            current = served.Where(e => e.ModelVersion == model.Version).ToList();
            currentBlobs = servedBlobs.Where(e => e.ModelVersion == model.Version).ToList();
            judged = own;
        }

        // Embedding reference: the dataset version when the model names one (cached embeddings), else the reference period.
        List<float[]> referenceVectors = [];
        var compared = new DriftReference(null, null, model.ReferenceUntil);
        List<double[]> referenceFeatures = referenceBlobs.Where(e => e.ImageFeatures is not null).Select(e => e.ImageFeatures!).ToList();
        if (withEmbeddings && model.Reference is { } dataset)
        {
            var embedded = await references.GetEmbeddingsAsync(dataset, await encoders.ForModelAsync(model, ct), nameFiles: false, ct);
            referenceFeatures = [.. embedded.ImageFeatures];
            compared = new DriftReference(dataset, embedded.TreeHash, null);
            if (embedded.Vectors.Length > 0 && embedded.Vectors[0].Length != model.EmbeddingDimension)
                notes.Add($"reference dataset embeddings have {embedded.Vectors[0].Length} dimensions but the model sends {model.EmbeddingDimension}; send embeddings from the same encoder");
            else referenceVectors = [.. embedded.Vectors];
        }
        else if (withEmbeddings) referenceVectors = referenceBlobs.Where(e => e.Embedding?.Length == model.EmbeddingDimension).Select(e => e.Embedding!).ToList();

        DriftReport? embedding = null, prediction = null, confidence = null, imageStatistics = null;
        Dictionary<string, DriftRunReport>? embeddingByVersion = null;
        ImageFeatureMeans? imageMeans = null;
        if (judged < MinEvents) notes.Add($"window has {judged} events (needs {MinEvents})");
        else
        {
            // Events embedded by an earlier model version's encoder (another dimension) cannot be compared: left out, and said so.
            var currentVectors = currentBlobs.Where(e => e.Embedding?.Length == model.EmbeddingDimension).Select(e => e.Embedding!).ToList();
            var otherDimension = currentBlobs.Count(e => e.Embedding is not null && e.Embedding.Length != model.EmbeddingDimension);
            if (otherDimension > 0)
                notes.Add($"{otherDimension} events of the window{(currentBlobs.Count < judged ? "'s sample" : "")} have embeddings of another dimension (an earlier model version's encoder) and were left out of embedding drift");
            if (withEmbeddings && referenceVectors.Count >= MinEvents && currentVectors.Count >= MinEvents)
            {
                // Only a seeded sample of a large window becomes a matrix: cost and memory follow the sample cap, not traffic.
                var r = ToMatrix(SampleList(referenceVectors, driftOptions.MaxSamples, driftOptions.Seed), model.EmbeddingDimension);
                var c = ToMatrix(SampleList(currentVectors, driftOptions.MaxSamples, driftOptions.Seed + 1), model.EmbeddingDimension);
                embedding = DriftRunner.Run(r, c, model.DriftMethods, driftOptions, cancellationToken: ct);
                foreach (var m in embedding.Methods) metrics.DriftScore(model.Name, "embedding_" + m.Method, m.Statistic);
                embeddingByVersion = ByVersion(model, servedBlobs, r, driftOptions, ct);
            }
            else if (withEmbeddings && notes.Count == 0) notes.Add($"embedding reference has {referenceVectors.Count} vectors (needs {MinEvents})");
            var currentFeatures = currentBlobs.Where(e => e.ImageFeatures is not null).Select(e => e.ImageFeatures!).ToList();
            if (referenceFeatures.Count >= MinEvents && currentFeatures.Count >= MinEvents)
            {
                // Interpretable: which of brightness, contrast, sharpness, saturation, size moved (KS with Bonferroni and normed Wasserstein).
                imageStatistics = DriftRunner.Run(DataMatrix.FromRows(referenceFeatures), DataMatrix.FromRows(currentFeatures),
                    [DriftMethodNames.Ks, DriftMethodNames.Wasserstein], driftOptions, cancellationToken: ct);
                imageMeans = ImageFeatureMeans.Of(referenceFeatures, currentFeatures);
            }
            if (reference.Count >= MinEvents)
            {
                prediction = DriftRunner.RunCategorical(reference.Select(e => model.ClassIndex(e.PredictedClass)).ToList(),
                    current.Select(e => model.ClassIndex(e.PredictedClass)).ToList(), driftOptions);
                confidence = DriftRunner.RunNumeric(reference.Select(e => e.Confidence).ToList(), current.Select(e => e.Confidence).ToList(), driftOptions);
                foreach (var m in prediction.Methods) metrics.DriftScore(model.Name, "prediction_" + m.Method, m.Statistic);
                foreach (var m in confidence.Methods) metrics.DriftScore(model.Name, "confidence_" + m.Method, m.Statistic);
            }
            else notes.Add($"reference period has {reference.Count} events (needs {MinEvents}) for prediction drift; set referenceUntil after the reference traffic");
        }
        if (versionNote is not null) notes.Add(versionNote);
        // Endpoint health is the endpoint's, whichever version served: every event of the window counts (the error rate exactly,
        // the latency percentile on the sample).
        var (_, latencyP95) = EndpointHealth.Of(served);
        var measured = new WindowResult
        {
            Model = model.Name, WindowStart = window.Start, WindowEnd = window.End, EventCount = (int)Math.Min(judged, int.MaxValue),
            ModelVersions = counts.ByVersion.Count == 0 ? null : counts.ByVersion.ToDictionary(v => v.Key, v => (int)Math.Min(v.Value, int.MaxValue), StringComparer.Ordinal),
            ErrorRate = counts.Events == 0 ? null : counts.Errors / (double)counts.Events,
            LatencyP95Ms = latencyP95,
        };
        var run = DriftRuns.Create(measured, embedding, prediction, confidence, imageStatistics, ImageStatistics.FeatureNames,
            current.Count == 0 ? null : Histogram.OfUnitInterval(reference.Select(e => e.Confidence), current.Select(e => e.Confidence)),
            notes.Count == 0 ? null : string.Join("; ", notes), imageMeans) with
            {
                EmbeddingByVersion = embeddingByVersion, Reference = compared,
                Sampling = new DriftSampling(judged, current.Count, currentBlobs.Count, referenceEvents, model.ReferenceUntil is null ? null : reference.Count,
                    model.ReferenceUntil is null || model.Reference is not null ? null : referenceBlobs.Count),
            };
        await store.AddResultAsync(new StoredResult(model.Name, StoredResults.Drift, window.Start, window.End, measured.EventCount,
            run.Window.Flagged, run.Embedding?.Methods.FirstOrDefault()?.Statistic,
            StoredResults.Serialize(run), now), ct);
        return run;
    }

    /// <summary>Sample cap per side of the outlier search (brute-force nearest neighbour: cost is the product of both sides).</summary>
    public const int OutlierSample = 2000;

    /// <summary>
    /// The <paramref name="count"/> events of a stored drift window (the latest when <paramref name="windowEnd"/> is null) farthest from
    /// their nearest reference embedding, and the reference items closest to the reference mean. Null when the model or window is unknown.
    /// </summary>
    public async Task<DriftOutliers?> OutliersAsync(string modelName, DateTimeOffset? windowEnd, int count, CancellationToken ct)
    {
        var model = await store.GetModelAsync(modelName, ct);
        if (model is null) return null;
        var stored = windowEnd is { } end
            ? (await store.ListResultSummariesAsync(model.Name, StoredResults.Drift, end, end, ct)).LastOrDefault() is { } s ? (s.WindowStart, s.WindowEnd, s.Drifted) : ((DateTimeOffset, DateTimeOffset, bool)?)null
            : (await store.ListResultsAsync(model.Name, StoredResults.Drift, 1, ct)).LastOrDefault() is { } r ? (r.WindowStart, r.WindowEnd, r.Drifted) : null;
        if (stored is not var (start, stop, flagged)) return null;
        var current = (await store.SampleEventsAsync(model.Name, start, stop, OutlierSample, true, ct)).Where(e => e.Embedding?.Length == model.EmbeddingDimension).ToList();
        var (reference, source) = await OutlierReferenceAsync(model, ct);
        if (current.Count == 0 || reference.Count == 0)
            return new DriftOutliers(start, stop, flagged, current.Count, source, [], [],
                current.Count == 0 ? "the window has no stored embeddings (retention may have pruned them)" : "the reference has no embeddings");
        if (reference[0].Vector.Length != current[0].Embedding!.Length)
            return new DriftOutliers(start, stop, flagged, current.Count, source, [], [], "reference and window embeddings differ in dimension");
        var referenceVectors = reference.Select(r => r.Vector).ToList();
        var distances = await Task.Run(() => Outliers.NearestReferenceDistances(referenceVectors, current.Select(e => e.Embedding!).ToList(), ct), ct);
        var outliers = Outliers.Largest(distances, count)
            .Select(i => new OutlierEvent(current[i].Id, current[i].Timestamp, current[i].PredictedClass, current[i].Confidence, distances[i], current[i].ImageUri) { ImageSha256 = current[i].ImageSha256 }).ToList();
        var typical = Outliers.Typical(referenceVectors, count).Select(t => reference[t.Index].Describe(t.Distance)).ToList();
        return new DriftOutliers(start, stop, flagged, current.Count, source, outliers, typical, null);
    }

    /// <summary>
    /// The reference the outlier views compare a window with, sampled as <see cref="OutliersAsync"/> does: the dataset version's
    /// embeddings when the model names one ("dataset"; their files' classes are not read), else the reference period's events
    /// ("period", each with its true class, or its prediction when no feedback came).
    /// </summary>
    internal async Task<(List<ReferencePoint> Points, string Source)> OutlierReferenceAsync(MonitoredModel model, CancellationToken ct)
    {
        var seed = new DriftOptions().Seed;
        if (model.Reference is { } dataset)
        {
            var embedded = await references.GetEmbeddingsAsync(dataset, await encoders.ForModelAsync(model, ct), nameFiles: true, ct);
            var points = SampleList(Enumerable.Range(0, embedded.Vectors.Length).ToList(), OutlierSample, seed + 1)
                .Select(i => new ReferencePoint(embedded.Vectors[i], null, embedded.Items?[i] is { } item
                    ? d => new TypicalReference(item.Path, d, null, null, item.Sha256, item.Path)
                    : d => new TypicalReference(null, d, null, null)))
                .ToList();
            return (points, "dataset");
        }
        var events = model.ReferenceUntil is { } until
            ? (await store.SampleEventsAsync(model.Name, DateTimeOffset.UnixEpoch, until, OutlierSample, true, ct)).Where(e => e.Embedding?.Length == model.EmbeddingDimension).ToList()
            : [];
        return (events
            .Select(e => new ReferencePoint(e.Embedding!, e.TrueClass ?? e.PredictedClass, d => new TypicalReference(e.Id, d, e.PredictedClass, e.ImageUri, e.ImageSha256)))
            .ToList(), "period");
    }

    /// <summary>A seeded sample of at most <paramref name="max"/> items (all of them when there are fewer).</summary>
    private static List<T> SampleList<T>(List<T> items, int max, int seed) =>
        items.Count <= max ? items : Sampling.SampleIndices(items.Count, max, seed).Select(i => items[i]).ToList();

    public static TimeWindow CurrentWindow(MonitoredModel model, DateTimeOffset now)
    {
        var w = TimeWindow.Trailing(now, model.Window);
        // The reference period never counts as current traffic.
        return model.ReferenceUntil is { } until && w.Start < until ? new TimeWindow(until < w.End ? until : w.End, w.End) : w;
    }

    /// <summary>
    /// When two or more model versions each served enough events of the window, each version's embeddings against the same
    /// reference sample: a new version drifting while the old one does not is the comparison a rollout needs.
    /// </summary>
    private static Dictionary<string, DriftRunReport>? ByVersion(MonitoredModel model, IReadOnlyList<InferenceEvent> current, DataMatrix reference,
        DriftOptions driftOptions, CancellationToken ct)
    {
        var groups = current.Where(e => e.ModelVersion is not null && e.Embedding?.Length == model.EmbeddingDimension)
            .GroupBy(e => e.ModelVersion!, StringComparer.Ordinal).Where(g => g.Count() >= MinEvents).ToList();
        if (groups.Count < 2) return null;
        var result = new Dictionary<string, DriftRunReport>(StringComparer.Ordinal);
        foreach (var g in groups.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var c = ToMatrix(SampleList(g.Select(e => e.Embedding!).ToList(), driftOptions.MaxSamples, driftOptions.Seed + 1), model.EmbeddingDimension);
            result[g.Key] = DriftRuns.Publish(DriftRunner.Run(reference, c, model.DriftMethods, driftOptions, cancellationToken: ct), null);
        }
        return result;
    }

    private static DataMatrix ToMatrix(IReadOnlyList<float[]> vectors, int dim)
    {
        var data = new double[vectors.Count * dim];
        for (var i = 0; i < vectors.Count; i++)
        {
            var e = vectors[i];
            for (var j = 0; j < dim; j++) data[i * dim + j] = e[j];
        }
        return new DataMatrix(vectors.Count, dim, data);
    }
}

/// <summary>One reference embedding, with its class when known and how it is described when it is typical of the reference.</summary>
internal sealed record ReferencePoint(float[] Vector, string? Class, Func<double, TypicalReference> Describe);
