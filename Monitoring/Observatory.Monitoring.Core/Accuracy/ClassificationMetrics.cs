using Observatory.Monitoring.Contracts;

namespace Observatory.Monitoring.Core.Accuracy;

/// <summary>
/// Accuracy, macro-F1 (sklearn's average="macro": unweighted mean over all model classes, F1 of a class with no true and no
/// predicted samples counts as 0 as sklearn's zero_division=0) and per-class recall, from a confusion matrix indexed
/// [true, predicted].
/// </summary>
public sealed record ClassificationMetrics(
    int Count, double Accuracy, double MacroF1, IReadOnlyList<double?> Recall, IReadOnlyList<double> F1, long[][] Confusion)
{
    /// <summary>How many predictions were right (the confusion matrix's diagonal).</summary>
    public int Correct => (int)Enumerable.Range(0, Confusion.Length).Sum(k => Confusion[k][k]);

    /// <summary>The metrics as the accuracy run publishes them.</summary>
    public ClassificationScores ToScores() => new(Count, Accuracy, MacroF1, Recall, F1, Confusion.Select(row => (IReadOnlyList<long>)row).ToList());

    public static ClassificationMetrics Compute(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, int classCount)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count != predicted.Count) throw new ArgumentException("truth and predicted must have the same length");
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount));
        var confusion = new long[classCount][];
        for (var i = 0; i < classCount; i++) confusion[i] = new long[classCount];
        long correct = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            int t = truth[i], p = predicted[i];
            if ((uint)t >= classCount || (uint)p >= classCount) throw new ArgumentOutOfRangeException(nameof(truth), $"class index out of range at {i}");
            confusion[t][p]++;
            if (t == p) correct++;
        }
        var recall = new double?[classCount];
        var f1 = new double[classCount];
        for (var k = 0; k < classCount; k++)
        {
            long tp = confusion[k][k], support = confusion[k].Sum(), predictedK = 0;
            for (var t = 0; t < classCount; t++) predictedK += confusion[t][k];
            recall[k] = support == 0 ? null : (double)tp / support;
            var denominator = support + predictedK;
            f1[k] = denominator == 0 ? 0 : 2.0 * tp / denominator;
        }
        var accuracy = truth.Count == 0 ? double.NaN : (double)correct / truth.Count;
        // sklearn averages over the labels present in y_true ∪ y_pred when labels= is not given; we do the same.
        var present = Enumerable.Range(0, classCount).Where(k => confusion[k].Sum() > 0 || Enumerable.Range(0, classCount).Any(t => confusion[t][k] > 0)).ToArray();
        var macroF1 = present.Length == 0 ? double.NaN : present.Average(k => f1[k]);
        return new(truth.Count, accuracy, macroF1, recall, f1, confusion);
    }
}
