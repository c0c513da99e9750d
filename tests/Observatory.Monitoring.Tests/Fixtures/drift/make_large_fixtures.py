#!/usr/bin/python3
"""KS and Wasserstein on every row of 20,000 vs 20,000 samples, computed with Debian's NumPy/SciPy.

Run from this folder with /usr/bin/python3 (Debian 12: numpy 1.24.2, scipy 1.10.1). Writes large_ref.npy, large_cur.npy
(20,000 x 2 float32 each, 160 KB) and expected_large.json; the C# tests compare `obs drift`'s numbers with these and never
run Python. At this size ks_2samp's method='auto' picks the asymptotic p-value (max(n1, n2) > MAX_AUTO_N = 10,000):
kstwo.sf(D, round(n1*n2/(n1+n2)) = 10,000). Dimension 0 is shifted enough for SciPy's upper-tail branch (n*D^2 >= 2.2:
2*smirnov), dimension 1 is rescaled slightly so its D falls in the Pelz-Good branch; both branches are checked.
"""
import json

import numpy as np
import scipy
from scipy import stats

rng = np.random.default_rng(20261207)
n = 20_000


def save(name, a):
    np.save(name + ".npy", np.ascontiguousarray(a, dtype=np.float32))
    return np.load(name + ".npy").astype(np.float64)


ref = save("large_ref", rng.normal(size=(n, 2)))
cur_raw = rng.normal(size=(n, 2))
cur_raw[:, 0] += 0.045
cur_raw[:, 1] *= 1.02
cur = save("large_cur", cur_raw)

out = {"versions": {"numpy": np.__version__, "scipy": scipy.__version__}, "n": n,
       "ks_statistic": [], "ks_p_value": [], "ks_method": [], "n_d_squared": [], "wasserstein": [], "wasserstein_normed": []}
for j in range(2):
    r, c = ref[:, j], cur[:, j]
    ks = stats.ks_2samp(r, c)  # method='auto' -> asymptotic at this n
    exact_auto = max(len(r), len(c)) <= 10_000
    out["ks_statistic"].append(float(ks.statistic))
    out["ks_p_value"].append(float(ks.pvalue))
    out["ks_method"].append("exact" if exact_auto else "asymp")
    out["n_d_squared"].append(float(round(len(r) * len(c) / (len(r) + len(c))) * ks.statistic ** 2))
    w = stats.wasserstein_distance(r, c)
    out["wasserstein"].append(float(w))
    out["wasserstein_normed"].append(float(w / max(np.std(r), 0.001)))
p = np.array(out["ks_p_value"])
out["ks_bonferroni_min"] = float(np.minimum(1.0, p * 2).min())

with open("expected_large.json", "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out))
