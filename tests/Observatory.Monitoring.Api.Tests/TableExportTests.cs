using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Apache.Arrow.Ipc;
using Microsoft.Data.Analysis;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Monitoring.Api.Apis;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Core.Ports;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// ?format=csv|arrow of the event listing and the drift and accuracy series (issue 15): what is exported reads back with the same
/// values through the DataFrame package (Arrow and CSV) and through Python's csv module, a reader that is not .NET. Runs on SQLite
/// (<see cref="TableExportTests"/>) and PostgreSQL (<see cref="PostgresTableExportTests"/>): the pages come from each store's query.
/// </summary>
public abstract class TableExportContract : IAsyncLifetime
{
    protected virtual Task<Dictionary<string, string?>> StoreSettingsAsync() => Task.FromResult(new Dictionary<string, string?>());

    private const int EventTotal = 25_000;
    private const int BatchSize = 4_000;
    // A class name a naive CSV writer breaks: a comma, quotes, and a character beyond ASCII.
    private const string Awkward = "circle, \"big\" — ø";
    private static readonly DateTimeOffset T = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);
    private MonitoringServer _server = null!;
    private IMonitoringStore Store => _server.Services.GetRequiredService<IMonitoringStore>();

    public async Task InitializeAsync()
    {
        var settings = await StoreSettingsAsync();
        settings["Monitoring:EventExportBatchSize"] = BatchSize.ToString(CultureInfo.InvariantCulture);
        _server = await MonitoringServer.StartAsync(settings);
        await _server.RegisterAsync("shapes", new { classes = new[] { Awkward, "square" }, embeddingDimension = 3, schedule = "0 0 0 1 1 ? 2099" });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>Events in pairs sharing a timestamp (paging must not lose ties), with and without true classes and versions.</summary>
    private static List<InferenceEvent> MakeEvents(int count) => Enumerable.Range(0, count).Select(i => new InferenceEvent(
        $"ev-{count - i:D6}", T.AddTicks(i / 2 * 1_234_567L), i % 3 == 0 ? Awkward : "square", (i * 0.618033988749895) % 1, [i, -1f / (i + 1), 3.4028235e38f],
        i % 4 == 0 ? null : i % 5 == 0 ? Awkward : "square") { ModelVersion = i % 7 == 0 ? null : $"v{i % 3}" }).ToList();

    private async Task<List<InferenceEvent>> SeedEventsAsync(int count)
    {
        var events = MakeEvents(count);
        foreach (var chunk in events.Chunk(5000)) await Store.InsertEventsAsync("shapes", chunk);
        return events.OrderBy(e => e.Timestamp).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();
    }

    private record Row(string Id, string Timestamp, string PredictedClass, double Confidence, string? TrueClass, string? ModelVersion);

    private static Row Expected(InferenceEvent e) => new(e.Id, e.Timestamp.ToString("O", CultureInfo.InvariantCulture), e.PredictedClass, e.Confidence, e.TrueClass, e.ModelVersion);

    private static Row FromFrame(DataFrame f, long i) => new((string)f.Columns["id"][i], (string)f.Columns["timestamp"][i], (string)f.Columns["predictedClass"][i],
        (double)f.Columns["confidence"][i], Blank((string?)f.Columns["trueClass"][i]), Blank((string?)f.Columns["modelVersion"][i]));

    /// <summary>CSV has one spelling for "none" and for "": an empty field.</summary>
    private static string? Blank(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static async Task<List<DataFrame>> ReadArrowAsync(HttpResponseMessage r)
    {
        using var reader = new ArrowStreamReader(await r.Content.ReadAsStreamAsync());
        var frames = new List<DataFrame>();
        while (await reader.ReadNextRecordBatchAsync() is { } batch) frames.Add(DataFrame.FromArrowRecordBatch(batch));
        return frames;
    }

    private static DataFrame LoadCsv(byte[] csv, string[] columns, Type[] types) =>
        DataFrame.LoadCsv(new MemoryStream(csv), separator: ',', header: true, columnNames: columns, dataTypes: types, encoding: System.Text.Encoding.UTF8);

    [Fact]
    public async Task Events_AsArrow_ArriveAsOneRecordBatchPerPage_AndReadBackWithTheSameValues()
    {
        var expected = (await SeedEventsAsync(EventTotal)).Select(Expected).ToList();
        using var r = await _server.Client.GetAsync("/api/models/shapes/events?format=arrow");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/vnd.apache.arrow.stream", r.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", r.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("shapes-events.arrows", r.Content.Headers.ContentDisposition.FileNameStar);
        var frames = await ReadArrowAsync(r);
        Assert.Equal((EventTotal + BatchSize - 1) / BatchSize, frames.Count);
        Assert.All(frames.SkipLast(1), f => Assert.Equal(BatchSize, f.Rows.Count));
        Assert.Equal(["id", "timestamp", "predictedClass", "confidence", "trueClass", "modelVersion"], frames[0].Columns.Select(c => c.Name));
        Assert.Equal(expected, frames.SelectMany(f => Enumerable.Range(0, (int)f.Rows.Count).Select(i => FromFrame(f, i))));
    }

    [Fact]
    public async Task Events_AsCsv_HaveOneHeader_AndReadBackWithTheSameValues_ThroughDataFrameAndPythonsCsvModule()
    {
        var expected = (await SeedEventsAsync(EventTotal)).Select(Expected).ToList();
        using var r = await _server.Client.GetAsync("/api/models/shapes/events?format=csv");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("text/csv", r.Content.Headers.ContentType!.MediaType);
        Assert.Equal("shapes-events.csv", r.Content.Headers.ContentDisposition!.FileNameStar);
        var csv = await r.Content.ReadAsByteArrayAsync();
        Assert.Equal(1, System.Text.Encoding.UTF8.GetString(csv).Split('\n').Count(l => l.StartsWith("id,timestamp,", StringComparison.Ordinal)));

        var frame = LoadCsv(csv, ["id", "timestamp", "predictedClass", "confidence", "trueClass", "modelVersion"],
            [typeof(string), typeof(string), typeof(string), typeof(double), typeof(string), typeof(string)]);
        Assert.Equal(expected, Enumerable.Range(0, (int)frame.Rows.Count).Select(i => FromFrame(frame, i)));

        var python = await PythonCsvAsync(csv);
        Assert.Equal(expected, python.Select(p => new Row(p[0].GetString()!, p[1].GetString()!, p[2].GetString()!, p[3].GetDouble(), Blank(p[4].GetString()), Blank(p[5].GetString()))));
        Assert.Contains(python, p => p[2].GetString() == Awkward);
    }

    /// <summary>Parses the CSV with Python's csv module; the confidence as Python's float, so a value that does not parse there fails.</summary>
    private static async Task<List<JsonElement[]>> PythonCsvAsync(byte[] csv)
    {
        using var dir = new TempDirectory("csv-py");
        var path = dir.Combine("events.csv");
        await File.WriteAllBytesAsync(path, csv);
        const string script = """
            import csv, json, sys
            with open(sys.argv[1], newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
            print(json.dumps([[r["id"], r["timestamp"], r["predictedClass"], float(r["confidence"]), r["trueClass"], r["modelVersion"]] for r in rows]))
            """;
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(path);
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, error);
        return JsonSerializer.Deserialize<JsonElement[][]>(await output)!.ToList();
    }

    [Fact]
    public async Task Events_WithEmbeddings_HaveAColumnPerDimension_BitExactInArrowAndCsv_AndARangeKeepsOnlyItsEvents()
    {
        var all = await SeedEventsAsync(50);
        var from = all[10].Timestamp;
        var to = all[40].Timestamp;
        var expected = all.Where(e => e.Timestamp >= from && e.Timestamp < to).ToList();
        var query = $"/api/models/shapes/events?embeddings=true&from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}";

        using var arrow = await _server.Client.GetAsync(query + "&format=arrow");
        var frame = Assert.Single(await ReadArrowAsync(arrow));
        Assert.Equal(expected.Select(e => e.Id), frame.Columns["id"].Cast<string>());
        for (var d = 0; d < 3; d++)
            Assert.Equal(expected.Select(e => BitConverter.SingleToInt32Bits(e.Embedding![d])), frame.Columns[$"embedding_{d}"].Cast<float>().Select(BitConverter.SingleToInt32Bits));

        using var csv = await _server.Client.GetAsync(query + "&format=csv");
        var loaded = LoadCsv(await csv.Content.ReadAsByteArrayAsync(), [.. Frames.EventColumns, "embedding_0", "embedding_1", "embedding_2"],
            [typeof(string), typeof(string), typeof(string), typeof(double), typeof(string), typeof(string), typeof(float), typeof(float), typeof(float)]);
        Assert.Equal(expected.Count, loaded.Rows.Count);
        Assert.Equal(expected.Select(e => BitConverter.SingleToInt32Bits(e.Embedding![1])), loaded.Columns["embedding_1"].Cast<float>().Select(BitConverter.SingleToInt32Bits));

        var json = await _server.Client.GetFromJsonAsync<List<EventRow>>(query, MonitoringServer.Json);
        Assert.Equal(expected.Select(e => (e.Id, e.Timestamp, e.Confidence, e.Embedding![2])), json!.Select(e => (e.Id, e.Timestamp, e.Confidence, e.Embedding![2])));
    }

    [Fact]
    public async Task Events_OfAnEmptyRange_AreAHeaderOrAnEmptyBatchWithTheColumns()
    {
        using var csv = await _server.Client.GetAsync("/api/models/shapes/events?format=csv");
        Assert.Equal("id,timestamp,predictedClass,confidence,trueClass,modelVersion", (await csv.Content.ReadAsStringAsync()).TrimEnd());
        using var arrow = await _server.Client.GetAsync("/api/models/shapes/events?format=arrow");
        var frame = Assert.Single(await ReadArrowAsync(arrow));
        Assert.Equal((0L, 6), (frame.Rows.Count, frame.Columns.Count));
    }

    [Theory]
    [InlineData("/api/models/shapes/drift?format=xlsx")]
    [InlineData("/api/models/shapes/accuracy?format=parquet")]
    [InlineData("/api/models/shapes/events?format=tsv")]
    public async Task AnUnknownFormat_Is400ProblemDetailsNamingFormat(string path)
    {
        using var r = await _server.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType!.MediaType);
        var problem = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("format", out _), problem.ToString());
    }

    [Fact]
    public async Task DriftAndAccuracySeries_AsCsvAndArrow_HoldTheJsonSeriesValues()
    {
        for (var i = 0; i < 5; i++)
        {
            var end = T.AddHours(i + 1);
            var window = new WindowResult { Model = "shapes", WindowStart = T.AddHours(i), WindowEnd = end, EventCount = 100 + i, EmbeddingDrift = i == 3, PredictionDrift = false, ErrorRate = i == 2 ? null : 0.01 * i };
            var drift = new DriftRun(window, new DriftRunReport(null, null, [new MethodVerdict("ks", 0.5, 0.2, 0.05, false, null), new MethodVerdict("mmd", 0.1 * i + 1.0 / 3, i == 3 ? 1e-7 : 0.4, 0.05, i == 3, null)]) { VerdictMethod = "mmd", Drifted = i == 3 },
                null, null, null);
            await Store.AddResultAsync(new StoredResult("shapes", StoredResults.Drift, window.WindowStart, end, window.EventCount, i == 3, 0.1 * i + 1.0 / 3, JsonSerializer.Serialize(drift, MonitoringServer.Json), end));
            var accuracy = new AccuracyRun(window with { Accuracy = i == 1 ? null : 0.8 + i / 100.0, AccuracyLower = i == 1 ? null : 0.7, EstimatedAccuracy = 0.85 }, i == 1 ? 0 : 40 + i, null, 0.9, 0, null);
            await Store.AddResultAsync(new StoredResult("shapes", StoredResults.Accuracy, window.WindowStart, end, window.EventCount, false, accuracy.Shown, JsonSerializer.Serialize(accuracy, MonitoringServer.Json), end));
        }

        var driftJson = (await _server.Client.GetFromJsonAsync<List<DriftWindowResult>>("/api/models/shapes/drift", MonitoringServer.Json))!;
        List<DataFrameColumn> driftColumns;
        using (var arrow = await _server.Client.GetAsync("/api/models/shapes/drift?format=arrow"))
        {
            Assert.Equal("shapes-drift.arrows", arrow.Content.Headers.ContentDisposition!.FileNameStar);
            var f = Assert.Single(await ReadArrowAsync(arrow));
            driftColumns = [.. f.Columns];
            Assert.Equal(driftJson.Select(d => Frames.Instant(d.WindowEnd)), f.Columns["windowEnd"].Cast<string>());
            Assert.Equal(driftJson.Select(d => d.Flagged), f.Columns["flagged"].Cast<bool>());
            Assert.Equal(driftJson.Select(d => d.Value), f.Columns["value"].Cast<double?>());
            Assert.Equal(driftJson.Select(d => d.Details.Embedding!.Methods.Single(m => m.Method == "mmd").PValue), f.Columns["embeddingPValue"].Cast<double?>());
            Assert.Equal(driftJson.Select(d => d.Details.Window.ErrorRate), f.Columns["errorRate"].Cast<double?>());
            Assert.Equal(driftJson.Select(_ => (string?)"mmd"), f.Columns["embeddingMethod"].Cast<string?>());
        }
        using (var csv = await _server.Client.GetAsync("/api/models/shapes/drift?format=csv"))
        {
            var f = LoadCsv(await csv.Content.ReadAsByteArrayAsync(), [.. driftColumns.Select(c => c.Name)], [.. driftColumns.Select(c => c.DataType)]);
            Assert.Equal(driftJson.Select(d => d.Details.Embedding!.Methods.Single(m => m.Method == "mmd").Statistic), f.Columns["embeddingStatistic"].Cast<double?>().Select(v => v!.Value));
            Assert.Equal(driftJson.Select(d => d.EventCount), f.Columns["eventCount"].Cast<int?>().Select(v => v!.Value));
            Assert.Equal(driftJson.Select(d => d.Details.Window.ErrorRate), f.Columns["errorRate"].Cast<double?>());
        }

        var accuracyJson = (await _server.Client.GetFromJsonAsync<List<AccuracyWindowResult>>("/api/models/shapes/accuracy", MonitoringServer.Json))!;
        List<DataFrameColumn> accuracyColumns;
        using (var arrow = await _server.Client.GetAsync("/api/models/shapes/accuracy?format=arrow"))
        {
            var f = Assert.Single(await ReadArrowAsync(arrow));
            accuracyColumns = [.. f.Columns];
            Assert.Equal(accuracyJson.Select(a => a.Details.Window.Accuracy), f.Columns["accuracy"].Cast<double?>());
            Assert.Equal(accuracyJson.Select(a => a.Details.Window.AccuracyLower), f.Columns["accuracyLower"].Cast<double?>());
            Assert.Equal(accuracyJson.Select(a => (int?)a.Details.Labelled), f.Columns["labelled"].Cast<int?>());
            Assert.Equal(accuracyJson.Select(a => a.Value), f.Columns["value"].Cast<double?>());
        }
        using (var csv = await _server.Client.GetAsync("/api/models/shapes/accuracy?format=csv"))
        {
            Assert.Equal("shapes-accuracy.csv", csv.Content.Headers.ContentDisposition!.FileNameStar);
            var f = LoadCsv(await csv.Content.ReadAsByteArrayAsync(), [.. accuracyColumns.Select(c => c.Name)], [.. accuracyColumns.Select(c => c.DataType)]);
            Assert.Equal(accuracyJson.Select(a => a.Details.Window.EstimatedAccuracy), f.Columns["estimatedAccuracy"].Cast<double?>());
        }
    }
}

public sealed class TableExportTests : TableExportContract;

[Collection(Storage.PostgresCollection.Name)]
public sealed class PostgresTableExportTests(PostgresServerFixture pg) : TableExportContract
{
    protected override async Task<Dictionary<string, string?>> StoreSettingsAsync() => new()
    {
        ["Monitoring:Store"] = "postgres",
        ["ConnectionStrings:Monitoring"] = await PostgresDatabases.CreateAsync(pg),
    };
}
