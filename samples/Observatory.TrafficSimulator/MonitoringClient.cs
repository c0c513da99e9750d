using System.Net.Http.Json;
using System.Text.Json;

namespace Observatory.TrafficSimulator;

/// <summary>Sends simulated traffic to a Monitoring service: model registration, event batches, feedback.</summary>
public sealed class MonitoringClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Registers the model unless it exists. An existing model is left as it is: a PUT replaces the whole model, so registering
    /// over one (the tour's dataset-referenced <c>shapes</c>) would drop its reference, rules and schedule.
    /// </summary>
    /// <returns>False when the model already existed.</returns>
    public async Task<bool> RegisterAsync(string model, int dimension, DateTimeOffset referenceUntil, double baselineAccuracy, string window, CancellationToken ct)
    {
        using (var existing = await http.GetAsync($"/api/models/{model}", ct))
        {
            if (existing.IsSuccessStatusCode) return false;
            if (existing.StatusCode != System.Net.HttpStatusCode.NotFound) await EnsureAsync(existing, "read model", ct);
        }
        using var r = await http.PutAsJsonAsync($"/api/models/{model}", new
        {
            classes = TrafficGenerator.Classes,
            embeddingDimension = dimension,
            referenceUntil,
            baselineAccuracy,
            window,
        }, Json, ct);
        await EnsureAsync(r, "register model", ct);
        return true;
    }

    public async Task<int> SendEventsAsync(string model, IReadOnlyList<SimulatedEvent> events, int batchSize, CancellationToken ct)
    {
        var inserted = 0;
        foreach (var batch in events.Chunk(batchSize))
        {
            var body = new { events = batch.Select(e => new { id = e.Id, timestamp = e.Timestamp, predictedClass = e.PredictedClass, confidence = e.Confidence, embedding = e.Embedding }) };
            using var r = await http.PostAsJsonAsync($"/api/models/{model}/events", body, Json, ct);
            await EnsureAsync(r, "send events", ct);
            inserted += (await r.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("inserted").GetInt32();
        }
        return inserted;
    }

    /// <summary>
    /// Uploads the events with their images (multipart: the events JSON, then one file per event), so the service embeds them
    /// and keeps the images — what a retraining export later takes.
    /// </summary>
    public async Task<int> UploadEventsAsync(string model, IReadOnlyList<SimulatedEvent> events, int batchSize, CancellationToken ct)
    {
        var inserted = 0;
        foreach (var batch in events.Chunk(batchSize))
        {
            using var form = new MultipartFormDataContent();
            var json = JsonSerializer.Serialize(new
            {
                events = batch.Select(e => new
                {
                    id = e.Id, timestamp = e.Timestamp, predictedClass = e.PredictedClass, confidence = e.Confidence,
                    boxes = e.Boxes?.Select(b => new { @class = b.Class, x = b.X, y = b.Y, width = b.Width, height = b.Height, confidence = b.Confidence }),
                }),
            }, Json);
            form.Add(new StringContent(json, System.Text.Encoding.UTF8, "application/json"), "events");
            foreach (var e in batch)
                form.Add(new ByteArrayContent(e.Image ?? throw new InvalidOperationException($"event {e.Id} has no image to upload")), "images", e.Id + ".img");
            using var r = await http.PostAsync($"/api/models/{model}/images", form, ct);
            await EnsureAsync(r, "upload images", ct);
            inserted += (await r.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("inserted").GetInt32();
        }
        return inserted;
    }

    public async Task SendFeedbackAsync(string model, IReadOnlyList<SimulatedEvent> events, double share, int seed, int batchSize, CancellationToken ct)
    {
        var rng = new Random(seed);
        var labelled = events.Where(e => e.TrueClass is not null && rng.NextDouble() < share).ToList();
        foreach (var batch in labelled.Chunk(batchSize))
        {
            using var r = await http.PostAsJsonAsync($"/api/models/{model}/feedback", new { feedback = batch.Select(e => new { id = e.Id, trueClass = e.TrueClass }) }, Json, ct);
            await EnsureAsync(r, "send feedback", ct);
        }
    }

    private static async Task EnsureAsync(HttpResponseMessage r, string what, CancellationToken ct)
    {
        if (!r.IsSuccessStatusCode)
            throw new HttpRequestException($"{what}: HTTP {(int)r.StatusCode} {await r.Content.ReadAsStringAsync(ct)}");
    }
}
