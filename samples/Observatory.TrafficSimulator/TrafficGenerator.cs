using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Onnx;
using Observatory.Samples;

namespace Observatory.TrafficSimulator;

/// <summary>
/// One simulated inference with the label an annotator later gives (null: no feedback). <see cref="Image"/> and
/// <see cref="Boxes"/> are the picture and the objects a detector reported, kept for uploads (the service embeds the image).
/// </summary>
public sealed record SimulatedEvent(string Id, DateTimeOffset Timestamp, string PredictedClass, double Confidence, float[] Embedding, string? TrueClass)
{
    public byte[]? Image { get; init; }
    public IReadOnlyList<SimulatedBox>? Boxes { get; init; }
}

/// <summary>A detected object: class and the box centre and size normalised to the image (YOLO's convention).</summary>
public sealed record SimulatedBox(string Class, double X, double Y, double Width, double Height, double Confidence);

/// <summary>
/// Renders sample images (SampleDataset.RenderImage), embeds them with the shipped encoder (client-side embeddings) and plays
/// a classifier: right with the scenario's accuracy, confident when right, unsure when wrong or facing an unseen class.
/// </summary>
public sealed class TrafficGenerator(ImageEmbedder embedder)
{
    public static readonly IReadOnlyList<string> Classes = SampleDataset.DefaultClasses;

    /// <param name="keepImages">Keep each image and its objects on the event for an upload, and embed nothing here (the service
    /// embeds what is uploaded).</param>
    public async Task<IReadOnlyList<SimulatedEvent>> GenerateAsync(string prefix, TrafficScenario scenario, int count, DateTimeOffset from, DateTimeOffset to, int seed,
        CancellationToken cancellationToken, bool keepImages = false)
    {
        var rng = new Random(seed);
        var images = new List<ImageSource>(count);
        var bytesOf = new byte[count][];
        var objectsOf = new IReadOnlyList<SampleObject>[count];
        var truth = new int[count];
        var sizes = new (int W, int H)[count];
        for (var i = 0; i < count; i++)
        {
            var options = scenario.ImageOptions(i, count);
            var bytes = SampleDataset.RenderImage(rng.Next(), options, out var objects);
            truth[i] = objects[0].ClassId;
            (bytesOf[i], objectsOf[i], sizes[i]) = (bytes, objects, (options.Width, options.Height));
            images.Add(ImageSource.FromBytes($"{prefix}-{i}", bytes));
        }
        var embeddings = keepImages ? null : await embedder.EmbedAsync(images, cancellationToken);
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
            var e = new SimulatedEvent($"{prefix}-{i}", t, Classes[predicted], confidence, embeddings?.Vectors[i] ?? [], Classes[label]);
            if (keepImages)
            {
                // The detector's boxes are the drawn objects; the first (the image's class) carries the prediction.
                var (w, h) = sizes[i];
                var boxes = objectsOf[i].Select((o, k) => new SimulatedBox(Classes[k == 0 ? predicted : o.ClassId],
                    (o.X + o.W / 2.0) / w, (o.Y + o.H / 2.0) / h, (double)o.W / w, (double)o.H / h, Math.Round(confidence, 4))).ToList();
                e = e with { Image = bytesOf[i], Boxes = boxes };
            }
            events.Add(e);
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
