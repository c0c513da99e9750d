using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Api.Services;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Core.Ports;
using Observatory.ServiceDefaults;

namespace Observatory.Monitoring.Api.Apis;

/// <summary>Ingestion of inference events and of feedback (true classes).</summary>
public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var write = app.MapGroup("/api/models/{model}").WithTags("Events").AddEndpointFilter<ApiKeyFilter>();
        write.MapPost("/events", PostEventsAsync);
        write.MapPost("/feedback", PostFeedbackAsync);
        // Declared so the shared request guard lets multipart through here (everywhere else writes must be JSON).
        write.MapPost("/images", PostImagesAsync).DisableAntiforgery().AcceptsMultipart();
        app.MapGet("/api/models/{model}/events", ListAsync).WithTags("Events");
        app.MapGet("/api/models/{model}/events/count", CountAsync).WithTags("Events");
        app.MapGet("/api/models/{model}/events/rate", RateAsync).WithTags("Events");
        return app;
    }

    public static async Task<Results<Ok<IngestResponse>, ValidationProblem>> PostEventsAsync(string model, HttpRequest request, IMonitoringStore store, IOptions<MonitoringOptions> options,
        IImageArchive images, IModelEncoders encoders, ImageFetcher fetcher, MonitoringMetrics metrics, CancellationToken ct)
    {
        const string title = "invalid event batch";
        var o = options.Value;
        var m = await store.GetModelAsync(model, ct);
        if (m is null)
        {
            metrics.Rejected();
            return Problems.Invalid(title, "model", $"model '{model}' is not registered; PUT /api/models/{model} registers it");
        }
        var (body, error) = await Problems.ReadJsonAsync<EventBatch>(request, o.MaxBodyBytes, title, ct);
        if (error is not null) { metrics.Rejected(); return error; }
        var (events, errors) = body!.ToEvents();
        var toFetch = errors.Count == 0 ? ImageUriOnly(m, events!) : [];
        if (errors.Count == 0)
        {
            // The rest of each event is checked as if its image were fetched already: a batch wrong for another reason fetches nothing.
            var placeholder = new float[m.EmbeddingDimension];
            errors = EventValidation.ValidateBatch(m, toFetch.Count == 0 ? events : events!.Select((e, i) => toFetch.Contains(i) ? e! with { Embedding = placeholder } : e).ToList(),
                o.MaxBatchSize).ToList();
        }
        if (errors.Count == 0) errors.AddRange(RefuseFetches(model, events!, toFetch, fetcher, o.ImageFetch.MaxPerBatch));
        // An event may name an image the service already keeps; an unknown hash rejects the batch, nothing stored. Each distinct
        // hash is looked up once (a lookup is a store request).
        if (errors.Count == 0)
        {
            var known = new Dictionary<string, bool>(StringComparer.Ordinal);
            for (var i = 0; i < events!.Count; i++)
                if (events[i]!.ImageSha256 is { } sha && !(known.TryGetValue(sha, out var kept) ? kept : known[sha] = await images.ContainsAsync(sha, ct)))
                    errors.Add(new($"events[{i}].imageSha256", $"no image {sha[..12]}… is kept; upload it with POST /api/models/{model}/images first"));
        }
        if (errors.Count > 0) { metrics.Rejected(); return Problems.Invalid(title, errors); }
        var stored = events!.Select(e => e!).ToList();
        if (toFetch.Count > 0)
        {
            var (embedder, refused) = await EmbedderForAsync(m, encoders, title, ct);
            if (refused is not null) { metrics.Rejected(); return refused; }
            var (fetched, keep, fetchErrors) = await FetchAndEmbedAsync(stored, toFetch, embedder!, fetcher, o, ct);
            if (fetchErrors.Count == 0) fetchErrors = EventValidation.ValidateBatch(m, fetched, o.MaxBatchSize).ToList();
            if (fetchErrors.Count > 0) { metrics.Rejected(); return Problems.Invalid(title, fetchErrors); }
            // Kept before the events are stored, as uploads are.
            foreach (var (sha, bytes) in keep) await images.KeepAsync(sha, bytes, ct);
            stored = fetched;
        }
        var result = await store.InsertEventsAsync(model, StampVersion(stored, m), ct);
        metrics.Ingested(model, result.Inserted, result.Duplicates);
        return TypedResults.Ok(new IngestResponse(stored.Count, result.Inserted, result.Duplicates));
    }

    /// <summary>
    /// Indexes of the events whose image the service must fetch to embed: the model is embedded by the service's encoder, and the
    /// event names its image by <c>imageUri</c> alone (no embedding, no kept <c>imageSha256</c>).
    /// </summary>
    private static HashSet<int> ImageUriOnly(MonitoredModel model, IReadOnlyList<InferenceEvent?> events)
    {
        var indexes = new HashSet<int>();
        if (model.EmbeddingDimension == 0 || model.EmbeddingModel == MonitoredModel.ClientEmbeddings) return indexes;
        for (var i = 0; i < events.Count; i++)
            if (events[i] is { ImageUri: not null, Embedding: null, ImageSha256: null }) indexes.Add(i);
        return indexes;
    }

    /// <summary>Fetches the service must not make: outside the configured origins (nothing is resolved or connected to), or too many.</summary>
    private static List<FieldError> RefuseFetches(string model, IReadOnlyList<InferenceEvent?> events, HashSet<int> toFetch, ImageFetcher fetcher, int maxPerBatch)
    {
        var errors = new List<FieldError>();
        var instead = $"send its embedding, or upload the image with POST /api/models/{model}/images";
        foreach (var i in toFetch.Order())
        {
            var uri = events[i]!.ImageUri!;
            if (!fetcher.Enabled)
                errors.Add(new($"events[{i}].imageUri", $"the event has no embedding, and the service fetches no images (Monitoring:ImageFetch:Origins is empty); {instead}"));
            else if (ImageOrigins.OfFetchable(uri) is null)
                errors.Add(new($"events[{i}].imageUri", $"the event has no embedding, and '{uri}' is not an absolute http(s) URL (without user info) the service could fetch; {instead}"));
            else if (!fetcher.IsAllowed(uri))
                errors.Add(new($"events[{i}].imageUri", $"the event has no embedding, and {new Uri(uri).GetLeftPart(UriPartial.Authority)} is not an origin the service fetches from (Monitoring:ImageFetch:Origins: {fetcher.AllowedList}); {instead}"));
            if (errors.Count >= 20) break;
        }
        if (errors.Count == 0 && toFetch.Count > maxPerBatch)
            errors.Add(new("events", $"{toFetch.Count} events name their image by imageUri alone; the service fetches at most {maxPerBatch} per batch (Monitoring:ImageFetch:MaxPerBatch)"));
        return errors;
    }

    /// <summary>
    /// Fetches each distinct URI once (a few at a time) and embeds the images; the events come back with hash, embedding and image
    /// features, with the images to keep. Any failure names its item; nothing is kept by this step.
    /// </summary>
    private static async Task<(List<InferenceEvent> Events, List<(string Sha, byte[] Bytes)> Keep, List<FieldError> Errors)> FetchAndEmbedAsync(List<InferenceEvent> events, HashSet<int> toFetch,
        IImageEmbedder embedder, ImageFetcher fetcher, MonitoringOptions o, CancellationToken ct)
    {
        var budget = new FetchBudget(o.MaxBodyBytes);
        var fetched = new System.Collections.Concurrent.ConcurrentDictionary<string, (byte[]? Bytes, string? Error)>(StringComparer.Ordinal);
        var uris = toFetch.Select(i => events[i].ImageUri!).Distinct(StringComparer.Ordinal).ToList();
        await Parallel.ForEachAsync(uris, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (uri, token) =>
        {
            try { fetched[uri] = (await fetcher.FetchAsync(uri, o.Images.MaxImageBytes, budget, token), null); }
            catch (ImageFetchException ex) { fetched[uri] = (null, ex.Message); }
        });
        var order = toFetch.Order().ToList();
        var errors = order.Where(i => fetched[events[i].ImageUri!].Error is not null)
            .Select(i => new FieldError($"events[{i}].imageUri", fetched[events[i].ImageUri!].Error!)).Take(20).ToList();
        if (errors.Count > 0) return (events, [], errors);
        var bytes = order.Select(i => fetched[events[i].ImageUri!].Bytes!).ToList();
        ImageEmbeddings embedded;
        try { embedded = await embedder.EmbedAsync(order.Select((i, k) => ImageSource.FromBytes($"events[{i}].imageUri", bytes[k])).ToList(), ct); }
        catch (ImageDecodeException ex)
        {
            var what = ex is ImageTooLargeException ? "the fetched image is too large" : "the fetched file is not a decodable image";
            return (events, [], [new(ex.ItemName, $"{what}: {ex.Message}")]);
        }
        var result = events.ToList();
        var keep = new List<(string, byte[])>();
        for (var k = 0; k < order.Count; k++)
        {
            var sha = Sha256Of(bytes[k]);
            result[order[k]] = result[order[k]] with { Embedding = embedded.Vectors[k], ImageFeatures = embedded.Statistics[k].ToFeatures(), ImageSha256 = sha };
            keep.Add((sha, bytes[k]));
        }
        return (result, keep.DistinctBy(k => k.Item1).ToList(), []);
    }

    /// <summary>The model's encoder for images the service embeds, or the 400 saying why it cannot embed them.</summary>
    private static async Task<(IImageEmbedder? Embedder, ValidationProblem? Refused)> EmbedderForAsync(MonitoredModel m, IModelEncoders encoders, string title, CancellationToken ct)
    {
        IImageEmbedder embedder;
        try { embedder = await encoders.ForModelAsync(m, ct); }
        catch (EncoderUnavailableException ex)
        {
            return (null, Problems.Invalid(title, "model", $"model '{m.Name}': its embeddingModel cannot be used: {ex.Message}"));
        }
        // A model that declares no output size is checked after embedding, by the batch validation.
        if (embedder.Dimension is { } encoderDimension && m.EmbeddingDimension != encoderDimension)
            return (null, Problems.Invalid(title, "model", $"model '{m.Name}' has embeddingDimension {m.EmbeddingDimension}; images are embedded by the service's encoder, {embedder.Name} ({encoderDimension} dimensions) — register the model with embeddingDimension {encoderDimension}"));
        return (embedder, null);
    }

    /// <summary>
    /// multipart/form-data: field "events" = the JSON batch without embeddings, then one file per event in the same order. The service
    /// embeds the images with its encoder and keeps their image statistics (for interpretable drift). All-or-nothing as JSON batches.
    /// </summary>
    public static async Task<Results<Ok<IngestResponse>, ValidationProblem>> PostImagesAsync(string model, HttpRequest request, IMonitoringStore store, IOptions<MonitoringOptions> options,
        IModelEncoders encoders, IImageArchive images, MonitoringMetrics metrics, CancellationToken ct)
    {
        const string title = "invalid image batch";
        var o = options.Value;
        var m = await store.GetModelAsync(model, ct);
        if (m is null) { metrics.Rejected(); return Problems.Invalid(title, "model", $"model '{model}' is not registered"); }
        if (m.EmbeddingModel == MonitoredModel.ClientEmbeddings)
        {
            metrics.Rejected();
            return Problems.Invalid(title, "model", $"model '{model}' takes embeddings sent by its clients (embeddingModel \"client\"); POST them to /api/models/{model}/events, or register it with an embeddingModel to upload images");
        }
        var (embedder, refused) = await EmbedderForAsync(m, encoders, title, ct);
        if (refused is not null) { metrics.Rejected(); return refused; }
        if (!request.HasFormContentType) { metrics.Rejected(); return Problems.Invalid(title, "body", "multipart/form-data expected: field 'events' (JSON) and one file per event"); }
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = o.MaxBodyBytes;
        IFormCollection form;
        try { form = await request.ReadFormAsync(ct); }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException)
        {
            metrics.Rejected();
            return Problems.Invalid(title, "body", $"unreadable multipart body: {ex.Message}");
        }
        EventBatch? batch;
        try { batch = System.Text.Json.JsonSerializer.Deserialize<EventBatch>(form["events"].ToString() is { Length: > 0 } j ? j : "null", MonitoringJson.Options); }
        catch (System.Text.Json.JsonException ex)
        {
            metrics.Rejected();
            return Problems.Invalid(title, "events" + (string.IsNullOrEmpty(ex.Path) ? "" : ex.Path.TrimStart('$')), $"malformed JSON: {ex.Message}");
        }
        if (batch is null) { metrics.Rejected(); return Problems.Invalid(title, "events", "form field 'events' with the JSON batch is required"); }
        var (items, errors) = batch.ToEvents();
        if (errors.Count == 0 && items!.Count != form.Files.Count)
            errors.Add(new("images", $"{form.Files.Count} files for {items.Count} events; send one file per event, in order"));
        if (errors.Count == 0 && items!.Count > o.MaxBatchSize)
            errors.Add(new("events", $"batch has {items.Count} events; the limit is {o.MaxBatchSize}"));
        if (errors.Count > 0) { metrics.Rejected(); return Problems.Invalid(title, errors); }
        var sources = new List<ImageSource>(form.Files.Count);
        var bytes = new List<byte[]>(form.Files.Count);
        for (var i = 0; i < form.Files.Count; i++)
        {
            using var ms = new MemoryStream();
            await form.Files[i].CopyToAsync(ms, ct);
            bytes.Add(ms.ToArray());
            sources.Add(ImageSource.FromBytes($"images[{i}]", bytes[i]));
        }
        var hashes = bytes.Select(Sha256Of).ToList();
        // A declared hash is the client's word for which image this is (it may name the file elsewhere): one that does not match
        // the bytes sent means a mix-up of files and events, so nothing of the batch is kept or stored.
        for (var i = 0; i < items!.Count && errors.Count < 20; i++)
            if (items[i]?.ImageSha256 is { } declared && !string.Equals(declared, hashes[i], StringComparison.Ordinal))
                errors.Add(new($"events[{i}].imageSha256", $"declares {Short(declared)} but its file (images[{i}], '{form.Files[i].FileName}') has SHA-256 {hashes[i]}; send each event's own image, in order"));
        if (errors.Count > 0) { metrics.Rejected(); return Problems.Invalid(title, errors); }
        ImageEmbeddings embedded;
        try { embedded = await embedder!.EmbedAsync(sources, ct); }
        catch (ImageDecodeException ex)
        {
            metrics.Rejected();
            var what = ex is ImageTooLargeException ? "image too large" : "not a decodable image";
            return Problems.Invalid(title, ex.ItemName, $"{what}: {ex.Message}");
        }
        var events = items!.Select((e, i) => e! with { Embedding = embedded.Vectors[i], ImageFeatures = embedded.Statistics[i].ToFeatures(), ImageSha256 = hashes[i] }).ToList();
        errors = EventValidation.ValidateBatch(m, events, o.MaxBatchSize).ToList();
        if (errors.Count > 0) { metrics.Rejected(); return Problems.Invalid(title, errors); }
        // Kept before the events are stored, so no stored event names an image that is not there (an image kept for a batch
        // that then fails is harmless: content-addressed, named by nothing).
        for (var i = 0; i < bytes.Count; i++) await images.KeepAsync(hashes[i], bytes[i], ct);
        var result = await store.InsertEventsAsync(model, StampVersion(events, m), ct);
        metrics.Ingested(model, result.Inserted, result.Duplicates);
        return TypedResults.Ok(new IngestResponse(events.Count, result.Inserted, result.Duplicates));
    }

    private static string Sha256Of(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    /// <summary>A client's value for a message: short, and printable whatever was sent.</summary>
    private static string Short(string value) =>
        value.Length <= 64 && value.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f' or >= 'A' and <= 'F') ? value : $"'{new string(value.Take(64).Where(c => !char.IsControl(c)).ToArray())}…'";

    /// <summary>Events without a model version were made by the version registered when they arrive.</summary>
    private static List<InferenceEvent> StampVersion(IReadOnlyList<InferenceEvent?> events, MonitoredModel model) =>
        events.Select(e => e! with { ModelVersion = e.ModelVersion ?? model.Version }).ToList();

    public static async Task<Results<Ok<FeedbackResponse>, ValidationProblem>> PostFeedbackAsync(string model, HttpRequest request, IMonitoringStore store, IOptions<MonitoringOptions> options,
        MonitoringMetrics metrics, CancellationToken ct)
    {
        const string title = "invalid feedback batch";
        var m = await store.GetModelAsync(model, ct);
        if (m is null) { metrics.Rejected(); return Problems.Invalid(title, "model", $"model '{model}' is not registered"); }
        var (body, error) = await Problems.ReadJsonAsync<FeedbackBatch>(request, options.Value.MaxBodyBytes, title, ct);
        if (error is not null) { metrics.Rejected(); return error; }
        var items = body!.Feedback;
        var errors = EventValidation.ValidateFeedback(m, items, options.Value.MaxBatchSize);
        if (errors.Count > 0) { metrics.Rejected(); return Problems.Invalid(title, errors); }
        var result = await store.ApplyFeedbackAsync(model, items!.Select(f => f!).ToList(), ct);
        return TypedResults.Ok(new FeedbackResponse(items!.Count, result.Updated, result.UnknownIds));
    }

    /// <summary>
    /// Traffic over the last <c>minutes</c> (default 60, at most 10,080) by event timestamp: the total, the mean per minute, and
    /// per-minute counts (per-hour beyond a day) with empty slots omitted.
    /// </summary>
    public static async Task<Results<Ok<EventRate>, ProblemHttpResult, ValidationProblem>> RateAsync(string model, int? minutes, IMonitoringStore store,
        [FromKeyedServices(MonitoringHost.ClockKey)] TimeProvider time, CancellationToken ct)
    {
        if (await store.GetModelAsync(model, ct) is null) return Problems.NotFound($"model '{model}' is not registered");
        var span = minutes ?? 60;
        if (span is < 1 or > 10_080) return Problems.Invalid("invalid rate query", "minutes", "must be between 1 and 10080 (a week)");
        var to = time.GetUtcNow();
        var from = to.AddMinutes(-span);
        var bucket = span > 1440 ? TimeSpan.FromHours(1) : TimeSpan.FromMinutes(1);
        var buckets = await store.CountEventsByBucketAsync(model, from, to, bucket, ct);
        var total = buckets.Sum(b => b.Count);
        return TypedResults.Ok(new EventRate(model, from, to, (int)bucket.TotalSeconds, total, Math.Round(total / (double)span, 3), buckets));
    }

    /// <summary>
    /// The model's events with timestamp in [<c>from</c>, <c>to</c>) (all when omitted), oldest first, read and written a page of
    /// Monitoring:EventExportBatchSize at a time so a million events never sit in memory: JSON (default) a streamed array of
    /// <see cref="EventRow"/>; <c>format=csv</c> one CSV (header once), <c>format=arrow</c> one Arrow IPC stream with a record
    /// batch per page. <c>embeddings=true</c> adds the embedding (columns <c>embedding_0</c>… in the tables).
    /// </summary>
    public static async Task<Results<Ok<IAsyncEnumerable<EventRow>>, FrameResult, ProblemHttpResult, ValidationProblem>> ListAsync(string model, DateTimeOffset? from,
        DateTimeOffset? to, string? format, bool? embeddings, IMonitoringStore store, IOptions<MonitoringOptions> options, CancellationToken ct)
    {
        if (await store.GetModelAsync(model, ct) is not { } m) return Problems.NotFound($"model '{model}' is not registered");
        var (table, badFormat) = TableFormats.Parse(format);
        if (badFormat is not null) return badFormat;
        if (from > to) return Problems.Invalid("invalid event query", "from", "must not be after 'to'");
        var withEmbeddings = embeddings == true;
        var pages = PagesAsync(store, model, from ?? DateTimeOffset.MinValue, to ?? DateTimeOffset.MaxValue, options.Value.EventExportBatchSize, withEmbeddings, ct);
        if (table == TableFormat.Json) return TypedResults.Ok(RowsAsync(pages));
        return new FrameResult(table, $"{model}-events", FramesAsync(pages, withEmbeddings ? m.EmbeddingDimension : null));
    }

    /// <summary>The pages of a range; the first even when empty (a table still has its columns), no empty page after it.</summary>
    private static async IAsyncEnumerable<IReadOnlyList<InferenceEvent>> PagesAsync(IMonitoringStore store, string model, DateTimeOffset from, DateTimeOffset to, int size,
        bool embeddings, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        EventPosition? after = null;
        while (true)
        {
            var page = await store.GetEventPageAsync(model, from, to, after, size, embeddings, ct);
            if (page.Count > 0 || after is null) yield return page;
            if (page.Count < size) yield break;
            after = EventPosition.Of(page[^1]);
        }
    }

    private static async IAsyncEnumerable<EventRow> RowsAsync(IAsyncEnumerable<IReadOnlyList<InferenceEvent>> pages)
    {
        await foreach (var page in pages)
            foreach (var e in page)
                yield return new EventRow(e.Id, e.Timestamp, e.PredictedClass, e.Confidence, e.TrueClass, e.ModelVersion, e.Embedding);
    }

    private static async IAsyncEnumerable<Microsoft.Data.Analysis.DataFrame> FramesAsync(IAsyncEnumerable<IReadOnlyList<InferenceEvent>> pages, int? embeddingDimension)
    {
        await foreach (var page in pages) yield return Frames.Events(page, embeddingDimension);
    }

    public static async Task<Results<Ok<EventCount>, ProblemHttpResult>> CountAsync(string model, IMonitoringStore store, CancellationToken ct) =>
        await store.GetModelAsync(model, ct) is null ? Problems.NotFound($"model '{model}' is not registered")
            : TypedResults.Ok(new EventCount(model, await store.CountEventsAsync(model, ct), await store.LastEventAtAsync(model, ct)));
}

public sealed record EventBatch(IReadOnlyList<EventItem?>? Events)
{
    /// <summary>Maps the wire items to events, naming missing required fields by index.</summary>
    public (IReadOnlyList<InferenceEvent?>? Events, List<FieldError> Errors) ToEvents()
    {
        var errors = new List<FieldError>();
        if (Events is null) return (null, [new("events", "is required")]);
        var list = new List<InferenceEvent?>(Events.Count);
        for (var i = 0; i < Events.Count && errors.Count < 20; i++)
        {
            var e = Events[i];
            if (e is null) { errors.Add(new($"events[{i}]", "event is null")); continue; }
            if (e.Timestamp is null) errors.Add(new($"events[{i}].timestamp", "is required (ISO 8601 with offset)"));
            if (e.Confidence is null) errors.Add(new($"events[{i}].confidence", "is required"));
            list.Add(new InferenceEvent(e.Id ?? "", e.Timestamp ?? default, e.PredictedClass ?? "", e.Confidence ?? double.NaN, e.Embedding, e.TrueClass) { ImageUri = e.ImageUri, ModelVersion = e.ModelVersion, ImageSha256 = e.ImageSha256, Boxes = e.Boxes, LatencyMs = e.LatencyMs, Error = e.Error });
        }
        return (list, errors);
    }
}

/// <param name="Embedding">An array of numbers, or the float32 values little-endian as one base64 string (a third of the bytes, and
/// cheaper for the service to read); see <see cref="EmbeddingJsonConverter"/>.</param>
public sealed record EventItem(string? Id, DateTimeOffset? Timestamp, string? PredictedClass, double? Confidence,
    [property: JsonConverter(typeof(EmbeddingJsonConverter))] float[]? Embedding, string? TrueClass)
{
    /// <summary>Optional: where the client keeps the image (http(s) URL or site path), shown by the dashboard for outliers.</summary>
    public string? ImageUri { get; init; }

    /// <summary>Optional: the model version that predicted; the model's current version when left out.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>Optional: the SHA-256 of an image the service already keeps (uploaded with an earlier event).</summary>
    public string? ImageSha256 { get; init; }

    /// <summary>Optional: the objects the model detected, at most 100 (class, normalised centre x,y and width,height, confidence); exports make them pre-labels.</summary>
    public IReadOnlyList<EventBox>? Boxes { get; init; }

    /// <summary>Optional endpoint health: how long the prediction took, in milliseconds.</summary>
    public double? LatencyMs { get; init; }

    /// <summary>Optional endpoint health: what failed (an error message or code, at most 500 characters); left out for a success.</summary>
    public string? Error { get; init; }
}

public sealed record FeedbackBatch(IReadOnlyList<Feedback?>? Feedback);

