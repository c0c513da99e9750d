using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Services;

/// <summary>What a retention run did: embeddings pruned, kept images deleted, and images past retention spared (and by what).</summary>
public sealed record RetentionResult(int EmbeddingsPruned, int ImagesDeleted, int ImagesSpared, IReadOnlyDictionary<string, int> SparedBy, string? Undecided = null,
    long? EventsDeleted = null)
{
    /// <summary>One sentence for the job run's detail.</summary>
    public string Describe()
    {
        var text = $"pruned the embeddings of {EmbeddingsPruned} event(s); deleted {ImagesDeleted} kept image(s) past their model's imageRetentionDays, spared {ImagesSpared}";
        if (EventsDeleted is { } events) text = $"deleted {events} event(s) past Monitoring:EventRetentionDays; " + text;
        if (SparedBy.Count > 0) text += " (" + string.Join(", ", SparedBy.Select(s => $"{s.Value} named by {s.Key}")) + ")";
        return Undecided is null ? text : $"{text}; no image was deleted: {Undecided}";
    }
}

/// <summary>
/// Prunes raw embeddings beyond the retention period; events (classes, confidences, labels) stay unless event retention is set, and results stay. A model whose
/// reference is its own first events (<c>referenceUntil</c>) keeps them whatever their age: without them drift has nothing to
/// compare against and would stop without a word.
/// <para>
/// Kept images go with a model's <c>imageRetentionDays</c>: an image whose every event of that model is older is deleted from the
/// image store — unless another model's events still need it (a newer one, or a model that keeps its images for good), or a hold
/// (an open export, a dataset version) names it; when a hold cannot be read, nothing is deleted. The deleted image's events keep
/// everything but its name. An upload of the same bytes racing the deletion may find its image gone; the next upload keeps it again.
/// </para>
/// <para>
/// With <c>Monitoring:EventRetentionDays</c>, events of the days before it are deleted (whole day partitions on PostgreSQL), but
/// each reference period and the events naming an image an open export of their model holds. An image lives no longer than the
/// events that name it: images are pruned first, with every model's cutoff no earlier than the events' (an image left named by
/// no event could never be found again to delete, nor be served); held images are spared as always. A kept reference event may
/// so lose its image's name, as it does under <c>imageRetentionDays</c>.
/// </para>
/// </summary>
public sealed class RetentionService(IMonitoringStore store, IImageArchive images, IEnumerable<IImageHolds> holds, IOptions<MonitoringOptions> options,
    [FromKeyedServices(MonitoringHost.ClockKey)] TimeProvider time)
{
    /// <summary>"Still named by events of another model" in <see cref="RetentionResult.SparedBy"/>.</summary>
    public const string OtherModels = "events of a model that keeps them longer";

    public async Task<RetentionResult> PruneAsync(CancellationToken ct)
    {
        var models = await store.ListModelsAsync(ct);
        var references = models
            .Where(m => m.ReferenceUntil is not null)
            .ToDictionary(m => m.Name, m => m.ReferenceUntil!.Value, StringComparer.Ordinal);
        var now = time.GetUtcNow();
        var before = now - TimeSpan.FromDays(options.Value.RetentionDays);
        var pruned = await store.PruneEmbeddingsAsync(before, references, ct);
        await store.PruneHistoryAsync(before, ct);
        // The day events are deleted before: the store keeps the cutoff's own day whole.
        DateTimeOffset? eventsBefore = options.Value.EventRetentionDays > 0
            ? new DateTimeOffset((now - TimeSpan.FromDays(options.Value.EventRetentionDays)).UtcDateTime.Date, TimeSpan.Zero)
            : null;
        var (deleted, spared, sparedBy, undecided) = await PruneImagesAsync(models, now, eventsBefore, ct);
        long? eventsDeleted = eventsBefore is { } cutoff ? await store.PruneEventsAsync(cutoff, references, ct) : null;
        return new RetentionResult(pruned, deleted, spared, sparedBy, undecided, eventsDeleted);
    }

    private async Task<(int Deleted, int Spared, Dictionary<string, int> SparedBy, string? Undecided)> PruneImagesAsync(IReadOnlyList<MonitoredModel> models, DateTimeOffset now,
        DateTimeOffset? eventsBefore, CancellationToken ct)
    {
        var sparedBy = new Dictionary<string, int>(StringComparer.Ordinal);
        var cutoffs = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var m in models)
        {
            DateTimeOffset? own = m.ImageRetentionDays is { } days ? now - TimeSpan.FromDays(days) : null;
            var cutoff = own is null || eventsBefore > own ? eventsBefore : own;
            if (cutoff is { } c) cutoffs[m.Name] = c;
        }
        var candidates = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (model, cutoff) in cutoffs) candidates.UnionWith(await store.ListImagesLastNamedBeforeAsync(model, cutoff, ct));
        if (candidates.Count == 0) return (0, 0, sparedBy, null);

        // An image is gone only when every model naming it is done with it: a model without retention (or not registered any
        // more, whose rules are unknown) never is, unless the events naming it are past event retention.
        var uses = await store.ListImageUsesAsync(candidates, ct);
        DateTimeOffset? CutoffOf(string model) => cutoffs.TryGetValue(model, out var c) ? c : eventsBefore;
        var needed = uses.Where(u => CutoffOf(u.Model) is not { } cutoff || u.LastNamedAt >= cutoff).Select(u => u.Sha256).ToHashSet(StringComparer.Ordinal);
        var deletable = candidates.Where(c => !needed.Contains(c)).ToHashSet(StringComparer.Ordinal);
        if (needed.Count > 0) sparedBy[OtherModels] = needed.Count;
        foreach (var hold in holds)
        {
            if (deletable.Count == 0) break;
            IReadOnlySet<string> held;
            try { held = await hold.HeldAsync(models, deletable, ct); }
            catch (ImageHoldsUnknownException ex)
            {
                return (0, candidates.Count, sparedBy, $"which of them {hold.Name} name cannot be told: {ex.Message}");
            }
            var count = deletable.RemoveWhere(held.Contains);
            if (count > 0) sparedBy[hold.Name] = count;
        }
        // The image first, then its name on the events: a run stopped in between leaves names the next run finds again.
        foreach (var sha in deletable.Order(StringComparer.Ordinal)) await images.DeleteAsync(sha, ct);
        foreach (var byModel in uses.Where(u => deletable.Contains(u.Sha256)).GroupBy(u => u.Model, StringComparer.Ordinal))
            await store.ForgetImagesAsync(byModel.Key, byModel.Select(u => u.Sha256).ToList(), CutoffOf(byModel.Key)!.Value, ct);
        return (deletable.Count, candidates.Count - deletable.Count, sparedBy, null);
    }
}
