#!/usr/bin/python3
"""NumPy/SciPy peer for `Observatory.Bench drift`: the same MMD² permutation test and per-dimension KS on the same .npy files.

Usage: /usr/bin/python3 drift_numpy.py DIR PERMUTATIONS SEED [--naive]
DIR holds mmd_ref.npy, mmd_cur.npy, ks_ref.npy, ks_cur.npy. Prints one JSON object (timings in seconds, results to cross-check).

MMD² follows Observatory/Alibi: pooled squared distances via ||a||²+||b||²-2ab (BLAS), sigma² = ½ lower median of reference
off-diagonal squared distances, RBF kernel, unbiased estimator, p = (1 + #{perm >= obs}) / (1 + B).
Permutations two ways: 'matmul' (K @ masks, the fastest NumPy formulation) and, with --naive, Alibi's re-indexing of K.
NumPy's speed depends on the BLAS it loads: Debian's default is the single-threaded reference BLAS; to use OpenBLAS without
changing the system, `apt-get download libopenblas0-pthread && dpkg -x libopenblas0-pthread_*.deb ob` and run with
LD_LIBRARY_PATH=ob/usr/lib/x86_64-linux-gnu/openblas-pthread (the benchmark does this with --openblas DIR).
"""
import json
import sys
import time

import numpy as np
import scipy
from scipy import stats


def blas_name():
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "libblas" in line.lower() or "libopenblas" in line.lower()}
        return ", ".join(sorted(libs)) or "unknown"
    except Exception:  # noqa: BLE001
        return "unknown"


def unbiased_from_q(q, rowsums, total, zr, n, m):
    xx = q - n
    yy = total - 2 * zr + q - m
    xy = zr - q
    return xx / (n * (n - 1)) + yy / (m * (m - 1)) - 2 * xy / (n * m)


def mmd_test(x, y, b, seed, naive):
    t0 = time.perf_counter()
    z = np.vstack([x, y])
    n, m, big_n = len(x), len(y), len(x) + len(y)
    sq = np.einsum("ij,ij->i", z, z)
    d2 = sq[:, None] + sq[None, :] - 2.0 * (z @ z.T)
    np.maximum(d2, 0, out=d2)
    np.fill_diagonal(d2, 0)
    iu = np.triu_indices(n, 1)
    pairs = np.maximum(d2[:n, :n][iu], 1e-30)
    k_med = (len(pairs) - 1) // 2
    median = np.partition(pairs, k_med)[k_med]
    sigma = np.sqrt(0.5 * median)
    k = np.exp(-d2 / (2 * sigma**2))
    del d2
    rowsums = k.sum(axis=1)
    total = rowsums.sum()
    t_kernel = time.perf_counter()

    rng = np.random.default_rng(seed)
    masks = np.zeros((big_n, b + 1))
    masks[:n, 0] = 1
    for j in range(1, b + 1):
        masks[rng.permutation(big_n)[:n], j] = 1
    q = np.einsum("ib,ib->b", masks, k @ masks)
    zr = masks.T @ rowsums
    stats_all = unbiased_from_q(q, rowsums, total, zr, n, m)
    obs = stats_all[0]
    p = (1 + np.sum(stats_all[1:] >= obs)) / (1 + b)
    t_end = time.perf_counter()
    out = {"mmd2": float(obs), "sigma": float(sigma), "p_value": float(p),
           "seconds_kernel": t_kernel - t0, "seconds_total_matmul": t_end - t0}

    if naive:
        t1 = time.perf_counter()
        kxx = k[:n, :n]
        def stat(kp):
            kxx, kyy, kxy = kp[:n, :n], kp[n:, n:], kp[:n, n:]
            return (kxx.sum() - n) / (n * (n - 1)) + (kyy.sum() - m) / (m * (m - 1)) - 2 * kxy.mean()
        obs_naive = stat(k)
        count = 0
        for _ in range(b):
            idx = rng.permutation(big_n)
            if stat(k[np.ix_(idx, idx)]) >= obs_naive:
                count += 1
        out["seconds_total_naive"] = (t_kernel - t0) + (time.perf_counter() - t1)
    return out


def ks_loop(ref, cur):
    t0 = time.perf_counter()
    res = [stats.ks_2samp(ref[:, j], cur[:, j]) for j in range(ref.shape[1])]
    return {"seconds": time.perf_counter() - t0, "statistic": [float(r.statistic) for r in res],
            "p_value": [float(r.pvalue) for r in res]}


def main():
    folder, b, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    naive = "--naive" in sys.argv
    x = np.load(f"{folder}/mmd_ref.npy")
    y = np.load(f"{folder}/mmd_cur.npy")
    kr = np.load(f"{folder}/ks_ref.npy")
    kc = np.load(f"{folder}/ks_cur.npy")
    mmd = mmd_test(x, y, b, seed, naive)
    ks = ks_loop(kr, kc)
    print(json.dumps({"numpy": np.__version__, "scipy": scipy.__version__, "blas": blas_name(), "mmd": mmd, "ks": ks}))


if __name__ == "__main__":
    main()
