#!/usr/bin/python3
"""Reference values for Observatory's accuracy intervals, computed with Debian's NumPy/SciPy.

Run from this folder with /usr/bin/python3 (Debian 12: numpy 1.24.2, scipy 1.10.1); writes expected.json.
clopper_pearson: the exact 95 % interval for k right of n, lower = beta.ppf(0.025, k, n-k+1) (0 when k=0),
upper = beta.ppf(0.975, k+1, n-k) (1 when k=n).
sampling_band: the label-free estimate (mean of per-event calibrated probabilities of being correct) with NannyML CBPE's
sampling error for accuracy, the standard deviation of the implied Bernoulli outcomes' mean sqrt(sum p(1-p))/n,
band = estimate -/+ 1.96 SE clipped to [0, 1].
"""
import json

import numpy as np
import scipy
from scipy import stats

expected = {"versions": {"numpy": np.__version__, "scipy": scipy.__version__}}

cases = [(0, 1), (1, 1), (0, 12), (8, 12), (9, 12), (12, 12), (280, 400), (0, 400), (400, 400), (7000, 10000), (9990, 10000), (3, 10000)]
cp = []
for k, n in cases:
    lower = 0.0 if k == 0 else float(stats.beta.ppf(0.025, k, n - k + 1))
    upper = 1.0 if k == n else float(stats.beta.ppf(0.975, k + 1, n - k))
    cp.append({"k": k, "n": n, "lower": lower, "upper": upper})
expected["clopper_pearson"] = cp

rng = np.random.default_rng(20261206)
bands = []
for name, p in [
    ("few", np.array([0.9, 0.8, 0.55, 0.99, 0.7])),
    ("one", np.array([0.75])),
    ("certain", np.ones(20)),
    ("near_one", np.full(3, 0.999)),
    ("many", rng.uniform(0.4, 1.0, 500)),
]:
    est = float(p.mean())
    se = float(np.sqrt(np.sum(p * (1 - p))) / len(p))
    bands.append({"name": name, "p": p.tolist(), "estimate": est, "se": se,
                  "lower": float(np.clip(est - 1.96 * se, 0, 1)), "upper": float(np.clip(est + 1.96 * se, 0, 1))})
expected["sampling_band"] = bands

with open("expected.json", "w") as f:
    json.dump(expected, f, indent=None)
