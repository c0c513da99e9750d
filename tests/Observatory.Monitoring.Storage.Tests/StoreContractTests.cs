using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Alerts;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Storage.Tests;

/// <summary>The behaviour every monitoring store must have; each database runs it through a subclass.</summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);
    protected IMonitoringStore Store { get; private set; } = null!;

    protected abstract Task<IMonitoringStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.MigrateAsync();
        await Store.UpsertModelAsync(new MonitoredModel { Name = "m", Classes = ["a", "b"], EmbeddingDimension = 3, CreatedAt = T, UpdatedAt = T });
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A plain connection to the store's database, for what only raw SQL can set up (an older schema).</summary>
    protected abstract Task<System.Data.Common.DbConnection> OpenRawAsync();

    private async Task<List<(string Id, long? Key)>> RawSampleKeysAsync()
    {
        await using var c = await OpenRawAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, sample_key FROM events ORDER BY id";
        await using var r = await cmd.ExecuteReaderAsync();
        var keys = new List<(string, long?)>();
        while (await r.ReadAsync()) keys.Add((r.GetString(0), r.IsDBNull(1) ? null : r.GetInt64(1)));
        return keys;
    }

    private async Task RawExecAsync(params string[] statements)
    {
        await using var c = await OpenRawAsync();
        foreach (var sql in statements)
        {
            await using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            await cmd.ExecuteNonQueryAsync();
        }
    }

    /// <summary>2,000 events of "m" one per second from T, every tenth served by version "2" and every seventh failed; events around the range and another model's inside it.</summary>
    private async Task<List<InferenceEvent>> InsertSecondsAsync()
    {
        var events = Enumerable.Range(0, 2000).Select(i => new InferenceEvent($"e{i:D4}", T.AddSeconds(i), i % 2 == 0 ? "a" : "b", 0.5, [i, 0, 1])
        {
            ModelVersion = i % 10 == 0 ? "2" : "1", Error = i % 7 == 0 ? "timeout" : null,
        }).ToList();
        foreach (var chunk in events.Chunk(500)) await Store.InsertEventsAsync("m", chunk);
        await Store.InsertEventsAsync("m", [E("before", -1), E("after", 40)]);
        await Store.UpsertModelAsync(new MonitoredModel { Name = "other", Classes = ["a"], EmbeddingDimension = 3, CreatedAt = T, UpdatedAt = T });
        await Store.InsertEventsAsync("other", Enumerable.Range(0, 300).Select(i => new InferenceEvent($"o{i}", T.AddSeconds(i * 5), "a", 0.5, [1, 2, 3])).ToList());
        return events;
    }

    [Fact]
    public async Task Sample_IsTheEventsWithTheSmallestKeys_OfTheRangeOnly_TheSameEachTime_AndASmallerOneIsItsPrefix()
    {
        var events = await InsertSecondsAsync();
        var (from, to) = (T.AddSeconds(100), T.AddSeconds(1900));
        var inRange = events.Where(e => e.Timestamp >= from && e.Timestamp < to).ToList();
        // The expectation is computed here from the ids alone: the database must pick exactly these.
        var expected = inRange.OrderBy(e => SampleKey.Of(e.Id)).Take(200).Select(e => e.Id).ToList();

        var sample = await Store.SampleEventsAsync("m", from, to, 200, includeEmbeddings: true);
        Assert.Equal(expected, sample.Select(e => e.Id));
        Assert.All(sample, e => Assert.Equal([float.Parse(e.Id[1..], System.Globalization.CultureInfo.InvariantCulture), 0, 1], e.Embedding!));
        Assert.Equal(expected, (await Store.SampleEventsAsync("m", from, to, 200, includeEmbeddings: false)).Select(e => e.Id));
        Assert.All(await Store.SampleEventsAsync("m", from, to, 200, includeEmbeddings: false), e => Assert.Null(e.Embedding));
        Assert.Equal(expected.Take(50), (await Store.SampleEventsAsync("m", from, to, 50, includeEmbeddings: false)).Select(e => e.Id));
        // Spread over the whole range, not its newest or oldest events: a third of the sample in each third of the range.
        var thirds = sample.GroupBy(e => (int)((e.Timestamp - from).TotalSeconds / 600)).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(Enumerable.Range(0, 3), k => Assert.InRange(thirds.GetValueOrDefault(k), 45, 90));
        // A limit beyond the range returns all of it, and nothing of another model or outside the range.
        var all = await Store.SampleEventsAsync("m", from, to, 5000, includeEmbeddings: false);
        Assert.Equal(inRange.Select(e => e.Id).Order(StringComparer.Ordinal), all.Select(e => e.Id).Order(StringComparer.Ordinal));
        Assert.Empty(await Store.SampleEventsAsync("m", from, to, 0, includeEmbeddings: false));
    }

    [Fact]
    public async Task CountWindow_CountsEveryEventOfTheRange_PerVersion_AndTheFailedOnes()
    {
        await InsertSecondsAsync();
        var counts = await Store.CountWindowAsync("m", T.AddSeconds(100), T.AddSeconds(1900));
        var seconds = Enumerable.Range(100, 1800).ToList();
        Assert.Equal(1800, counts.Events);
        Assert.Equal(new Dictionary<string, long> { ["1"] = seconds.Count(i => i % 10 != 0), ["2"] = seconds.Count(i => i % 10 == 0) }, counts.ByVersion);
        Assert.Equal(seconds.Count(i => i % 7 == 0), counts.Errors);
        Assert.Equal(EventWindowCounts.None.Events, (await Store.CountWindowAsync("m", T.AddDays(1), T.AddDays(2))).Events);
    }

    [Fact]
    public async Task SampleKeys_OfEventsStoredBeforeTheirMigration_AreFilledWithTheValueInsertsStore()
    {
        await Store.InsertEventsAsync("m", [E("1", 1), E("grüße-ø", 2), E("x", 3)]);
        var stored = await RawSampleKeysAsync();
        Assert.Equal(stored.Select(k => (k.Id, (long?)SampleKey.Of(k.Id))), stored);
        // Back to the schema before migration 10, with keys gone; migrating again must compute the same keys in SQL.
        await RawExecAsync("DROP INDEX ix_events_sample", "ALTER TABLE events DROP COLUMN sample_key", "CREATE INDEX ix_events_model_ts ON events (model, ts)",
            "DELETE FROM schema_migrations WHERE version = 10");
        await Store.MigrateAsync();
        Assert.Equal(stored, await RawSampleKeysAsync());
        Assert.Equal(["1", "grüße-ø", "x"], (await Store.SampleEventsAsync("m", T, T.AddHours(1), 10, false)).Select(e => e.Id).Order(StringComparer.Ordinal));
    }

    private static InferenceEvent E(string id, int minute, string cls = "a", float[]? emb = null) =>
        new(id, T.AddMinutes(minute), cls, 0.75, emb ?? [1, 2, 3]);

    [Fact]
    public async Task Migrate_WhenRunAgain_IsANoOp()
    {
        await Store.MigrateAsync();
        Assert.Single(await Store.ListModelsAsync());
    }

    [Fact]
    public async Task Models_UpsertReadListDelete()
    {
        var m = (await Store.GetModelAsync("m"))!;
        await Store.UpsertModelAsync(m with { BaselineAccuracy = 0.8, UpdatedAt = T.AddHours(1) });
        Assert.Equal(0.8, (await Store.GetModelAsync("m"))!.BaselineAccuracy);
        Assert.Equal(T, (await Store.GetModelAsync("m"))!.CreatedAt);
        Assert.True(await Store.DeleteModelAsync("m"));
        Assert.Null(await Store.GetModelAsync("m"));
        Assert.False(await Store.DeleteModelAsync("m"));
    }

    [Fact]
    public async Task Events_RepeatedWithinOneBatch_KeepTheFirst_AndEveryFieldRoundTrips()
    {
        var full = new InferenceEvent("f", T.AddMinutes(5), "b", 0.5, [0.25f, -1f, 7f], "a", [0.1, 0.2])
        {
            ImageUri = "https://images.example/f.jpg", ModelVersion = "2", ImageSha256 = new string('c', 64),
            Boxes = [new EventBox("b", 0.5, 0.5, 0.25, 0.125, 0.9)], LatencyMs = 12.5, Error = "timeout",
        };
        Assert.Equal(new IngestResult(1, 0), await Store.InsertEventsAsync("m", [E("1", 1)]));
        // "1" is known already; "x" comes twice in the batch and its first occurrence is the one kept, as row by row.
        Assert.Equal(new IngestResult(2, 2), await Store.InsertEventsAsync("m", [E("x", 2, cls: "a"), E("1", 1, cls: "b"), E("x", 3, cls: "b"), full]));
        var got = (await Store.GetEventsAsync("m", T, T.AddHours(1), 10, true)).ToDictionary(e => e.Id);
        Assert.Equal(["1", "f", "x"], got.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("a", T.AddMinutes(2)), (got["x"].PredictedClass, got["x"].Timestamp));
        Assert.Equal("a", got["1"].PredictedClass);
        var f = got["f"];
        Assert.Equal((full.Timestamp, full.PredictedClass, full.Confidence, full.TrueClass), (f.Timestamp, f.PredictedClass, f.Confidence, f.TrueClass));
        Assert.Equal(full.Embedding, f.Embedding);
        Assert.Equal(full.ImageFeatures, f.ImageFeatures);
        Assert.Equal((full.ImageUri, full.ModelVersion, full.ImageSha256, full.LatencyMs, full.Error), (f.ImageUri, f.ModelVersion, f.ImageSha256, f.LatencyMs, f.Error));
        Assert.Equal(full.Boxes, f.Boxes);
    }

    [Fact]
    public async Task Events_AreIdempotentByIdAndRoundTripEmbeddingsBitExact()
    {
        float[] odd = [-0f, float.Epsilon, 3.4028235e38f];
        Assert.Equal(new IngestResult(2, 0), await Store.InsertEventsAsync("m", [E("1", 1), E("2", 2, emb: odd)]));
        Assert.Equal(new IngestResult(1, 1), await Store.InsertEventsAsync("m", [E("2", 2), E("3", 3)]));
        Assert.Equal(3, await Store.CountEventsAsync("m"));
        var got = await Store.GetEventsAsync("m", T, T.AddHours(1), 10, true);
        Assert.Equal(["3", "2", "1"], got.Select(e => e.Id).ToArray());
        Assert.Equal(odd.Select(BitConverter.SingleToInt32Bits), got[1].Embedding!.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(T.AddMinutes(2), got[1].Timestamp);
        Assert.Equal(T.AddMinutes(3), await Store.LastEventAtAsync("m"));
    }

    [Fact]
    public async Task EventPages_WalkTheRangeOldestFirst_EachEventOnce_EvenWhereTimestampsTie()
    {
        // 25 events over 10 timestamps (ties cross page boundaries), one outside the range at each end, another model's event.
        var inRange = Enumerable.Range(0, 25).Select(i => E($"e{i:D2}", 1 + i % 10, i % 2 == 0 ? "a" : "b")).ToList();
        await Store.InsertEventsAsync("m", [.. inRange, E("before", 0), E("after", 11)]);
        await Store.UpsertModelAsync(new MonitoredModel { Name = "other", Classes = ["a"], EmbeddingDimension = 3, CreatedAt = T, UpdatedAt = T });
        await Store.InsertEventsAsync("other", [E("x", 5)]);

        var pages = new List<IReadOnlyList<InferenceEvent>>();
        EventPosition? after = null;
        while (true)
        {
            var page = await Store.GetEventPageAsync("m", T.AddMinutes(1), T.AddMinutes(11), after, 4, includeEmbeddings: pages.Count == 0);
            if (page.Count == 0) break;
            pages.Add(page);
            after = EventPosition.Of(page[^1]);
        }
        var walked = pages.SelectMany(p => p).ToList();
        Assert.Equal(7, pages.Count);
        Assert.All(pages.SkipLast(1), p => Assert.Equal(4, p.Count));
        var expected = inRange.OrderBy(e => e.Timestamp).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(e => (e.Id, e.Timestamp, e.PredictedClass)), walked.Select(e => (e.Id, e.Timestamp, e.PredictedClass)));
        Assert.Equal([1f, 2f, 3f], pages[0][0].Embedding!);
        Assert.Null(pages[1][0].Embedding);
    }

    [Fact]
    public async Task Events_RoundTripTheModelVersionAndKeptImage_AndNoneWhenNotGiven()
    {
        var sha = new string('a', 64);
        await Store.InsertEventsAsync("m", [E("v1", 1) with { ModelVersion = "1", ImageSha256 = sha }, E("v2", 2) with { ModelVersion = "2026.12-rc1" }, E("none", 3)]);
        var got = (await Store.GetEventsAsync("m", T, T.AddHours(1), 10, false)).ToDictionary(e => e.Id);
        Assert.Equal(("1", sha), (got["v1"].ModelVersion, got["v1"].ImageSha256));
        Assert.Equal("2026.12-rc1", got["v2"].ModelVersion);
        Assert.Equal((null, null), (got["none"].ModelVersion, got["none"].ImageSha256));
    }

    [Fact]
    public async Task Events_RoundTripTheirBoxes_AndNoneWhenNotGiven()
    {
        EventBox[] boxes = [new("a", 0.5, 0.25, 0.1, 0.2, 0.875), new("b", 0, 1, 1, 1e-9)];
        // Boxes go through both insert paths: PostgreSQL batches rows, so two events.
        await Store.InsertEventsAsync("m", [E("boxed", 1) with { Boxes = boxes }, E("empty", 2) with { Boxes = [] }, E("plain", 3)]);
        var got = (await Store.GetEventsAsync("m", T, T.AddHours(1), 10, false)).ToDictionary(e => e.Id);
        Assert.Equal(boxes, got["boxed"].Boxes);
        Assert.Empty(got["empty"].Boxes!);
        Assert.Null(got["plain"].Boxes);
    }

    [Fact]
    public async Task Events_RoundTripTheirLatencyAndError_AndNoneWhenNotGiven()
    {
        await Store.InsertEventsAsync("m", [E("slow", 1) with { LatencyMs = 1234.5, Error = "timeout after 1 s" }, E("ok", 2) with { LatencyMs = 0.25 }, E("plain", 3)]);
        var got = (await Store.GetEventsAsync("m", T, T.AddHours(1), 10, false)).ToDictionary(e => e.Id);
        Assert.Equal((1234.5, "timeout after 1 s"), (got["slow"].LatencyMs!.Value, got["slow"].Error));
        Assert.Equal((0.25, (string?)null), (got["ok"].LatencyMs!.Value, got["ok"].Error));
        Assert.Equal(((double?)null, (string?)null), (got["plain"].LatencyMs, got["plain"].Error));
    }

    [Fact]
    public async Task EventNamesImage_OnlyForTheModelWhoseEventNamesIt()
    {
        var sha = new string('c', 64);
        await Store.UpsertModelAsync(new MonitoredModel { Name = "other", Classes = ["a"], CreatedAt = T, UpdatedAt = T });
        await Store.InsertEventsAsync("m", [E("img", 1) with { ImageSha256 = sha }]);
        Assert.True(await Store.EventNamesImageAsync("m", sha));
        Assert.False(await Store.EventNamesImageAsync("other", sha));
        Assert.False(await Store.EventNamesImageAsync("m", new string('d', 64)));
    }

    private static ExportManifest Export(string model, string id, DateTimeOffset created, params string[] shas) =>
        new(id, model, "1", T, T.AddHours(1), ExportSelection.Outliers, 10, ExportFormat.Yolo, ["a", "b"], created, "a note",
            shas.Select((sha, i) => new ExportItem($"e{i}", T.AddMinutes(i), sha, $"e{i}-{sha[..12]}.png", $"/api/models/{model}/images/{sha}", 100 + i,
                "a", LabelSource.Feedback, "b", "a", "1", [new EventBox("a", 0.5, 0.5, 0.2, 0.2)], new ExportReason(1.5, 0.25, "a"))).ToList());

    [Fact]
    public async Task Exports_AreKeptOncePerId_ListedNewestFirst_AndClosedByDelete()
    {
        string a = new('1', 64), b = new('2', 64), c = new('3', 64);
        var first = Export("m", "x1", T, a, b);
        Assert.True(await Store.AddExportAsync(first));
        // The same id again writes nothing: the first export stands.
        Assert.False(await Store.AddExportAsync(Export("m", "x1", T.AddMinutes(5), c)));
        Assert.True(await Store.AddExportAsync(Export("m", "x2", T.AddMinutes(1), b, c)));
        var got = await Store.GetExportAsync("m", "x1");
        Assert.NotNull(got);
        Assert.Equal(first with { Items = [], Classes = [] }, got with { Items = [], Classes = [] });
        Assert.Equal(first.Items, got.Items, (x, y) => x with { Boxes = null } == y with { Boxes = null } && x.Boxes!.SequenceEqual(y.Boxes!));
        Assert.Equal(["x2", "x1"], (await Store.ListExportsAsync("m")).Select(e => e.Id).ToArray());
        Assert.Null(await Store.GetExportAsync("other", "x1"));
        Assert.Equal(new[] { a, b, c }.ToHashSet(), await Store.ListExportedImagesAsync());

        Assert.True(await Store.DeleteExportAsync("m", "x1"));
        Assert.False(await Store.DeleteExportAsync("m", "x1"));
        Assert.Null(await Store.GetExportAsync("m", "x1"));
        Assert.Equal(new[] { b, c }.ToHashSet(), await Store.ListExportedImagesAsync());
    }

    [Fact]
    public async Task DeletingAModel_DeletesItsExports_AndTheirHoldOnImages()
    {
        await Store.UpsertModelAsync(new MonitoredModel { Name = "other", Classes = ["a"], CreatedAt = T, UpdatedAt = T });
        await Store.AddExportAsync(Export("m", "x", T, new string('4', 64)));
        await Store.AddExportAsync(Export("other", "x", T, new string('5', 64)));
        Assert.True(await Store.DeleteModelAsync("m"));
        Assert.Empty(await Store.ListExportsAsync("m"));
        Assert.Single(await Store.ListExportsAsync("other"));
        Assert.Equal(new[] { new string('5', 64) }.ToHashSet(), await Store.ListExportedImagesAsync());
    }

    [Fact]
    public async Task Events_WhenARowFailsMidBatch_NothingOfTheBatchIsStored()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => Store.InsertEventsAsync("m", [E("1", 1), E("2", 2), new InferenceEvent("3", T, null!, 0.5, null)]));
        Assert.Equal(0, await Store.CountEventsAsync("m"));
    }

    [Fact]
    public async Task Events_WindowIsHalfOpenAndLimited()
    {
        await Store.InsertEventsAsync("m", Enumerable.Range(0, 10).Select(i => E($"e{i}", i)).ToList());
        var w = await Store.GetEventsAsync("m", T.AddMinutes(2), T.AddMinutes(5), 100, false);
        Assert.Equal(["e4", "e3", "e2"], w.Select(e => e.Id).ToArray());
        Assert.All(w, e => Assert.Null(e.Embedding));
        Assert.Equal(2, (await Store.GetEventsAsync("m", T, T.AddHours(1), 2, false)).Count);
    }

    [Fact]
    public async Task Feedback_LabelsKnownEventsAndReturnsUnknownIds()
    {
        await Store.InsertEventsAsync("m", [E("1", 1), E("2", 2)]);
        var r = await Store.ApplyFeedbackAsync("m", [new("1", "b"), new("nope", "a")]);
        Assert.Equal(1, r.Updated);
        Assert.Equal(["nope"], r.UnknownIds);
        Assert.Equal("b", (await Store.GetEventsAsync("m", T, T.AddHours(1), 10, false)).Single(e => e.Id == "1").TrueClass);
    }

    /// <summary>
    /// A batch as the API passes it: events of different days (different partitions on PostgreSQL, where the batch is one
    /// statement), an id labelled twice (the last label wins, each counts), and an id not stored.
    /// </summary>
    [Fact]
    public async Task Feedback_ABatchAcrossDays_LastLabelWins_AndEachKnownLabelCounts()
    {
        await Store.InsertEventsAsync("m", [E("1", 1), E("2", 3 * 24 * 60), E("3", 5)]);
        await Store.InsertEventsAsync("other", [E("2", 1)]);
        var r = await Store.ApplyFeedbackAsync("m", [new("1", "a"), new("2", "b"), new("nope", "a"), new("1", "c"), new("gone", "b")]);
        Assert.Equal(3, r.Updated);
        Assert.Equal(["nope", "gone"], r.UnknownIds);
        var labelled = (await Store.GetEventsAsync("m", T, T.AddDays(4), 10, false)).ToDictionary(e => e.Id, e => e.TrueClass);
        Assert.Equal(new Dictionary<string, string?> { ["1"] = "c", ["2"] = "b", ["3"] = null }, labelled);
        // Only the named model's events: the other model's event "2" keeps no label.
        Assert.Null(Assert.Single(await Store.GetEventsAsync("other", T, T.AddDays(1), 10, false)).TrueClass);
    }

    [Fact]
    public async Task Retention_PrunesOldEmbeddingsButKeepsEvents()
    {
        await Store.InsertEventsAsync("m", [E("old", 1), E("new", 50)]);
        Assert.Equal(1, await Store.PruneEmbeddingsAsync(T.AddMinutes(10), new Dictionary<string, DateTimeOffset>()));
        var events = await Store.GetEventsAsync("m", T, T.AddHours(1), 10, true);
        Assert.Null(events.Single(e => e.Id == "old").Embedding);
        Assert.NotNull(events.Single(e => e.Id == "new").Embedding);
    }

    /// <summary>Hardening (low): a drift re-run of the same window replaced nothing and added a second result, counted as another window.</summary>
    [Fact]
    public async Task Results_AreUniquePerModelKindAndWindowEnd_ARerunReplacesItsWindow()
    {
        await Store.AddResultAsync(new StoredResult("m", "drift", T, T.AddMinutes(30), 10, true, 1.0, "{\"run\":1}", T));
        await Store.AddResultAsync(new StoredResult("m", "drift", T, T.AddMinutes(30), 12, false, 0.5, "{\"run\":2}", T.AddMinutes(1)));
        await Store.AddResultAsync(new StoredResult("m", "accuracy", T, T.AddMinutes(30), 5, false, 0.9, "{}", T));
        var drift = Assert.Single(await Store.ListResultsAsync("m", "drift", 10));
        Assert.Equal(("{\"run\":2}", 12, false), (drift.Json, drift.EventCount, drift.Drifted));
        Assert.Single(await Store.ListResultsAsync("m", "accuracy", 10));
    }

    /// <summary>Hardening (low): delivery attempts and job runs were never pruned.</summary>
    [Fact]
    public async Task PruneHistory_DropsOldAttemptsFinishedNotificationsAndRuns_KeepsWhatIsStillRetried()
    {
        Alert A(string id) => new() { Id = id, Model = "m", RuleId = id, Severity = AlertSeverity.Warning, Summary = "s", State = AlertState.Firing, FiredAt = T, LastEvaluatedAt = T };
        await Store.SaveAlertAsync(A("done"), new NotificationRequest("done", NotificationKind.Firing), ["ops"], T);
        await Store.SaveAlertAsync(A("retrying"), new NotificationRequest("retrying", NotificationKind.Firing), ["ops"], T);
        foreach (var n in await Store.DueNotificationsAsync(T, 10))
            await Store.RecordDeliveryAttemptAsync(new DeliveryAttempt(n.Id, n.AlertId, n.Channel, T, n.AlertId == "done", 200, null),
                n.AlertId == "done" ? null : T.AddDays(40), default);
        await Store.RecordJobRunAsync(new JobRun("drift", "m", T, T.AddSeconds(1), "succeeded", null), default);
        await Store.RecordJobRunAsync(new JobRun("drift", "m", T.AddDays(20), T.AddDays(20).AddSeconds(1), "succeeded", null), default);

        Assert.Equal(4, await Store.PruneHistoryAsync(T.AddDays(10))); // 2 attempts, 1 finished notification, 1 run
        Assert.Empty(await Store.ListDeliveryAttemptsAsync(null, 10));
        Assert.Single(await Store.ListJobRunsAsync("m", 10));
        Assert.Equal("retrying", Assert.Single(await Store.DueNotificationsAsync(T.AddDays(41), 10)).AlertId);
    }

    /// <summary>Hardening (low): acknowledge and resolve apply only to the alert as it was read (optimistic concurrency).</summary>
    [Fact]
    public async Task SaveAlert_Replacing_AppliesOnlyToTheAlertAsRead_ElseConflicts()
    {
        await Store.SaveAlertAsync(A("c1"), null, [], T);
        var read = (await Store.GetAlertAsync("c1"))!;
        var evaluated = read with { LastEvaluatedAt = T.AddMinutes(5) };
        await Store.SaveAlertAsync(evaluated, null, [], T); // the evaluator runs in between
        var ack = read with { State = AlertState.Acknowledged, AcknowledgedBy = "ada", AcknowledgedAt = T.AddMinutes(6) };
        await Assert.ThrowsAsync<ConflictException>(() => Store.SaveAlertAsync(ack, null, [], T, default, replacing: read));
        Assert.Equal(AlertState.Firing, (await Store.GetAlertAsync("c1"))!.State);

        var fresh = (await Store.GetAlertAsync("c1"))!;
        await Store.SaveAlertAsync(fresh with { State = AlertState.Acknowledged }, null, [], T, default, replacing: fresh);
        Assert.Equal(AlertState.Acknowledged, (await Store.GetAlertAsync("c1"))!.State);
    }

    /// <summary>Finding 10: retention pruned the reference period that referenceUntil models compare against; drift then stopped.</summary>
    [Fact]
    public async Task Finding10_Retention_KeepsEachModelsReferencePeriod_AndPrunesTheRest()
    {
        await Store.InsertEventsAsync("ref", [E("r1", 1), E("r2", 5), E("after", 8), E("new", 50)]);
        await Store.InsertEventsAsync("other", [E("o1", 1), E("o2", 5)]);
        // "ref" compares against its events before minute 6; everything before minute 10 is past retention.
        Assert.Equal(3, await Store.PruneEmbeddingsAsync(T.AddMinutes(10), new Dictionary<string, DateTimeOffset> { ["ref"] = T.AddMinutes(6), ["absent"] = T.AddDays(1) }));
        var kept = (await Store.GetEventsAsync("ref", T, T.AddHours(1), 10, true)).ToDictionary(e => e.Id, e => e.Embedding is not null);
        Assert.Equal(new Dictionary<string, bool> { ["r1"] = true, ["r2"] = true, ["after"] = false, ["new"] = true }, kept);
        Assert.All(await Store.GetEventsAsync("other", T, T.AddHours(1), 10, true), e => Assert.Null(e.Embedding));
    }

    protected static InferenceEvent At(string id, TimeSpan fromT, string? sha = null) => new(id, T + fromT, "a", 0.75, [1, 2, 3]) { ImageSha256 = sha };

    /// <summary>Events of days before the cutoff and its rules: reference periods, exported images' events, the cutoff's own day.</summary>
    protected async Task<Dictionary<string, long>> InsertRetentionDaysAsync()
    {
        string held = new('7', 64), loose = new('8', 64);
        await Store.InsertEventsAsync("m", [At("old1", -TimeSpan.FromDays(3)), At("old2", -TimeSpan.FromDays(2)), At("sameDay", -TimeSpan.FromHours(6)),
            At("new", TimeSpan.FromHours(1)), At("held", -TimeSpan.FromDays(3), held), At("unheld", -TimeSpan.FromDays(3), loose)]);
        await Store.InsertEventsAsync("ref", [At("r-ref", -TimeSpan.FromDays(3)), At("r-after", -TimeSpan.FromDays(2))]);
        // The export of "m" holds its image for events of "m" only.
        await Store.InsertEventsAsync("other", [At("o-held", -TimeSpan.FromDays(3), held), At("o-new", TimeSpan.FromMinutes(5))]);
        await Store.AddExportAsync(Export("m", "x", T, held));
        return new() { ["m"] = 6, ["ref"] = 2, ["other"] = 2 };
    }

    protected static readonly Dictionary<string, DateTimeOffset> RetentionReferences = new() { ["ref"] = T - TimeSpan.FromDays(2.5), ["absent"] = T.AddDays(1) };

    protected async Task<string[]> IdsAsync(string model) =>
        (await Store.GetEventsAsync(model, T.AddDays(-10), T.AddDays(10), 100, false)).Select(e => e.Id).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task EventRetention_DeletesTheDaysBeforeTheCutoffsDay_ButReferencePeriodsAndExportedImagesEvents()
    {
        await InsertRetentionDaysAsync();
        // Cutoff at T: the events of 2 and 3 days before go; those of T's own day stay, even before T.
        Assert.Equal(5, await Store.PruneEventsAsync(T, RetentionReferences));
        Assert.Equal(["held", "new", "sameDay"], await IdsAsync("m"));
        Assert.Equal(["r-ref"], await IdsAsync("ref"));
        Assert.Equal(["o-new"], await IdsAsync("other"));
        // Every field of a kept row survives the move (PostgreSQL moves reference rows out of the dropped partition).
        var kept = (await Store.GetEventsAsync("m", T.AddDays(-4), T, 10, true)).Single(e => e.Id == "held");
        Assert.Equal((T - TimeSpan.FromDays(3), new string('7', 64)), (kept.Timestamp, kept.ImageSha256));
        Assert.Equal([1, 2, 3], kept.Embedding!);

        Assert.Equal(0, await Store.PruneEventsAsync(T, RetentionReferences));
        // A kept event resent is still a duplicate; an event of a pruned day is stored again (a late arrival).
        Assert.Equal(new IngestResult(1, 1), await Store.InsertEventsAsync("ref", [At("r-ref", -TimeSpan.FromDays(3)), At("late", -TimeSpan.FromDays(2))]));
        Assert.Equal(["late", "r-ref"], await IdsAsync("ref"));
        Assert.Equal(1, await Store.PruneEventsAsync(T, RetentionReferences));
        Assert.Equal(["r-ref"], await IdsAsync("ref"));
    }

    [Fact]
    public async Task EventRetention_WithoutReferencesOrExports_DeletesEveryOldEvent_InBatches()
    {
        // More than one SQLite batch (10,000 rows), over two days.
        var old = Enumerable.Range(0, 12_000).Select(i => At($"e{i}", -TimeSpan.FromDays(2) + TimeSpan.FromSeconds(i * 10))).ToList();
        foreach (var chunk in old.Chunk(4000)) await Store.InsertEventsAsync("m", chunk);
        await Store.InsertEventsAsync("m", [At("today", TimeSpan.Zero)]);
        Assert.Equal(12_000, await Store.PruneEventsAsync(T, new Dictionary<string, DateTimeOffset>()));
        Assert.Equal(["today"], await IdsAsync("m"));
    }

    [Fact]
    public async Task Results_AreListedOldestFirstWithinTheLimit()
    {
        for (var i = 0; i < 3; i++)
            await Store.AddResultAsync(new StoredResult("m", "drift", T.AddMinutes(i), T.AddMinutes(i + 1), 10 + i, i == 2, i * 0.5, $"{{\"i\":{i}}}", T.AddMinutes(i)));
        var last2 = await Store.ListResultsAsync("m", "drift", 2);
        Assert.Equal([11, 12], last2.Select(r => r.EventCount).ToArray());
        Assert.True(last2[1].Drifted);
        Assert.Empty(await Store.ListResultsAsync("m", "accuracy", 10));
    }

    [Fact]
    public async Task ResultSummaries_InARange_AreOldestFirstWithoutJson_AndTheirIdsFetchTheFullResults()
    {
        for (var i = 0; i < 5; i++)
            await Store.AddResultAsync(new StoredResult("m", "drift", T.AddHours(i), T.AddHours(i + 1), 10 + i, i == 3, i * 0.5, $"{{\"i\":{i}}}", T.AddHours(i)));
        await Store.AddResultAsync(new StoredResult("m", "accuracy", T, T.AddHours(2), 1, false, 0.9, "{}", T));
        var inRange = await Store.ListResultSummariesAsync("m", "drift", T.AddHours(2), T.AddHours(4));
        Assert.Equal([11, 12, 13], inRange.Select(r => r.EventCount).ToArray());
        Assert.True(inRange[2].Drifted);
        Assert.Equal(1.5, inRange[2].Value);
        var full = await Store.GetResultsAsync([inRange[2].Id, inRange[0].Id]);
        Assert.Equal(["{\"i\":1}", "{\"i\":3}"], full.Select(r => r.Json).ToArray());
        Assert.Empty(await Store.GetResultsAsync([]));
    }

    [Fact]
    public async Task EventCounts_ByBucket_CountTimestampsPerSlotOfTheRange()
    {
        await Store.InsertEventsAsync("m", [E("a", 0), E("b", 1), E("c", 1), E("d", 3), E("e", 61)]);
        var buckets = await Store.CountEventsByBucketAsync("m", T, T.AddMinutes(60), TimeSpan.FromMinutes(1));
        Assert.Equal([(T, 1L), (T.AddMinutes(1), 2L), (T.AddMinutes(3), 1L)], buckets.Select(b => (b.Start, b.Count)).ToArray());
    }

    private static Alert A(string id, AlertState state = AlertState.Firing) => new()
    {
        Id = id, Model = "m", RuleId = "r", Severity = AlertSeverity.Warning, Summary = "s", State = state, FiredAt = T, LastEvaluatedAt = T,
    };

    [Fact]
    public async Task Alerts_OneOpenAlertPerModelAndRule_NotificationsQueuedPerChannel()
    {
        await Store.SaveAlertAsync(A("a1"), new NotificationRequest("a1", NotificationKind.Firing), ["ops", "slack"], T);
        Assert.Equal("a1", (await Store.GetOpenAlertAsync("m", "r"))!.Id);
        await Assert.ThrowsAnyAsync<Exception>(() => Store.SaveAlertAsync(A("a2"), null, [], T));
        await Store.SaveAlertAsync(A("a1", AlertState.Resolved), new NotificationRequest("a1", NotificationKind.Resolved), ["ops"], T);
        Assert.Null(await Store.GetOpenAlertAsync("m", "r"));
        await Store.SaveAlertAsync(A("a2"), null, [], T);
        Assert.Equal(2, (await Store.ListAlertsAsync("m", null, 10)).Count);
        Assert.Single(await Store.ListAlertsAsync(null, AlertState.Resolved, 10));
        var due = await Store.DueNotificationsAsync(T, 10);
        Assert.Equal([("ops", NotificationKind.Firing), ("slack", NotificationKind.Firing), ("ops", NotificationKind.Resolved)], due.Select(n => (n.Channel, n.Kind)).ToArray());
    }

    [Fact]
    public async Task Notifications_FailedAttemptPostponesSuccessCompletes_EveryAttemptRecorded()
    {
        await Store.SaveAlertAsync(A("a1"), new NotificationRequest("a1", NotificationKind.Firing), ["ops"], T);
        var n = (await Store.DueNotificationsAsync(T, 10)).Single();
        await Store.RecordDeliveryAttemptAsync(new DeliveryAttempt(n.Id, "a1", "ops", T, false, 503, "HTTP 503"), T.AddSeconds(10));
        Assert.Empty(await Store.DueNotificationsAsync(T.AddSeconds(9), 10));
        var again = (await Store.DueNotificationsAsync(T.AddSeconds(10), 10)).Single();
        Assert.Equal(1, again.Attempts);
        await Store.RecordDeliveryAttemptAsync(new DeliveryAttempt(n.Id, "a1", "ops", T.AddSeconds(10), true, 200, null), null);
        Assert.Empty(await Store.DueNotificationsAsync(T.AddDays(1), 10));
        var attempts = await Store.ListDeliveryAttemptsAsync("a1", 10);
        Assert.Equal([false, true], attempts.Select(a => a.Success).ToArray());
        Assert.Equal(503, attempts[0].StatusCode);
    }

    [Fact]
    public async Task Silences_AreActiveOnlyWithinTheirPeriod()
    {
        await Store.AddSilenceAsync(new Silence { Id = "s", Model = "m", RuleId = null, StartsAt = T, EndsAt = T.AddHours(1) });
        Assert.Single(await Store.ListSilencesAsync("m", T.AddMinutes(30)));
        Assert.Empty(await Store.ListSilencesAsync("m", T.AddHours(1)));
        Assert.Empty(await Store.ListSilencesAsync("other", T.AddMinutes(30)));
    }

    [Fact]
    public async Task Silences_Deleted_AreGone_AndDeletingAnUnknownIdSaysSo()
    {
        await Store.AddSilenceAsync(new Silence { Id = "s1", Model = "m", RuleId = "r", StartsAt = T, EndsAt = T.AddHours(1) });
        await Store.AddSilenceAsync(new Silence { Id = "s2", Model = "m", RuleId = null, StartsAt = T, EndsAt = T.AddHours(2) });
        Assert.True(await Store.DeleteSilenceAsync("s1"));
        Assert.Equal(["s2"], (await Store.ListSilencesAsync("m", T.AddMinutes(30))).Select(s => s.Id).ToArray());
        Assert.False(await Store.DeleteSilenceAsync("s1"));
    }

    [Fact]
    public async Task JobRuns_AreListedNewestFirst()
    {
        await Store.RecordJobRunAsync(new JobRun("drift", "m", T, T.AddSeconds(1), "succeeded", null));
        await Store.RecordJobRunAsync(new JobRun("drift", "m", T.AddMinutes(1), T.AddMinutes(1), "failed", "boom"));
        await Store.RecordJobRunAsync(new JobRun("retention", null, T, T, "succeeded", null));
        var runs = await Store.ListJobRunsAsync("m", 10);
        Assert.Equal(["failed", "succeeded"], runs.Select(r => r.Status).ToArray());
        Assert.Equal(3, (await Store.ListJobRunsAsync(null, 10)).Count);
    }
    [Fact]
    public async Task JobRuns_KeepWhatTheRunDid()
    {
        await Store.RecordJobRunAsync(new JobRun("retention", null, T, T, "succeeded", null) { Detail = "deleted 2 kept image(s), spared 1" });
        Assert.Equal("deleted 2 kept image(s), spared 1", Assert.Single(await Store.ListJobRunsAsync(null, 10)).Detail);
    }

    /// <summary>Image retention's questions: which images a model last named before a cutoff, who else names them, and forgetting the name.</summary>
    [Fact]
    public async Task KeptImages_LastNamedBeforeACutoff_TheirUses_AndForgettingTheirNames()
    {
        string H(char c) => new(c, 64);
        InferenceEvent Named(string id, int minute, string sha) => E(id, minute) with { ImageSha256 = sha };
        await Store.UpsertModelAsync(new MonitoredModel { Name = "other", Classes = ["a"], EmbeddingDimension = 3, CreatedAt = T, UpdatedAt = T });
        // a: only old events of m; b: an old and a new event of m; c: old in m, new in other; unnamed events are ignored.
        await Store.InsertEventsAsync("m", [Named("1", 1, H('a')), Named("2", 2, H('a')), Named("3", 3, H('b')), Named("4", 50, H('b')), Named("5", 4, H('c')), E("6", 1)]);
        await Store.InsertEventsAsync("other", [Named("1", 40, H('c'))]);

        Assert.Equal([H('a'), H('c')], await Store.ListImagesLastNamedBeforeAsync("m", T.AddMinutes(10)));
        Assert.Equal([H('c')], await Store.ListImagesLastNamedBeforeAsync("other", T.AddMinutes(45)));
        Assert.Empty(await Store.ListImagesLastNamedBeforeAsync("other", T.AddMinutes(40)));
        Assert.Empty(await Store.ListImagesLastNamedBeforeAsync("nobody", T.AddHours(1)));

        var uses = await Store.ListImageUsesAsync([H('a'), H('c'), H('d')]);
        Assert.Equal([("m", H('a'), T.AddMinutes(2)), ("m", H('c'), T.AddMinutes(4)), ("other", H('c'), T.AddMinutes(40))],
            uses.Select(u => (u.Model, u.Sha256, u.LastNamedAt)).OrderBy(u => u.Sha256).ThenBy(u => u.Model).ToArray());
        Assert.Empty(await Store.ListImageUsesAsync([]));

        // Only the model's events before the cutoff lose the name.
        Assert.Equal(3, await Store.ForgetImagesAsync("m", [H('a'), H('b')], T.AddMinutes(10)));
        var events = await Store.GetEventsAsync("m", T, T.AddHours(1), 10, false);
        Assert.Equal(new string?[] { null, null, null, H('b'), H('c'), null }, events.OrderBy(e => e.Id).Select(e => e.ImageSha256).ToArray());
        Assert.Equal(H('c'), Assert.Single(await Store.GetEventsAsync("other", T, T.AddHours(1), 10, false)).ImageSha256);
        Assert.Equal([H('c')], await Store.ListImagesLastNamedBeforeAsync("m", T.AddMinutes(10)));
    }
}
