using System.Globalization;
using Microsoft.Data.Analysis;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Events;

namespace Observatory.Monitoring.Api.Apis;

/// <summary>
/// The tables of the CSV and Arrow exports, one row per window or event. Instants are ISO 8601 strings in UTC ("O": to the tick),
/// because the frames have no Arrow timestamp column; a missing value is an empty CSV field and an Arrow null.
/// </summary>
public static class Frames
{
    /// <summary>
    /// A string column that converts to Arrow (the package's plain string column does not), laid over an Arrow string array
    /// (its own appending loses nulls from the column's length).
    /// </summary>
    private static ArrowStringDataFrameColumn Text(string name, IEnumerable<string?> values)
    {
        var builder = new Apache.Arrow.StringArray.Builder();
        foreach (var v in values)
            if (v is null) builder.AppendNull();
            else builder.Append(v);
        var array = builder.Build();
        return new ArrowStringDataFrameColumn(name, array.ValueBuffer.Memory, array.ValueOffsetsBuffer.Memory, array.NullBitmapBuffer.Memory, array.Length, array.NullCount);
    }

    public static string Instant(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    /// <summary>Columns of an event export: these, then <c>embedding_0</c>… when embeddings are asked for.</summary>
    public static readonly IReadOnlyList<string> EventColumns = ["id", "timestamp", "predictedClass", "confidence", "trueClass", "modelVersion"];

    /// <param name="embeddingDimension">The model's: one float column per dimension (null where an event's embedding was pruned); null for none.</param>
    public static DataFrame Events(IReadOnlyList<InferenceEvent> page, int? embeddingDimension)
    {
        var frame = new DataFrame(
            Text("id", page.Select(e => e.Id)),
            Text("timestamp", page.Select(e => Instant(e.Timestamp))),
            Text("predictedClass", page.Select(e => e.PredictedClass)),
            new DoubleDataFrameColumn("confidence", page.Select(e => e.Confidence)),
            Text("trueClass", page.Select(e => e.TrueClass)),
            Text("modelVersion", page.Select(e => e.ModelVersion)));
        for (var k = 0; k < (embeddingDimension ?? 0); k++)
        {
            var d = k;
            frame.Columns.Add(new SingleDataFrameColumn($"embedding_{d}", page.Select(e => e.Embedding is { } v && d < v.Length ? v[d] : (float?)null)));
        }
        return frame;
    }

    /// <summary>
    /// A drift series: the window, its verdicts, and for embeddings, predicted classes and confidences the statistic and p-value of
    /// the method whose verdict is the report's.
    /// </summary>
    public static DataFrame Drift(IReadOnlyList<DriftWindowResult> rows)
    {
        var frame = WindowColumns(rows.Select(r => (r.WindowStart, r.WindowEnd, r.EventCount, r.Flagged, r.Value, r.CreatedAt)).ToList());
        frame.Columns.Add(new BooleanDataFrameColumn("embeddingDrift", rows.Select(r => r.Details?.Window.EmbeddingDrift)));
        frame.Columns.Add(new BooleanDataFrameColumn("predictionDrift", rows.Select(r => r.Details?.Window.PredictionDrift)));
        frame.Columns.Add(new BooleanDataFrameColumn("confidenceDrift", rows.Select(r => r.Details?.Window.ConfidenceDrift)));
        frame.Columns.Add(new BooleanDataFrameColumn("imageStatisticsDrift", rows.Select(r => r.Details?.Window.ImageStatisticsDrift)));
        foreach (var (name, report) in new (string, Func<DriftRun?, DriftRunReport?>)[] { ("embedding", d => d?.Embedding), ("prediction", d => d?.Prediction), ("confidence", d => d?.Confidence) })
        {
            var verdicts = rows.Select(r => Verdict(report(r.Details))).ToList();
            frame.Columns.Add(Text($"{name}Method", verdicts.Select(v => v?.Method)));
            frame.Columns.Add(new DoubleDataFrameColumn($"{name}Statistic", verdicts.Select(v => v?.Statistic)));
            frame.Columns.Add(new DoubleDataFrameColumn($"{name}PValue", verdicts.Select(v => v?.PValue)));
        }
        frame.Columns.Add(new DoubleDataFrameColumn("errorRate", rows.Select(r => r.Details?.Window.ErrorRate)));
        frame.Columns.Add(new DoubleDataFrameColumn("latencyP95Ms", rows.Select(r => r.Details?.Window.LatencyP95Ms)));
        return frame;
    }

    private static MethodVerdict? Verdict(DriftRunReport? report) =>
        report?.Methods?.FirstOrDefault(m => m.Method == report.VerdictMethod) ?? report?.Methods?.FirstOrDefault();

    /// <summary>An accuracy series: the window, measured accuracy with its interval, the estimate with its band, and the baseline verdict.</summary>
    public static DataFrame Accuracy(IReadOnlyList<AccuracyWindowResult> rows)
    {
        var frame = WindowColumns(rows.Select(r => (r.WindowStart, r.WindowEnd, r.EventCount, r.Flagged, r.Value, r.CreatedAt)).ToList());
        frame.Columns.Add(new Int32DataFrameColumn("labelled", rows.Select(r => (int?)r.Details?.Labelled)));
        frame.Columns.Add(new DoubleDataFrameColumn("accuracy", rows.Select(r => r.Details?.Window.Accuracy)));
        frame.Columns.Add(new DoubleDataFrameColumn("accuracyLower", rows.Select(r => r.Details?.Window.AccuracyLower)));
        frame.Columns.Add(new DoubleDataFrameColumn("accuracyUpper", rows.Select(r => r.Details?.Window.AccuracyUpper)));
        frame.Columns.Add(new DoubleDataFrameColumn("estimatedAccuracy", rows.Select(r => r.Details?.Window.EstimatedAccuracy)));
        frame.Columns.Add(new DoubleDataFrameColumn("estimatedAccuracyLower", rows.Select(r => r.Details?.Window.EstimatedAccuracyLower)));
        frame.Columns.Add(new DoubleDataFrameColumn("estimatedAccuracyUpper", rows.Select(r => r.Details?.Window.EstimatedAccuracyUpper)));
        frame.Columns.Add(new DoubleDataFrameColumn("macroF1", rows.Select(r => r.Details?.Metrics?.MacroF1)));
        frame.Columns.Add(new DoubleDataFrameColumn("baselineAccuracy", rows.Select(r => r.Details?.BaselineAccuracy)));
        frame.Columns.Add(new BooleanDataFrameColumn("accuracyBelowBaseline", rows.Select(r => r.Details?.Window.AccuracyBelowBaseline)));
        return frame;
    }

    private static DataFrame WindowColumns(IReadOnlyList<(DateTimeOffset Start, DateTimeOffset End, int Events, bool Flagged, double? Value, DateTimeOffset Created)> rows) => new(
        Text("windowStart", rows.Select(r => Instant(r.Start))),
        Text("windowEnd", rows.Select(r => Instant(r.End))),
        new Int32DataFrameColumn("eventCount", rows.Select(r => r.Events)),
        new BooleanDataFrameColumn("flagged", rows.Select(r => r.Flagged)),
        new DoubleDataFrameColumn("value", rows.Select(r => r.Value)),
        Text("createdAt", rows.Select(r => Instant(r.Created))));
}
