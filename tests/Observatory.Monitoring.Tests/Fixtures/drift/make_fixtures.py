#!/usr/bin/python3
"""Reference values for Observatory's drift statistics, computed with Debian's NumPy/SciPy/scikit-learn.

Run from this folder with /usr/bin/python3 (Debian 12: numpy 1.24.2, scipy 1.10.1, scikit-learn 1.2.1).
Writes small .npy inputs and expected.json; the C# tests compare against them and never run Python.
PSI/JS binning and the zero fill follow Evidently's definitions (Sturges edges on the combined sample, natural log);
the MMD² median heuristic follows Alibi Detect's sigma_median on reference pairs.
"""
import json

import numpy as np
import scipy
import sklearn
from scipy import stats
from scipy.spatial.distance import cdist, jensenshannon
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

rng = np.random.default_rng(20261125)
expected = {"versions": {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__}}


def save(name, a, dtype=np.float64):
    np.save(name + ".npy", np.ascontiguousarray(a, dtype=dtype))
    return np.load(name + ".npy").astype(np.float64)


def evidently_bins(ref, cur):
    edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
    r = np.histogram(ref, edges)[0] / len(ref)
    c = np.histogram(cur, edges)[0] / len(cur)
    return r, c


def fill_zeroes(p):
    p = p.copy()
    nz = p[p > 0].min()
    p[p == 0] = nz / 10**6 if nz <= 1e-4 else 1e-4
    return p


def psi(ref, cur):
    r, c = evidently_bins(ref, cur)
    r, c = fill_zeroes(r), fill_zeroes(c)
    return float(np.sum((r - c) * np.log(r / c)))


def per_dimension(ref, cur):
    d = ref.shape[1]
    out = {"ks_statistic": [], "ks_p_value": [], "wasserstein": [], "wasserstein_normed": [], "psi": [], "js": []}
    for j in range(d):
        r, c = ref[:, j], cur[:, j]
        ks = stats.ks_2samp(r, c)  # method='auto'
        out["ks_statistic"].append(float(ks.statistic))
        out["ks_p_value"].append(float(ks.pvalue))
        w = stats.wasserstein_distance(r, c)
        out["wasserstein"].append(float(w))
        out["wasserstein_normed"].append(float(w / max(np.std(r), 0.001)))
        out["psi"].append(psi(r, c))
        rb, cb = evidently_bins(r, c)
        out["js"].append(float(jensenshannon(rb, cb)))
    p = np.array(out["ks_p_value"])
    out["bonferroni"] = np.minimum(1.0, p * d).tolist()
    order = np.argsort(p, kind="stable")
    q = np.minimum.accumulate((p[order] * d / np.arange(1, d + 1))[::-1])[::-1]
    bh = np.empty(d)
    bh[order] = np.minimum(q, 1.0)
    out["fdr_bh"] = bh.tolist()
    out["mean_distance"] = float(np.linalg.norm(ref.mean(axis=0) - cur.mean(axis=0)))
    return out


# 1. Unequal sizes, location and scale shifts (exact KS by the inside method).
ref = save("shift_ref", rng.normal(size=(200, 4)))
cur_raw = rng.normal(size=(150, 4))
cur_raw[:, 0] += 0.5
cur_raw[:, 1] *= 1.5
cur = save("shift_cur", cur_raw)
expected["shift"] = per_dimension(ref, cur)

# 2. Equal sizes with ties (exact KS by the square method).
ref = save("ties_ref", np.round(rng.normal(size=(300, 3)), 1))
cur_raw = np.round(rng.normal(size=(300, 3)), 1)
cur_raw[:, 2] += 0.3
cur = save("ties_cur", cur_raw)
expected["ties"] = per_dimension(ref, cur)

# 3. Sizes above SciPy's MAX_AUTO_N: asymptotic KS p-values (kstwo.sf at round(n1*n2/(n1+n2))).
ref = save("asymp_ref", rng.normal(size=(12000, 1)))
cur = save("asymp_cur", rng.normal(loc=0.15, size=(200, 1)))
expected["asymp"] = per_dimension(ref, cur)

# 4. MMD² (unbiased) at a fixed bandwidth, and Alibi's median-heuristic sigma; inputs stored as float32.
ref = save("mmd_ref", rng.normal(size=(60, 5)), np.float32)
cur = save("mmd_cur", rng.normal(loc=0.3, size=(50, 5)), np.float32)


def mmd2_unbiased(x, y, sigma):
    z = np.vstack([x, y])
    k = np.exp(-cdist(z, z, "sqeuclidean") / (2 * sigma**2))
    n, m = len(x), len(y)
    kxx, kyy, kxy = k[:n, :n], k[n:, n:], k[:n, n:]
    return float((kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1)) - 2 * kxy.mean())


d2 = np.maximum(cdist(ref, ref, "sqeuclidean"), 1e-30)
n = len(ref)
sigma_median = float(np.sqrt(0.5 * np.sort(d2.flatten())[n + (n * n - n) // 2 - 1]))
expected["mmd"] = {"sigma": 1.7, "mmd2": mmd2_unbiased(ref, cur, 1.7), "sigma_median": sigma_median,
                   "mmd2_at_sigma_median": mmd2_unbiased(ref, cur, sigma_median)}

# 5. Rotation: marginals N(0, 1) in both, correlation +0.8 vs -0.8 (a 90-degree rotation of the ellipse).
cov = np.array([[1.0, 0.8], [0.8, 1.0]])
ref = save("rotation_ref", rng.multivariate_normal([0, 0], cov, size=500))
rot = np.array([[0.0, -1.0], [1.0, 0.0]])
cur = save("rotation_cur", rng.multivariate_normal([0, 0], cov, size=500) @ rot.T)
expected["rotation"] = per_dimension(ref, cur)

# 6. Logistic regression (sklearn's objective, C=1, solved tightly) and ROC AUC with tied scores.
x = rng.normal(size=(200, 3))
y = (x @ np.array([1.0, -2.0, 0.5]) + 0.3 + rng.logistic(size=200) > 0).astype(np.int64)
save("logreg_x", x)
save("logreg_y", y.reshape(-1, 1))
lr = LogisticRegression(C=1.0, tol=1e-12, max_iter=100000).fit(x, y)
scores = np.round(rng.normal(size=300), 1)
labels = (rng.random(300) < 1 / (1 + np.exp(-scores))).astype(np.int64)
save("auc_scores", scores.reshape(-1, 1))
save("auc_labels", labels.reshape(-1, 1))
expected["logreg"] = {"coef": lr.coef_[0].tolist(), "intercept": float(lr.intercept_[0]),
                      "auc_scores_labels": float(roc_auc_score(labels, scores))}

# 7. Chi-square test of homogeneity on predicted-class counts (4 classes, and 2 classes where SciPy applies Yates).
for name, r, c in [("chi2_multi", [120, 80, 40, 10], [90, 95, 30, 35]), ("chi2_binary", [55, 45], [40, 60])]:
    chi2, p, dof, _ = stats.chi2_contingency(np.array([r, c]))
    rp, cp = np.array(r) / sum(r), np.array(c) / sum(c)
    expected[name] = {"reference": r, "current": c, "statistic": float(chi2), "p_value": float(p), "dof": int(dof),
                      "js": float(jensenshannon(rp, cp))}

# 8. Coprime sizes (gcd 1) for the exact inside method, and a small effective n in the asymptotic branch
#    (10,001 vs 30: SciPy uses Durbin/Pomeranz for kstwo at n <= 140, Observatory Pelz-Good).
ref = save("coprime_ref", rng.normal(size=(97, 2)))
cur = save("coprime_cur", rng.normal(loc=0.4, size=(61, 2)))
expected["coprime"] = per_dimension(ref, cur)
ref = save("asymp_small_ref", rng.normal(size=(10001, 1)), np.float32)
cur = save("asymp_small_cur", rng.normal(loc=0.3, size=(30, 1)), np.float32)
expected["asymp_small"] = per_dimension(ref, cur)

with open("expected.json", "w") as f:
    json.dump(expected, f, indent=1)
print("wrote expected.json")
