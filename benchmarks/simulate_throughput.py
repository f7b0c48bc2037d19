"""Throughput of the exact steered softmax against numpy's own log-sum-exp, side by side.

For each shape (geometries G x grid points R x vocabulary V) it times, in the same process:

* ``ours``: ``steerbound.simulate.tilting.behavior_expectation`` (log-normaliser plus the
  tilted mean of the scores; it forms the logits ``log P0 + a x`` itself, chunked by the memory
  budget) and ``tilted_log_normaliser`` (normaliser only);
* ``reference``: numpy log-sum-exp over a precomputed float64 array of the same shape,
  ``m = X.max(-1, keepdims=True); np.log(np.exp(X - m).sum(-1)) + m[..., 0]`` (the standard
  max-shifted form; scipy.special.logsumexp is also timed for information).

Throughput is evaluations per second = G * R * V / seconds (best of ``--repeat``). The ratio
ours / reference is the figure of merit (goal >= 0.5). It also checks that ours is bitwise
identical (``np.array_equal``) to a straightforward, unchunked float64 implementation.

Usage: ``python benchmarks/simulate_throughput.py [--repeat 5] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.special import logsumexp

from steerbound.simulate.exact import behavior_expectation, tilted_log_normaliser

SHAPES = ((8, 64, 32000), (256, 64, 1024), (4096, 32, 16))


def _best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def straightforward(
    lp: np.ndarray, x: np.ndarray, w: np.ndarray, a: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Unchunked Lemma 0 with log-sum-exp: the literal formula, for the identity check."""
    z = lp[:, None, :] + a[:, :, None] * x[:, None, :]
    m = z.max(axis=-1, keepdims=True)
    e = np.exp(z - m)
    s = e.sum(axis=-1)
    return m[..., 0] + np.log(s), (e * w[:, None, :]).sum(axis=-1) / s


def measure(shape: tuple[int, int, int], repeat: int) -> dict[str, Any]:
    g, r, v = shape
    rng = np.random.default_rng(0)
    z0 = 2.0 * rng.standard_normal((g, v))
    lp = z0 - logsumexp(z0, axis=1, keepdims=True)
    x = rng.standard_normal((g, v))
    w = np.where(rng.random((g, v)) < 0.5, 1.0, -1.0)
    a = np.broadcast_to(np.linspace(-5, 5, r), (g, r)).copy()
    big = lp[:, None, :] + a[:, :, None] * x[:, None, :]  # the reference's input array

    def reference() -> np.ndarray:
        m = big.max(axis=-1, keepdims=True)
        out: np.ndarray = np.log(np.exp(big - m).sum(axis=-1)) + m[..., 0]
        return out

    evals = g * r * v
    t_ref = _best(reference, repeat)
    t_scipy = _best(lambda: logsumexp(big, axis=-1), repeat)
    t_ours = _best(lambda: behavior_expectation(lp, x, w, a), repeat)
    t_lse = _best(lambda: tilted_log_normaliser(lp, x, a), repeat)
    lse_s, mean_s = straightforward(lp, x, w, a)
    return {
        "shape": [g, r, v],
        "evaluations": evals,
        "reference_evals_per_s": evals / t_ref,
        "scipy_logsumexp_evals_per_s": evals / t_scipy,
        "ours_behavior_evals_per_s": evals / t_ours,
        "ours_normaliser_evals_per_s": evals / t_lse,
        "ratio_behavior": t_ref / t_ours,
        "ratio_normaliser": t_ref / t_lse,
        "identical_normaliser": bool(np.array_equal(tilted_log_normaliser(lp, x, a), lse_s)),
        "identical_behavior": bool(np.array_equal(behavior_expectation(lp, x, w, a), mean_s)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timings per measurement (best kept)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    rows = [measure(s, args.repeat) for s in SHAPES]
    if args.json:
        print(
            json.dumps(
                {"reference": "numpy max-shifted log(exp(X - m).sum(-1)) + m", "rows": rows},
                indent=1,
            )
        )
    else:
        print("reference: numpy log-sum-exp over a precomputed array, log(exp(X - m).sum(-1)) + m")
        print(
            f"{'G x R x V':>18s} {'ref Meval/s':>12s} {'scipy':>8s} {'ours B':>8s} "
            f"{'ours lse':>9s} "
            f"{'ratio B':>8s} {'ratio lse':>9s} {'identical':>9s}"
        )
        for row in rows:
            shape = "x".join(str(s) for s in row["shape"])
            print(
                f"{shape:>18s} {row['reference_evals_per_s'] / 1e6:12.1f} "
                f"{row['scipy_logsumexp_evals_per_s'] / 1e6:8.1f} "
                f"{row['ours_behavior_evals_per_s'] / 1e6:8.1f} "
                f"{row['ours_normaliser_evals_per_s'] / 1e6:9.1f} {row['ratio_behavior']:8.2f} "
                f"{row['ratio_normaliser']:9.2f} "
                f"{row['identical_normaliser'] and row['identical_behavior']!s:>9s}"
            )
    ok = all(r["identical_normaliser"] and r["identical_behavior"] for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
