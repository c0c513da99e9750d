using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Drift;
using Observatory.Monitoring.Core.Exports;
using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Services;

/// <summary>What creating an export came to: the export (new or already there), or why there is none.</summary>
public sealed record ExportOutcome(ExportManifest? Manifest, bool Created, string? NotFound = null, FieldError? Invalid = null);

/// <summary>
/// Turns a drift window into a dataset manifest: the window's events with a kept image, chosen by one <see cref="ExportSelector"/>
/// rule, each with its pre-label (feedback, else the prediction and its boxes), why it was chosen, and where its image is. The id
/// is derived from the request, so asking again for the same export finds the stored one instead of making a second.
/// </summary>
public sealed class ExportService(IMonitoringStore store, DriftService drift, IImageArchive images, IOptions<MonitoringOptions> options,
    [FromKeyedServices(MonitoringHost.ClockKey)] TimeProvider time)
{
    /// <summary>How long a presigned image URL in a manifest stays valid; each GET of the manifest signs fresh ones.</summary>
    public static readonly TimeSpan PresignExpiry = TimeSpan.FromHours(1);

    /// <summary>Most window events whose nearest reference item is searched (brute force: cost is this times the reference sample).</summary>
    public const int MaxDistanceCandidates = 20_000;

    /// <summary>Images read at once while an export is made (to learn their format and size, and that they are intact).</summary>
    private const int ReadParallelism = 8;

    /// <summary>The export's id: readable, file-name safe, and the same for the same window and request.</summary>
    public static string IdOf(ExportRequest r)
    {
        var end = r.WindowEnd.UtcDateTime;
        var stamp = end.ToString("yyyyMMdd'T'HHmmss", System.Globalization.CultureInfo.InvariantCulture)
            + (end.Ticks % TimeSpan.TicksPerSecond is var f and > 0 ? "." + f.ToString("D7", System.Globalization.CultureInfo.InvariantCulture) : "");
        return $"{stamp}Z-{Name(r.Select)}-{r.Count}-{Name(r.Format)}";
    }

    private static string Name<T>(T value) where T : struct, Enum => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    /// <summary>The fields of a request that are wrong, each named as in the JSON body.</summary>
    public static List<FieldError> Validate(ExportRequest r, int maxItems)
    {
        var errors = new List<FieldError>();
        if (r.WindowEnd == default) errors.Add(new("windowEnd", "is required: the end of a drift window (GET /api/models/{model}/drift lists them)"));
        if (!Enum.IsDefined(r.Select))
            errors.Add(new("select", $"must be one of: {string.Join(", ", Enum.GetValues<ExportSelection>().Select(Name))}"));
        if (!Enum.IsDefined(r.Format))
            errors.Add(new("format", $"must be one of: {string.Join(", ", Enum.GetValues<ExportFormat>().Select(Name))}"));
        if (r.Count < 1 || r.Count > maxItems) errors.Add(new("count", $"must be between 1 and {maxItems} (Monitoring:MaxExportItems)"));
        return errors;
    }

    /// <summary>The service path of a kept image (GET, with the API key).</summary>
    public static string ImagePath(string model, string sha256) => $"/api/models/{Uri.EscapeDataString(model)}/images/{sha256}";

    public async Task<ExportOutcome> CreateAsync(MonitoredModel model, ExportRequest request, CancellationToken ct)
    {
        var id = IdOf(request);
        if (await store.GetExportAsync(model.Name, id, ct) is { } existing) return new(existing, false);
        var window = (await store.ListResultSummariesAsync(model.Name, StoredResults.Drift, request.WindowEnd, request.WindowEnd, ct)).LastOrDefault();
        if (window is null)
            return new(null, false, $"model '{model.Name}' has no drift window ending at {request.WindowEnd:O}; GET /api/models/{model.Name}/drift lists its windows");
        var notes = new List<string>();
        var withEmbeddings = model.EmbeddingDimension > 0;
        var events = await store.GetEventsAsync(model.Name, window.WindowStart, window.WindowEnd, options.Value.MaxWindowEvents, withEmbeddings, ct);
        var eligible = events.Where(e => e.ImageSha256 is not null).ToList();
        if (eligible.Count < events.Count)
            notes.Add($"{events.Count - eligible.Count} of the window's {events.Count} events have no kept image and were skipped");

        var rule = request.Select;
        var needsReference = rule is ExportSelection.Outliers or ExportSelection.Disagreement;
        // Checked before the reference is loaded: a dataset version's embeddings may take long to compute, and would not help.
        if (rule == ExportSelection.Disagreement && model.Reference is { } dataset)
            return Refuse("select", $"disagreement needs a reference with classes: model '{model.Name}' compares with dataset version {dataset.PointerPath}@{dataset.Revision}, whose files' classes the service does not read; choose another rule, or a reference period (referenceUntil)");
        List<ReferencePoint> reference = [];
        if (withEmbeddings && needsReference) (reference, _) = await drift.OutlierReferenceAsync(model, ct);
        else if (withEmbeddings && eligible.Count > 0)
        {
            // Distances only explain the other rules' items: an unreadable reference costs the reasons, not the export.
            try { (reference, _) = await drift.OutlierReferenceAsync(model, ct); }
            catch (ReferenceUnavailableException ex) { notes.Add($"no distances: the reference cannot be read ({ex.Message})"); }
        }
        if (needsReference && reference.Count == 0)
            return Refuse("select", $"{Name(rule)} needs embeddings of the window and of a reference: model '{model.Name}' " +
                (withEmbeddings ? "has no reference embeddings (set referenceUntil after reference traffic, or a reference dataset)" : "keeps no embeddings (embeddingDimension 0)"));

        var candidates = eligible.Select(e => new ExportCandidate(e)).ToList();
        if (needsReference)
        {
            if (candidates.Count > MaxDistanceCandidates)
            {
                notes.Add($"the {candidates.Count} eligible events were sampled down to {MaxDistanceCandidates} for the nearest-reference search");
                candidates = Sampling.SampleIndices(candidates.Count, MaxDistanceCandidates, ExportSelector.SeedOf(window.WindowEnd)).Select(i => candidates[i]).ToList();
            }
            candidates = await WithNearestAsync(model, candidates, reference, ct);
        }
        var selected = ExportSelector.Select(candidates, rule, request.Count, ExportSelector.SeedOf(window.WindowEnd));
        // The other rules do not need distances, but an item's reason still shows them: searched for the chosen few only.
        if (!needsReference && reference.Count > 0) selected = await WithNearestAsync(model, selected, reference, ct);
        if (selected.Count < request.Count)
            notes.Add($"{selected.Count} of the {request.Count} asked for: only that many eligible events match {Name(rule)}");

        var read = await ReadImagesAsync(selected, ct);
        var missing = read.Count(r => r is null);
        if (missing > 0) notes.Add($"{missing} chosen images could not be read from the image store (missing or damaged) and were left out");
        var kept = selected.Zip(read).Where(x => x.Second is not null).Select(x => (Candidate: x.First, Image: x.Second!)).ToList();
        var names = ExportFileNames.Assign(kept.Select(k => (k.Candidate.Event.Id, k.Candidate.Event.ImageSha256!, k.Image.Format.Extension)).ToList());
        var items = kept.Select((k, i) =>
        {
            var e = k.Candidate.Event;
            var label = e.TrueClass ?? e.PredictedClass;
            return new ExportItem(e.Id, e.Timestamp, e.ImageSha256!, names[i], ImagePath(model.Name, e.ImageSha256!), k.Image.Bytes, label,
                e.TrueClass is null ? LabelSource.Prediction : LabelSource.Feedback, e.PredictedClass, e.TrueClass, e.ModelVersion, e.Boxes,
                new ExportReason(k.Candidate.Distance, e.Confidence, k.Candidate.NearestReferenceClass));
        }).ToList();
        var version = items.Where(i => i.ModelVersion is not null).GroupBy(i => i.ModelVersion!, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).FirstOrDefault()?.Key ?? model.Version;
        var manifest = new ExportManifest(id, model.Name, version, window.WindowStart, window.WindowEnd, rule, request.Count, request.Format,
            model.Classes, time.GetUtcNow(), notes.Count == 0 ? null : string.Join("; ", notes), items);
        if (await store.AddExportAsync(manifest, ct)) return new(manifest, true);
        // The same export was made meanwhile by another request: that one stands.
        return new(await store.GetExportAsync(model.Name, id, ct) ?? manifest, false);
    }

    private static ExportOutcome Refuse(string field, string message) => new(null, false, Invalid: new FieldError(field, message));

    /// <summary>The candidates with their distance to, and the class of, their nearest reference item (those without a usable embedding unchanged).</summary>
    private static async Task<List<ExportCandidate>> WithNearestAsync(MonitoredModel model, IReadOnlyList<ExportCandidate> candidates, List<ReferencePoint> reference,
        CancellationToken ct)
    {
        var dimension = reference[0].Vector.Length;
        var usable = candidates.Select((c, i) => (c, i)).Where(x => x.c.Event.Embedding?.Length == dimension && dimension == model.EmbeddingDimension).ToList();
        if (usable.Count == 0) return [.. candidates];
        var vectors = reference.Select(r => r.Vector).ToList();
        var nearest = await Task.Run(() => Outliers.NearestReference(vectors, usable.Select(x => x.c.Event.Embedding!).ToList(), ct), ct);
        var result = candidates.ToList();
        for (var k = 0; k < usable.Count; k++)
        {
            var (index, distance) = nearest[k];
            result[usable[k].i] = usable[k].c with { Distance = distance, NearestReferenceClass = reference[index].Class };
        }
        return result;
    }

    private sealed record ReadImage(ImageFormats.Format Format, long Bytes);

    /// <summary>Reads each chosen image once (bounded, verified): its bytes give the file extension and size; null when unreadable.</summary>
    private async Task<ReadImage?[]> ReadImagesAsync(IReadOnlyList<ExportCandidate> selected, CancellationToken ct)
    {
        var result = new ReadImage?[selected.Count];
        var max = options.Value.Images.MaxImageBytes;
        await Parallel.ForEachAsync(Enumerable.Range(0, selected.Count), new ParallelOptions { MaxDegreeOfParallelism = ReadParallelism, CancellationToken = ct },
            async (i, token) =>
            {
                try
                {
                    if (await images.ReadAsync(selected[i].Event.ImageSha256!, max, token) is { } bytes)
                        result[i] = new ReadImage(ImageFormats.Sniff(bytes), bytes.LongLength);
                }
                catch (KeptImageException)
                {
                    // Left out and counted in the note; GET of the image names the damage.
                }
            });
        return result;
    }

    /// <summary>
    /// The manifest as a client gets it: when the image store hands out presigned URLs, each item's URL is one, signed now (so a
    /// stored manifest never hands out an expired link); otherwise the service paths stay.
    /// </summary>
    public async Task<ExportManifest> WithDownloadUrlsAsync(ExportManifest manifest, CancellationToken ct)
    {
        if (manifest.Items.Count == 0 || await images.PresignReadAsync(manifest.Items[0].Sha256, PresignExpiry, ct) is null) return manifest;
        var items = new List<ExportItem>(manifest.Items.Count);
        foreach (var item in manifest.Items)
            items.Add(item with { ImageUrl = (await images.PresignReadAsync(item.Sha256, PresignExpiry, ct))!.AbsoluteUri });
        return manifest with { Items = items };
    }
}
