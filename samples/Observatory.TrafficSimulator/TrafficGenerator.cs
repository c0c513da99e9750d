using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Onnx;
using Observatory.Samples;

namespace Observatory.TrafficSimulator;

/// <summary>One simulated inference with the label an annotator later gives (null: no feedback).</summary>
public sealed record SimulatedEvent(string Id, DateTimeOffset Timestamp, string PredictedClass, double Confidence, float[] Embedding, string? TrueClass);

/// <summary>
/// Renders sample images (SampleDataset.RenderImage), embeds them with the shipped encoder (client-side embeddings) and plays
/// a classifier: right with the scenario's accuracy, confident when right, unsure when wrong or facing an unseen class.
/// </summary>
public sealed class TrafficGenerator(ImageEmbedder embedder)
{
    public static readonly IReadOnlyList<string> Classes = SampleDataset.DefaultClasses;

    public async Task<IReadOnlyList<SimulatedEvent>> GenerateAsync(string prefix, TrafficScenario scenario, int count, DateTimeOffset from, DateTimeOffset to, int seed,
        CancellationToken cancellationToken)
    {
        var rng = new Random(seed);
        var images = new List<ImageSource>(count);
        var truth = new int[count];
        for (var i = 0; i < count; i++)
        {
            var bytes = SampleDataset.RenderImage(rng.Next(), scenario.ImageOptions(i, count), out var objects);
            truth[i] = objects[0].ClassId;
            images.Add(ImageSource.FromBytes($"{prefix}-{i}", bytes));
        }
        var embeddings = await embedder.EmbedAsync(images, cancellationToken);
        var known = scenario.Known;
        var events = new List<SimulatedEvent>(count);
        for (var i = 0; i < count; i++)
        {
            int predicted; double confidence;
            var seen = known.Contains(truth[i]);
            if (seen && rng.NextDouble() < scenario.ModelAccuracy) { predicted = truth[i]; confidence = 0.55 + 0.45 * rng.NextDouble(); }
            else
            {
                predicted = known[rng.Next(known.Count)];
                if (seen && predicted == truth[i]) predicted = known[(known.IndexOf(predicted) + 1) % known.Count];
                confidence = 0.35 + 0.5 * rng.NextDouble();
            }
            var label = truth[i];
            if (rng.NextDouble() < scenario.FeedbackNoise) label = (label + 1 + rng.Next(Classes.Count - 1)) % Classes.Count;
            var t = from + (to - from) * i / Math.Max(1, count);
            events.Add(new SimulatedEvent($"{prefix}-{i}", t, Classes[predicted], confidence, embeddings.Vectors[i], Classes[label]));
        }
        return events;
    }
}

internal static class ListExtensions
{
    public static int IndexOf(this IReadOnlyList<int> list, int value)
    {
        for (var i = 0; i < list.Count; i++) if (list[i] == value) return i;
        return -1;
    }
}
