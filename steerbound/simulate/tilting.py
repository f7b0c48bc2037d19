"""Exact steered next-token quantities by exponential tilting (Lemma 0 of THEORY.md).

Steering moves the final hidden state by ``delta = lam * r_e * v`` (linearised Assumption 1),
so the steered logits are ``z_t + a * x_t`` with ``a = lam * r_e`` and ``x_t = <u_t, v>`` the
projection of token ``t``'s unembedding row on the unit steering direction ``v``. Hence

    log P_r(t) = log P0(t) + a x_t - logsumexp_s(log P0(s) + a x_s).

These are the simulator's ground truth (no bound is involved). Everything is float64 and uses
the log-sum-exp shift by the row maximum, so nothing overflows or turns into NaN at any finite
``a`` (also ``|a| = 1e6``).

Shapes: a batch of ``N`` geometries over a common vocabulary of ``V`` tokens is given by
``log_p0`` and ``proj`` of shape ``(N, V)``; ``a`` has shape ``(R,)`` (shared grid) or ``(N, R)``
(one grid per geometry, e.g. ``lam[:, None] * r_e[None, :]``). Results have shape ``(N, R)``.
Work is chunked over geometries and grid points so that the ``(n, r, V)`` temporaries stay
within ``memory_budget_mb`` (at least one ``(1, 1, V)`` row is always processed).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "DEFAULT_MEMORY_BUDGET_MB",
    "behavior_expectation",
    "helpfulness",
    "log_helpfulness",
    "steered_log_probs",
    "tilted_log_normaliser",
    "tilted_moments",
]

DEFAULT_MEMORY_BUDGET_MB = 256.0
# Chunks larger than this gain nothing (the work is memory bound) and fall out of cache.
_MAX_CHUNK_ELEMENTS = 1 << 17

F64 = NDArray[np.float64]


def _as_batch(log_p0: ArrayLike, proj: ArrayLike) -> tuple[F64, F64]:
    lp = np.ascontiguousarray(log_p0, dtype=np.float64)
    x = np.ascontiguousarray(proj, dtype=np.float64)
    if lp.ndim != 2:
        raise ValueError(f"log_p0 must have shape (N, V), got {lp.shape}")
    if x.shape != lp.shape:
        raise ValueError(f"proj must have the shape of log_p0 {lp.shape}, got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("proj must be finite")
    if np.any(np.isnan(lp)) or np.any(lp == np.inf):
        raise ValueError("log_p0 must not contain NaN or +inf")
    return lp, x


def _as_grid(a: ArrayLike, n: int) -> F64:
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 1:
        arr = np.broadcast_to(arr, (n, arr.shape[0]))
    if arr.ndim != 2 or arr.shape[0] != n:
        raise ValueError(f"a must have shape (R,) or (N={n}, R), got {np.shape(a)}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("a (= lam * r_e) must be finite")
    return arr


def _chunks(
    n: int, r: int, v: int, budget_mb: float, n_buffers: int
) -> Iterator[tuple[slice, slice]]:
    """Yield (geometry slice, grid slice) pairs whose (n, r, V) buffers fit the budget."""
    if budget_mb <= 0:
        raise ValueError(f"memory_budget_mb must be positive, got {budget_mb}")
    limit = int(budget_mb * 2**20 / (8 * n_buffers))
    elements = max(v, min(limit, max(_MAX_CHUNK_ELEMENTS, v)))
    rows = max(1, elements // v)  # number of (geometry, grid point) rows per chunk
    r_step = min(r, rows)
    n_step = max(1, rows // r_step)
    for g0 in range(0, n, n_step):
        for r0 in range(0, r, r_step):
            yield slice(g0, min(n, g0 + n_step)), slice(r0, min(r, r0 + r_step))


def tilted_moments(
    log_p0: ArrayLike,
    proj: ArrayLike,
    a: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    memory_budget_mb: float = DEFAULT_MEMORY_BUDGET_MB,
) -> tuple[F64, F64 | None]:
    """Log-normaliser and tilted expectation of ``weights`` in one pass.

    Returns ``(lse, mean)`` with ``lse[i, j] = logsumexp_t(log_p0[i, t] + a[i, j] * proj[i, t])``
    and ``mean[i, j] = sum_t P_r(t) weights[i, t]`` (``None`` when ``weights`` is ``None``),
    computed as ``sum_t e^{z_t - m} w_t / sum_t e^{z_t - m}`` with ``m`` the row maximum.
    """
    lp, x = _as_batch(log_p0, proj)
    n, v = lp.shape
    grid = _as_grid(a, n)
    r = grid.shape[1]
    w: F64 | None = None
    if weights is not None:
        w = np.ascontiguousarray(weights, dtype=np.float64)
        if w.shape != lp.shape:
            raise ValueError(f"weights must have the shape of log_p0 {lp.shape}, got {w.shape}")
    lse = np.empty((n, r))
    mean = None if w is None else np.empty((n, r))
    n_buffers = 1 if w is None else 2
    for gs, rs in _chunks(n, r, v, memory_budget_mb, n_buffers):
        z = np.multiply(grid[gs, rs, None], x[gs, None, :])
        z += lp[gs, None, :]
        m = z.max(axis=-1, keepdims=True)
        z -= m
        np.exp(z, out=z)
        s = z.sum(axis=-1)
        lse[gs, rs] = m[..., 0] + np.log(s)
        if w is not None and mean is not None:
            np.multiply(z, w[gs, None, :], out=z)
            mean[gs, rs] = z.sum(axis=-1) / s
    return lse, mean


def tilted_log_normaliser(
    log_p0: ArrayLike,
    proj: ArrayLike,
    a: ArrayLike,
    *,
    memory_budget_mb: float = DEFAULT_MEMORY_BUDGET_MB,
) -> F64:
    """``logsumexp_t(log P0(t) + a x_t)``, shape ``(N, R)``."""
    lse, _ = tilted_moments(log_p0, proj, a, memory_budget_mb=memory_budget_mb)
    return lse


def behavior_expectation(
    log_p0: ArrayLike,
    proj: ArrayLike,
    scores: ArrayLike,
    a: ArrayLike,
    *,
    memory_budget_mb: float = DEFAULT_MEMORY_BUDGET_MB,
) -> F64:
    """Steered behavior expectation ``B[P_r] = sum_t P_r(t) B(t)`` (Definition 1), ``(N, R)``.

    ``scores`` holds ``B(t)`` in ``[-1, 1]`` per token (``+1`` aligned), shape ``(N, V)``.
    """
    s = np.asarray(scores, dtype=np.float64)
    if np.any(np.abs(s) > 1):
        raise ValueError("scores must lie in [-1, 1]")
    _, mean = tilted_moments(log_p0, proj, a, s, memory_budget_mb=memory_budget_mb)
    assert mean is not None
    return mean


def log_helpfulness(
    log_p0: ArrayLike,
    proj: ArrayLike,
    correct: ArrayLike,
    a: ArrayLike,
    *,
    memory_budget_mb: float = DEFAULT_MEMORY_BUDGET_MB,
) -> F64:
    """``log P_r(c)`` of the correct token ``c = correct[i]`` of each geometry, ``(N, R)``."""
    lp, x = _as_batch(log_p0, proj)
    c = np.asarray(correct, dtype=np.intp)
    n, v = lp.shape
    if c.shape != (n,) or np.any((c < 0) | (c >= v)):
        raise ValueError(f"correct must be {n} token indices in [0, {v})")
    grid = _as_grid(a, n)
    lse = tilted_log_normaliser(lp, x, grid, memory_budget_mb=memory_budget_mb)
    rows = np.arange(n)
    z_c = grid * x[rows, c][:, None] + lp[rows, c][:, None]
    out: F64 = z_c - lse
    return np.minimum(out, 0.0)


def helpfulness(
    log_p0: ArrayLike,
    proj: ArrayLike,
    correct: ArrayLike,
    a: ArrayLike,
    *,
    memory_budget_mb: float = DEFAULT_MEMORY_BUDGET_MB,
) -> F64:
    """Steered helpfulness ``H(r_e) = P_r(c)`` of the correct token, shape ``(N, R)``."""
    return np.exp(log_helpfulness(log_p0, proj, correct, a, memory_budget_mb=memory_budget_mb))


def steered_log_probs(log_p0: ArrayLike, proj: ArrayLike, a: ArrayLike) -> F64:
    """Full steered log-probabilities, shape ``(N, R, V)`` (not chunked: small inputs only)."""
    lp, x = _as_batch(log_p0, proj)
    grid = _as_grid(a, lp.shape[0])
    z = grid[:, :, None] * x[:, None, :] + lp[:, None, :]
    lse = tilted_log_normaliser(lp, x, grid)
    out: F64 = z - lse[:, :, None]
    return out
