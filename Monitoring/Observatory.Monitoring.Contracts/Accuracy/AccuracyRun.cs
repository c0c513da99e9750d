namespace Observatory.Monitoring.Contracts;

/// <summary>Accuracy of one window: measured on the events that have feedback, and estimated from calibrated confidence for all.</summary>
public sealed record AccuracyRun(WindowResult Window, int Labelled, ClassificationScores? Metrics, double? BaselineAccuracy, int CalibrationEvents, string? Note)
{
    /// <summary>The accuracy a chart shows: measured when the window has feedback, else the estimate.</summary>
    public double? Shown => Window?.Accuracy ?? Window?.EstimatedAccuracy;

    /// <summary>True when <see cref="Shown"/> is the estimate (no feedback in the window).</summary>
    public bool Estimated => Window is { Accuracy: null, EstimatedAccuracy: not null };

    /// <summary>The same run without per-class arrays longer than <paramref name="maxArrayLength"/> (models with many classes).</summary>
    public AccuracyRun Compact(int maxArrayLength) => Metrics is null ? this : this with { Metrics = Metrics.Compact(maxArrayLength) };
}

/// <summary>Accuracy, macro-F1, per-class recall (null for a class without true samples) and F1, and the confusion matrix [true][predicted].</summary>
public sealed record ClassificationScores(int Count, double Accuracy, double MacroF1, IReadOnlyList<double?>? Recall, IReadOnlyList<double>? F1, IReadOnlyList<IReadOnlyList<long>>? Confusion)
{
    public ClassificationScores Compact(int maxArrayLength) => this with
    {
        Recall = Recall?.Count > maxArrayLength ? null : Recall,
        F1 = F1?.Count > maxArrayLength ? null : F1,
        Confusion = Confusion?.Count > maxArrayLength ? null : Confusion,
    };
}
