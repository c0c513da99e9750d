using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Core.Alerts;
using Observatory.Monitoring.Core.Drift;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Core.Windows;

namespace Observatory.Monitoring.Api.Services;

/// <summary>Full record of one drift run, stored as the result's JSON; <see cref="Window"/> is what alert rules read.</summary>
public sealed record DriftRun(WindowResult Window, DriftReport? Embedding, DriftReport? Prediction, DriftReport? Confidence, string? Note)
{
    /// <summary>Per-feature drift of the image statistics (brightness, contrast, sharpness, …) when images were uploaded.</summary>
    public DriftReport? ImageStatistics { get; init; }
}

/// <summary>
/// Compares the model's recent window with its reference period: embeddings (the model's methods), predicted classes and
/// confidences. Tests follow Evidently's choice by size: p-value tests up to 1,000 reference rows, effect sizes beyond.
/// </summary>
public sealed class DriftService(IMonitoringStore store, ReferenceEmbeddingService references, IOptions<MonitoringOptions> options, MonitoringMetrics metrics,
    [FromKeyedServices(MonitoringHost.ClockKey)] TimeProvider time)
{
    public const int MinEvents = 20;
    private const int SmallSample = 1000;

    public async Task<DriftRun?> RunAsync(string modelName, CancellationToken ct)
    {
        var model = await store.GetModelAsync(modelName, ct);
        if (model is null) return null;
        var now = time.GetUtcNow();
        var window = CurrentWindow(model, now);
        var withEmbeddings = model.EmbeddingDimension > 0;
        var max = options.Value.MaxWindowEvents;
        var current = await store.GetEventsAsync(model.Name, window.Start, window.End, max, withEmbeddings, ct);
        var reference = model.ReferenceUntil is { } until
            ? await store.GetEventsAsync(model.Name, DateTimeOffset.UnixEpoch, until, max, withEmbeddings && model.Reference is null, ct)
            : [];
        var driftOptions = new DriftOptions();
        var notes = new List<string>();

        // Embedding reference: the dataset version when the model names one (cached embeddings), else the reference period.
        List<float[]> referenceVectors = [];
        List<double[]> referenceFeatures = reference.Where(e => e.ImageFeatures is not null).Select(e => e.ImageFeatures!).ToList();
        if (withEmbeddings && model.Reference is { } dataset)
        {
            var embedded = await references.GetAsync(dataset, ct);
            referenceFeatures = [.. embedded.ImageFeatures];
            if (embedded.Vectors.Length > 0 && embedded.Vectors[0].Length != model.EmbeddingDimension)
                notes.Add($"reference dataset embeddings have {embedded.Vectors[0].Length} dimensions but the model sends {model.EmbeddingDimension}; send embeddings from the same encoder");
            else referenceVectors = [.. embedded.Vectors];
        }
        else if (withEmbeddings) referenceVectors = reference.Where(e => e.Embedding is not null).Select(e => e.Embedding!).ToList();

        DriftReport? embedding = null, prediction = null, confidence = null, imageStatistics = null;
        bool? predictionDrift = null, confidenceDrift = null;
        if (current.Count < MinEvents) notes.Add($"window has {current.Count} events (needs {MinEvents})");
        else
        {
            var currentVectors = current.Where(e => e.Embedding is not null).Select(e => e.Embedding!).ToList();
            if (withEmbeddings && referenceVectors.Count >= MinEvents && currentVectors.Count >= MinEvents)
            {
                // Only a seeded sample of a large window becomes a matrix: cost and memory follow the sample cap, not traffic.
                var r = ToMatrix(Sample(referenceVectors, driftOptions.MaxSamples, driftOptions.Seed), model.EmbeddingDimension);
                var c = ToMatrix(Sample(currentVectors, driftOptions.MaxSamples, driftOptions.Seed + 1), model.EmbeddingDimension);
                embedding = DriftRunner.Run(r, c, model.DriftMethods, driftOptions, cancellationToken: ct);
                foreach (var m in embedding.Methods) metrics.DriftScore(model.Name, "embedding_" + m.Method, m.Statistic);
            }
            else if (withEmbeddings && notes.Count == 0) notes.Add($"embedding reference has {referenceVectors.Count} vectors (needs {MinEvents})");
            var currentFeatures = current.Where(e => e.ImageFeatures is not null).Select(e => e.ImageFeatures!).ToList();
            if (referenceFeatures.Count >= MinEvents && currentFeatures.Count >= MinEvents)
            {
                // Interpretable: which of brightness, contrast, sharpness, saturation, size moved (KS with Bonferroni and normed Wasserstein).
                imageStatistics = DriftRunner.Run(DataMatrix.FromRows(referenceFeatures), DataMatrix.FromRows(currentFeatures),
                    [DriftMethodNames.Ks, DriftMethodNames.Wasserstein], driftOptions, cancellationToken: ct);
            }
            if (reference.Count >= MinEvents)
            {
                prediction = DriftRunner.RunCategorical(reference.Select(e => model.ClassIndex(e.PredictedClass)).ToList(),
                    current.Select(e => model.ClassIndex(e.PredictedClass)).ToList(), driftOptions);
                confidence = DriftRunner.RunNumeric(reference.Select(e => e.Confidence).ToList(), current.Select(e => e.Confidence).ToList(), driftOptions);
                var small = reference.Count <= SmallSample;
                predictionDrift = Verdict(prediction, small ? DriftMethodNames.ChiSquare : DriftMethodNames.JensenShannon);
                confidenceDrift = Verdict(confidence, small ? DriftMethodNames.Ks : DriftMethodNames.Wasserstein);
                foreach (var m in prediction.Methods) metrics.DriftScore(model.Name, "prediction_" + m.Method, m.Statistic);
                foreach (var m in confidence.Methods) metrics.DriftScore(model.Name, "confidence_" + m.Method, m.Statistic);
            }
            else notes.Add($"reference period has {reference.Count} events (needs {MinEvents}) for prediction drift; set referenceUntil after the reference traffic");
        }
        var result = new WindowResult
        {
            Model = model.Name, WindowStart = window.Start, WindowEnd = window.End, EventCount = current.Count,
            EmbeddingDrift = embedding?.AnyDrift, PredictionDrift = predictionDrift, ConfidenceDrift = confidenceDrift,
            ImageStatisticsDrift = imageStatistics is null ? null
                : Verdict(imageStatistics, imageStatistics.Reference.N <= SmallSample ? DriftMethodNames.Ks : DriftMethodNames.Wasserstein),
        };
        var run = new DriftRun(result, embedding, prediction, confidence, notes.Count == 0 ? null : string.Join("; ", notes)) { ImageStatistics = imageStatistics };
        await store.AddResultAsync(new StoredResult(model.Name, "drift", window.Start, window.End, current.Count,
            run.Window.EmbeddingDrift == true || run.Window.PredictionDrift == true, run.Embedding?.Methods.FirstOrDefault()?.Statistic,
            JsonSerializer.Serialize(run, MonitoringJson.Options), now), ct);
        return run;
    }

    public static TimeWindow CurrentWindow(MonitoredModel model, DateTimeOffset now)
    {
        var w = TimeWindow.Trailing(now, model.Window);
        // The reference period never counts as current traffic.
        return model.ReferenceUntil is { } until && w.Start < until ? new TimeWindow(until < w.End ? until : w.End, w.End) : w;
    }

    private static bool Verdict(DriftReport report, string method) => report.Methods.First(m => m.Method == method).Drifted;

    private static IReadOnlyList<float[]> Sample(List<float[]> vectors, int max, int seed) =>
        vectors.Count <= max ? vectors : Sampling.SampleIndices(vectors.Count, max, seed).Select(i => vectors[i]).ToList();

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
