namespace Observatory.Monitoring.Core.Drift;

/// <summary>Outcome of the domain-classifier test.</summary>
public sealed record DomainClassifierResult(double RocAuc, int TrainCount, int TestCount, int Iterations);

/// <summary>
/// Domain classifier (Evidently's embedding "model" method): label reference 1 and current 0, seeded 50/50 split,
/// standardise on the training half, fit L2 logistic regression, ROC AUC on the held-out half. AUC near 0.5 means the
/// classifier cannot tell the two apart. A purely linear model cannot see a change that keeps means and marginals (a rotated
/// correlation), so the inputs are augmented with seeded random Fourier features of an RBF kernel (bandwidth by the median
/// heuristic on the training half) — logistic regression on them approximates a kernel classifier.
/// </summary>
public static class DomainClassifier
{
    public static DomainClassifierResult Test(DataMatrix reference, DataMatrix current, int seed, double trainFraction = 0.5, double c = 1.0,
        int randomFeatures = 128)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        var z = DataMatrix.Stack(reference, current);
        var labels = new int[z.Rows];
        Array.Fill(labels, 1, 0, reference.Rows);
        var order = Enumerable.Range(0, z.Rows).ToArray();
        Sampling.Shuffle(order, SeededRandom.Create(seed));
        var trainCount = Math.Clamp((int)Math.Round(z.Rows * trainFraction), 1, z.Rows - 1);
        var train = order[..trainCount];
        var test = order[trainCount..];
        var xTrain = z.SelectRows(train);
        var xTest = z.SelectRows(test);
        Standardise(xTrain, xTest);
        if (randomFeatures > 0)
        {
            var rng = SeededRandom.Create(seed + 7919);
            var sigma = Mmd.MedianHeuristicSigma(Sampling.SubsampleRows(xTrain, 500, seed));
            if (!(sigma > 0) || !double.IsFinite(sigma)) sigma = 1.0;
            var w = new double[randomFeatures * xTrain.Cols];
            for (var k = 0; k < w.Length; k++) w[k] = Gaussian(rng) / sigma;
            var b = Enumerable.Range(0, randomFeatures).Select(_ => rng.NextDouble() * 2 * Math.PI).ToArray();
            xTrain = Augment(xTrain, w, b);
            xTest = Augment(xTest, w, b);
        }
        var model = LogisticRegression.Fit(xTrain, train.Select(i => labels[i]).ToArray(), c);
        var scores = model.DecisionFunction(xTest);
        var auc = RocAuc.Compute(scores, test.Select(i => labels[i]).ToArray());
        return new DomainClassifierResult(auc, train.Length, test.Length, model.Iterations);
    }

    // [x, √(2/D)·cos(Wx + b)]: the second block's inner products approximate the RBF kernel (Rahimi & Recht).
    private static DataMatrix Augment(DataMatrix x, double[] w, double[] b)
    {
        int d = x.Cols, f = b.Length, width = d + f;
        var data = new double[x.Rows * width];
        var scale = Math.Sqrt(2.0 / f);
        Parallel.For(0, x.Rows, i =>
        {
            var row = x.Row(i);
            var outRow = data.AsSpan(i * width, width);
            row.CopyTo(outRow);
            for (var k = 0; k < f; k++)
                outRow[d + k] = scale * Math.Cos(System.Numerics.Tensors.TensorPrimitives.Dot(row, w.AsSpan(k * d, d)) + b[k]);
        });
        return new DataMatrix(x.Rows, width, data);
    }

    private static double Gaussian(Random rng)
    {
        // Box–Muller; 1 − U avoids log(0).
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    // Scales features by the training half's mean and std so the L2 penalty treats dimensions alike.
    private static void Standardise(DataMatrix train, DataMatrix test)
    {
        int d = train.Cols;
        var mean = new double[d];
        var sd = new double[d];
        for (var i = 0; i < train.Rows; i++) { var r = train.Row(i); for (var j = 0; j < d; j++) mean[j] += r[j]; }
        for (var j = 0; j < d; j++) mean[j] /= train.Rows;
        for (var i = 0; i < train.Rows; i++) { var r = train.Row(i); for (var j = 0; j < d; j++) sd[j] += (r[j] - mean[j]) * (r[j] - mean[j]); }
        for (var j = 0; j < d; j++) { sd[j] = Math.Sqrt(sd[j] / train.Rows); if (sd[j] < 1e-12) sd[j] = 1; }
        foreach (var m in new[] { train, test })
            for (var k = 0; k < m.Data.Length; k++) m.Data[k] = (m.Data[k] - mean[k % d]) / sd[k % d];
    }
}

/// <summary>ROC AUC from scores and 0/1 labels (Mann–Whitney with mid-ranks for ties; equals sklearn's roc_auc_score).</summary>
public static class RocAuc
{
    public static double Compute(IReadOnlyList<double> scores, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        var n = scores.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => scores[i]).ToArray();
        double positives = labels.Count(l => l == 1), negatives = n - positives;
        if (positives == 0 || negatives == 0) throw new ArgumentException("ROC AUC needs both classes in the labels");
        var rankSumPositive = 0.0;
        for (var start = 0; start < n;)
        {
            var end = start;
            while (end + 1 < n && scores[order[end + 1]] == scores[order[start]]) end++;
            var midRank = (start + end) / 2.0 + 1.0;
            for (var k = start; k <= end; k++)
                if (labels[order[k]] == 1) rankSumPositive += midRank;
            start = end + 1;
        }
        return (rankSumPositive - positives * (positives + 1) / 2) / (positives * negatives);
    }
}

/// <summary>
/// Binary logistic regression minimising C·Σ log-loss + ½‖w‖² (intercept unpenalised) — sklearn's LogisticRegression objective —
/// by L-BFGS with a backtracking Armijo line search.
/// </summary>
public sealed class LogisticRegression
{
    private LogisticRegression(double[] weights, double intercept, int iterations)
    {
        Weights = weights;
        Intercept = intercept;
        Iterations = iterations;
    }

    public double[] Weights { get; }
    public double Intercept { get; }
    public int Iterations { get; }

    public double[] DecisionFunction(DataMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var s = new double[x.Rows];
        for (var i = 0; i < x.Rows; i++) s[i] = System.Numerics.Tensors.TensorPrimitives.Dot(x.Row(i), Weights) + Intercept;
        return s;
    }

    public static LogisticRegression Fit(DataMatrix x, IReadOnlyList<int> y, double c = 1.0, int maxIterations = 1000, double gradientTolerance = 1e-10)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        int d = x.Cols, p = d + 1, memory = 10;
        var w = new double[p]; // weights then intercept
        var g = new double[p];
        var f = Objective(x, y, c, w, g);
        var sList = new List<double[]>();
        var yList = new List<double[]>();
        var rho = new List<double>();
        var iterations = 0;
        for (; iterations < maxIterations; iterations++)
        {
            if (g.Max(Math.Abs) <= gradientTolerance * Math.Max(1.0, Math.Abs(f) / Math.Max(1, x.Rows))) break;
            // Two-loop recursion for the search direction −H·g.
            var q = (double[])g.Clone();
            var alpha = new double[sList.Count];
            for (var k = sList.Count - 1; k >= 0; k--)
            {
                alpha[k] = rho[k] * Dot(sList[k], q);
                Axpy(-alpha[k], yList[k], q);
            }
            var gamma = sList.Count > 0 ? Dot(sList[^1], yList[^1]) / Dot(yList[^1], yList[^1]) : 1.0 / Math.Max(1.0, Math.Sqrt(Dot(g, g)));
            for (var k = 0; k < q.Length; k++) q[k] *= gamma;
            for (var k = 0; k < sList.Count; k++)
            {
                var beta = rho[k] * Dot(yList[k], q);
                Axpy(alpha[k] - beta, sList[k], q);
            }
            var dir = q.Select(v => -v).ToArray();
            var slope = Dot(g, dir);
            if (slope >= 0) { dir = g.Select(v => -v).ToArray(); slope = Dot(g, dir); sList.Clear(); yList.Clear(); rho.Clear(); }
            var step = 1.0;
            var wNew = new double[p];
            var gNew = new double[p];
            double fNew;
            while (true)
            {
                for (var k = 0; k < p; k++) wNew[k] = w[k] + step * dir[k];
                fNew = Objective(x, y, c, wNew, gNew);
                if (fNew <= f + 1e-4 * step * slope || step < 1e-20) break;
                step *= 0.5;
            }
            var sVec = new double[p];
            var yVec = new double[p];
            for (var k = 0; k < p; k++) { sVec[k] = wNew[k] - w[k]; yVec[k] = gNew[k] - g[k]; }
            var sy = Dot(sVec, yVec);
            var converged = Math.Abs(f - fNew) <= 1e-16 * Math.Max(1.0, Math.Abs(f));
            (w, g, f) = (wNew, gNew, fNew);
            if (sy > 1e-300)
            {
                if (sList.Count == memory) { sList.RemoveAt(0); yList.RemoveAt(0); rho.RemoveAt(0); }
                sList.Add(sVec); yList.Add(yVec); rho.Add(1.0 / sy);
            }
            if (converged) { iterations++; break; }
        }
        return new LogisticRegression(w[..d], w[d], iterations);
    }

    // C·Σ log(1 + exp(−y'·(x·w + b))) + ½‖w‖², y' = ±1; writes the gradient into grad.
    private static double Objective(DataMatrix x, IReadOnlyList<int> y, double c, double[] w, double[] grad)
    {
        int d = x.Cols;
        Array.Clear(grad);
        var loss = 0.0;
        var weights = w.AsSpan(0, d);
        for (var i = 0; i < x.Rows; i++)
        {
            var row = x.Row(i);
            var margin = System.Numerics.Tensors.TensorPrimitives.Dot(row, weights) + w[d];
            var sign = y[i] == 1 ? 1.0 : -1.0;
            var t = sign * margin;
            // log(1 + e^{−t}) and its derivative, stable for large |t|.
            loss += t > 0 ? Math.Log(1 + Math.Exp(-t)) : -t + Math.Log(1 + Math.Exp(t));
            var sigmoidNeg = t > 0 ? Math.Exp(-t) / (1 + Math.Exp(-t)) : 1 / (1 + Math.Exp(t));
            var coef = -c * sign * sigmoidNeg;
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(row, coef, grad.AsSpan(0, d), grad.AsSpan(0, d));
            grad[d] += coef;
        }
        var reg = 0.0;
        for (var k = 0; k < d; k++) { reg += w[k] * w[k]; grad[k] += w[k]; }
        return c * loss + 0.5 * reg;
    }

    private static double Dot(double[] a, double[] b) => System.Numerics.Tensors.TensorPrimitives.Dot<double>(a, b);

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (var k = 0; k < y.Length; k++) y[k] += a * x[k];
    }
}
