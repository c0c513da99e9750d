using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Models;

namespace Observatory.Monitoring.Core.Events;

/// <summary>Validates a batch against its model before anything is stored, so a bad batch is rejected whole.</summary>
public static class EventValidation
{
    public const int MaxIdLength = 200;

    public static IReadOnlyList<FieldError> ValidateBatch(MonitoredModel model, IReadOnlyList<InferenceEvent?>? events, int maxBatchSize)
    {
        var errors = new List<FieldError>();
        if (events is null || events.Count == 0)
        {
            errors.Add(new("events", "at least one event is required"));
            return errors;
        }
        if (events.Count > maxBatchSize)
        {
            errors.Add(new("events", $"batch has {events.Count} events; the limit is {maxBatchSize}"));
            return errors;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < events.Count && errors.Count < 20; i++)
        {
            var e = events[i];
            var at = $"events[{i}]";
            if (e is null) { errors.Add(new(at, "event is null")); continue; }
            if (string.IsNullOrWhiteSpace(e.Id) || e.Id.Length > MaxIdLength) errors.Add(new($"{at}.id", $"must be 1-{MaxIdLength} characters"));
            else if (!seen.Add(e.Id)) errors.Add(new($"{at}.id", $"id '{e.Id}' appears twice in the batch"));
            if (e.Timestamp == default) errors.Add(new($"{at}.timestamp", "is required"));
            if (string.IsNullOrEmpty(e.PredictedClass)) errors.Add(new($"{at}.predictedClass", "is required"));
            else if (model.ClassIndex(e.PredictedClass) < 0)
                errors.Add(new($"{at}.predictedClass", $"unknown class '{e.PredictedClass}'; model '{model.Name}' has: {string.Join(", ", model.Classes)}"));
            if (!double.IsFinite(e.Confidence)) errors.Add(new($"{at}.confidence", "must be a finite number (NaN/Infinity rejected)"));
            else if (e.Confidence is < 0 or > 1) errors.Add(new($"{at}.confidence", "must be between 0 and 1"));
            if (e.ImageUri is { } uri && !IsImageUri(uri)) errors.Add(new($"{at}.imageUri", $"must be an absolute http(s) URL or a path starting with '/', at most {MaxImageUriLength} characters"));
            if (e.ImageSha256 is { } sha && !IsSha256(sha))
                errors.Add(new($"{at}.imageSha256", "must be a SHA-256 in lower-case hex (64 characters)"));
            if (e.ModelVersion is { } v && !IsModelVersion(v))
                errors.Add(new($"{at}.modelVersion", $"must be 1-{MaxModelVersionLength} characters, no control characters"));
            if (e.TrueClass is { } t && model.ClassIndex(t) < 0) errors.Add(new($"{at}.trueClass", $"unknown class '{t}'"));
            if (e.LatencyMs is { } ms && (!double.IsFinite(ms) || ms is < 0 or > MaxLatencyMs))
                errors.Add(new($"{at}.latencyMs", $"must be a finite number of milliseconds between 0 and {MaxLatencyMs}"));
            if (e.Error is { } error && (error.Length is 0 or > MaxErrorLength || error.Any(char.IsControl)))
                errors.Add(new($"{at}.error", $"must be 1-{MaxErrorLength} characters without control characters (leave it out for a success)"));
            if (e.Boxes is { } boxes) ValidateBoxes(model, boxes, at, errors);
            if (model.EmbeddingDimension > 0)
            {
                if (e.Embedding is null) errors.Add(new($"{at}.embedding", $"is required: model '{model.Name}' expects {model.EmbeddingDimension} dimensions"));
                else if (e.Embedding.Length != model.EmbeddingDimension)
                    errors.Add(new($"{at}.embedding", $"has {e.Embedding.Length} dimensions; model '{model.Name}' expects {model.EmbeddingDimension}"));
                else
                {
                    var bad = IndexOfNonFinite(e.Embedding);
                    if (bad >= 0) errors.Add(new($"{at}.embedding[{bad}]", "must be a finite number (NaN/Infinity rejected)"));
                }
            }
            else if (e.Embedding is not null)
                errors.Add(new($"{at}.embedding", $"model '{model.Name}' takes no embeddings (embeddingDimension is 0)"));
        }
        return errors;
    }

    public const int MaxBoxesPerEvent = 100;

    /// <summary>
    /// Boxes become YOLO label lines as they are: a class of the model, a centre inside the image and a size that is not empty,
    /// all normalised to [0,1]. Only the first error of each box is named, so one broken client does not flood the response.
    /// </summary>
    private static void ValidateBoxes(MonitoredModel model, IReadOnlyList<EventBox?> boxes, string at, List<FieldError> errors)
    {
        if (boxes.Count > MaxBoxesPerEvent)
        {
            errors.Add(new($"{at}.boxes", $"has {boxes.Count} boxes; the limit is {MaxBoxesPerEvent} per event"));
            return;
        }
        for (var j = 0; j < boxes.Count && errors.Count < 20; j++)
        {
            var b = boxes[j];
            var box = $"{at}.boxes[{j}]";
            if (b is null) { errors.Add(new(box, "box is null")); continue; }
            var error = BoxError(model, b);
            if (error is var (field, message)) errors.Add(new($"{box}.{field}", message));
        }
    }

    private static (string Field, string Message)? BoxError(MonitoredModel model, EventBox b)
    {
        if (string.IsNullOrEmpty(b.Class) || model.ClassIndex(b.Class) < 0)
            return ("class", $"unknown class '{b.Class}'; model '{model.Name}' has: {string.Join(", ", model.Classes)}");
        foreach (var (field, value) in new[] { ("x", b.X), ("y", b.Y), ("width", b.Width), ("height", b.Height) })
            if (!double.IsFinite(value)) return (field, "must be a finite number (NaN/Infinity rejected)");
        if (b.X is < 0 or > 1) return ("x", "the centre must be in [0, 1] (normalised to the image width)");
        if (b.Y is < 0 or > 1) return ("y", "the centre must be in [0, 1] (normalised to the image height)");
        if (b.Width is <= 0 or > 1) return ("width", "must be in (0, 1] (normalised to the image width)");
        if (b.Height is <= 0 or > 1) return ("height", "must be in (0, 1] (normalised to the image height)");
        if (b.Confidence is { } c && (!double.IsFinite(c) || c is < 0 or > 1)) return ("confidence", "must be a finite number between 0 and 1");
        return null;
    }

    public const int MaxImageUriLength = 2048;

    /// <summary>A day: anything longer is not a prediction's latency.</summary>
    public const double MaxLatencyMs = 86_400_000;

    public const int MaxErrorLength = 500;

    public const int MaxModelVersionLength = 64;

    public static bool IsSha256(string value) => value.Length == 64 && value.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>A model version as events and registrations carry it: short, printable text.</summary>
    public static bool IsModelVersion(string version) =>
        version.Length is > 0 and <= MaxModelVersionLength && !string.IsNullOrWhiteSpace(version) && !version.Any(char.IsControl);

    /// <summary>
    /// http(s) URLs and site-relative paths only: the URI ends up in an &lt;img src&gt; of the dashboard (no javascript: or data:).
    /// Browsers read a backslash as a slash and drop tabs and newlines, so <c>/\host</c> or <c>/&#9;/host</c> would leave the
    /// site like <c>//host</c>: no backslash or control character anywhere.
    /// </summary>
    public static bool IsImageUri(string uri) =>
        uri.Length <= MaxImageUriLength && !uri.Contains('\\') && !uri.Any(char.IsControl)
        && (uri.StartsWith('/') && !uri.StartsWith("//", StringComparison.Ordinal)
            || Uri.TryCreate(uri, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps));

    public static IReadOnlyList<FieldError> ValidateFeedback(MonitoredModel model, IReadOnlyList<Feedback?>? feedback, int maxBatchSize)
    {
        var errors = new List<FieldError>();
        if (feedback is null || feedback.Count == 0) { errors.Add(new("feedback", "at least one item is required")); return errors; }
        if (feedback.Count > maxBatchSize) { errors.Add(new("feedback", $"batch has {feedback.Count} items; the limit is {maxBatchSize}")); return errors; }
        for (var i = 0; i < feedback.Count && errors.Count < 20; i++)
        {
            var f = feedback[i];
            if (f is null) { errors.Add(new($"feedback[{i}]", "item is null")); continue; }
            if (string.IsNullOrWhiteSpace(f.Id)) errors.Add(new($"feedback[{i}].id", "is required"));
            if (string.IsNullOrEmpty(f.TrueClass) || model.ClassIndex(f.TrueClass) < 0)
                errors.Add(new($"feedback[{i}].trueClass", $"unknown class '{f.TrueClass}'; model '{model.Name}' has: {string.Join(", ", model.Classes)}"));
        }
        return errors;
    }

    private static int IndexOfNonFinite(float[] values)
    {
        for (var j = 0; j < values.Length; j++)
            if (!float.IsFinite(values[j])) return j;
        return -1;
    }
}
