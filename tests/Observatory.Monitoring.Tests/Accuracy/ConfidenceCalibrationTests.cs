using Observatory.Monitoring.Core.Accuracy;

namespace Observatory.Monitoring.Tests.Accuracy;

public sealed class ConfidenceCalibrationTests
{
    [Fact]
    public void Predict_MatchesScikitLearnIsotonicRegression()
    {
        // sklearn.isotonic.IsotonicRegression(out_of_bounds="clip").fit(x, y).predict(...) with scikit-learn 1.2.1.
        double[] x = [0.3, 0.5, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.4, 0.65];
        bool[] y = [false, true, false, false, true, true, true, true, true, false];
        var c = ConfidenceCalibration.Fit(x, y);
        double[] at = [0.3, 0.45, 0.5, 0.62, 0.75, 0.99, 0.1];
        double[] expected = [0.0, 0.4, 0.4, 0.4, 1.0, 1.0, 0.0];
        for (var i = 0; i < at.Length; i++) Assert.Equal(expected[i], c.Predict(at[i]), 12);
    }

    [Fact]
    public void EstimateAccuracy_WhenConfidenceShifts_TracksTheRealisedAccuracy()
    {
        // The model is right with probability equal to its confidence; the current window has lower confidences than the
        // reference, so its accuracy drops. The estimate calibrated on the reference must follow the realised accuracy.
        var rng = new Random(7);
        var refConf = Enumerable.Range(0, 5000).Select(_ => 0.5 + 0.5 * rng.NextDouble()).ToArray();
        var calibration = ConfidenceCalibration.Fit(refConf, refConf.Select(c => rng.NextDouble() < c).ToArray());
        var curConf = Enumerable.Range(0, 5000).Select(_ => 0.5 + 0.3 * rng.NextDouble()).ToArray();
        var realised = curConf.Count(c => rng.NextDouble() < c) / (double)curConf.Length;
        Assert.InRange(calibration.EstimateAccuracy(curConf), realised - 0.03, realised + 0.03);
    }
}
