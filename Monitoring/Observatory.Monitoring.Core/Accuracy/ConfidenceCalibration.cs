namespace Observatory.Monitoring.Core.Accuracy;

/// <summary>
/// CBPE-like accuracy estimate without labels (NannyML): an isotonic map from the model's confidence to the probability that the
/// prediction is correct, fitted on labelled reference events; the expected accuracy of a window is the mean calibrated
/// confidence of its events.
/// </summary>
public sealed class ConfidenceCalibration
{
    private readonly double[] _thresholds;
    private readonly double[] _values;

    private ConfidenceCalibration(double[] thresholds, double[] values)
    {
        _thresholds = thresholds;
        _values = values;
    }

    public int Blocks => _values.Length;

    /// <summary>Fits by pool-adjacent-violators (non-decreasing, as sklearn's IsotonicRegression with ties averaged).</summary>
    public static ConfidenceCalibration Fit(IReadOnlyList<double> confidence, IReadOnlyList<bool> correct)
    {
        ArgumentNullException.ThrowIfNull(confidence);
        ArgumentNullException.ThrowIfNull(correct);
        if (confidence.Count != correct.Count) throw new ArgumentException("confidence and correct must have the same length");
        if (confidence.Count == 0) throw new ArgumentException("calibration needs at least one labelled event");
        var order = Enumerable.Range(0, confidence.Count).OrderBy(i => confidence[i]).ToArray();
        // Merge equal x first (sklearn averages y over ties), then PAV over the distinct x.
        var xs = new List<double>(); var sums = new List<double>(); var weights = new List<double>();
        foreach (var i in order)
        {
            var y = correct[i] ? 1.0 : 0.0;
            if (xs.Count > 0 && xs[^1] == confidence[i]) { sums[^1] += y; weights[^1] += 1; }
            else { xs.Add(confidence[i]); sums.Add(y); weights.Add(1); }
        }
        var blockStart = new List<int>(); var blockSum = new List<double>(); var blockWeight = new List<double>();
        for (var i = 0; i < xs.Count; i++)
        {
            blockStart.Add(i); blockSum.Add(sums[i]); blockWeight.Add(weights[i]);
            while (blockSum.Count > 1 && blockSum[^2] / blockWeight[^2] > blockSum[^1] / blockWeight[^1])
            {
                blockSum[^2] += blockSum[^1]; blockWeight[^2] += blockWeight[^1];
                blockStart.RemoveAt(blockStart.Count - 1); blockSum.RemoveAt(blockSum.Count - 1); blockWeight.RemoveAt(blockWeight.Count - 1);
            }
        }
        // Each distinct x gets its block's mean; prediction interpolates linearly between distinct x (sklearn's interp).
        var fitted = new double[xs.Count];
        for (var b = 0; b < blockStart.Count; b++)
        {
            var end = b + 1 < blockStart.Count ? blockStart[b + 1] : xs.Count;
            for (var i = blockStart[b]; i < end; i++) fitted[i] = blockSum[b] / blockWeight[b];
        }
        return new ConfidenceCalibration(xs.ToArray(), fitted);
    }

    /// <summary>Calibrated probability of a correct prediction at this confidence (clipped to the fitted range).</summary>
    public double Predict(double confidence)
    {
        if (confidence <= _thresholds[0]) return _values[0];
        if (confidence >= _thresholds[^1]) return _values[^1];
        var i = Array.BinarySearch(_thresholds, confidence);
        if (i >= 0) return _values[i];
        i = ~i;
        double x0 = _thresholds[i - 1], x1 = _thresholds[i], y0 = _values[i - 1], y1 = _values[i];
        return y0 + (y1 - y0) * (confidence - x0) / (x1 - x0);
    }

    /// <summary>Expected accuracy of a window of predictions.</summary>
    public double EstimateAccuracy(IReadOnlyList<double> confidence)
    {
        if (confidence.Count == 0) return double.NaN;
        double sum = 0;
        foreach (var c in confidence) sum += Predict(c);
        return sum / confidence.Count;
    }

    /// <summary>Expected accuracy of a non-empty window with its 95 % sampling-error band (<see cref="AccuracyInterval.SamplingBand"/>).</summary>
    public (double Estimate, AccuracyInterval Band) EstimateAccuracyWithBand(IReadOnlyList<double> confidence)
    {
        ArgumentNullException.ThrowIfNull(confidence);
        return AccuracyInterval.SamplingBand(confidence.Select(Predict).ToList());
    }
}
