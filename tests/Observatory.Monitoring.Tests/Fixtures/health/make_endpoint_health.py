#!/usr/bin/python3
"""Reference values for Observatory's endpoint health per window: the 95th percentile of latencies by the nearest-rank
definition (NumPy's method='inverted_cdf', Hyndman & Fan R1) and the error rate. Run with Debian's /usr/bin/python3."""
import json
import numpy as np

rng = np.random.default_rng(7)
cases = []
for n in (1, 2, 19, 20, 21, 100, 1000):
    latencies = np.round(rng.lognormal(mean=3.5, sigma=0.6, size=n), 3)
    errors = rng.random(n) < 0.07
    cases.append({
        "latencies": latencies.tolist(),
        "errors": errors.tolist(),
        "p95": float(np.percentile(latencies, 95, method="inverted_cdf")),
        "error_rate": float(errors.mean()),
    })
with open("endpoint_health.json", "w") as f:
    json.dump({"numpy": np.__version__, "cases": cases}, f, indent=1)
