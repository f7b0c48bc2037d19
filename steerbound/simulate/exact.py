"""Exact steered quantities by exponential tilting (Lemma 0 in ``docs/theorem_sheet.md``).

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

Multi-token answers (Theorem 6 trees, Corollary 3 chains): at decoding step ``i`` steering
shifts the hidden state by ``lam * r_e * v_i`` (each step its own unit direction, a common
``lam``), so every step is a tilting of that step's next-token law with ``a = lam * r_e``; the
response probability is the product of the steered step probabilities along its prefix.

Out-of-range inputs raise ``ValueError`` instead of returning NaN: non-finite ``a`` or
projections, a row of ``log_p0`` without any finite entry, or ``|a| * max|x|`` beyond the float64
range (``|r_e|`` up to ``1e6`` and far beyond is fine).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike, NDArray

from steerbound.simulate.geometries.base import ChainGeometry, TreeGeometry

__all__ = [
    "DEFAULT_MEMORY_BUDGET_MB",
    "behavior_expectation",
    "chain_log_helpfulness",
    "helpfulness",
    "log_helpfulness",
    "steered_log_probs",
    "tilted_log_normaliser",
    "tilted_moments",
    "tree_aligned_probability",
    "tree_b0_bmin",
]

DEFAULT_MEMORY_BUDGET_MB = 256.0
# Chunks larger than this gain nothing (the work is memory bound) and fall out of cache.
_MAX_CHUNK_ELEMENTS = 1 << 17

#: Largest ``|a| * max|x|`` accepted (the logits ``a x_t + log P0(t)`` must stay finite).
_MAX_EXPONENT = 1e300

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
    if lp.shape[1] and not np.all(np.isfinite(lp).any(axis=1)):
        raise ValueError("every row of log_p0 needs a finite entry (a token of positive mass)")
    return lp, x


def _check_range(grid: F64, x: F64) -> None:
    """``a * x_t`` must stay well inside float64 (else ``inf - inf`` would give NaN)."""
    if grid.size and x.size:
        with np.errstate(over="ignore"):  # an overflow to inf is reported just below
            reach = np.max(np.abs(grid), axis=1) * np.max(np.abs(x), axis=1)
        if np.any(reach > _MAX_EXPONENT):
            raise ValueError(
                f"|a| * max|x| = {float(reach.max()):.3g} exceeds {_MAX_EXPONENT:.0e}: "
                "the steered logits leave the float64 range"
            )


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
    _check_range(grid, x)
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


def _multi_grid(a: F64, n: int) -> F64:
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 1:
        arr = np.broadcast_to(arr, (n, arr.shape[0]))
    if arr.shape[0] != n or arr.ndim != 2:
        raise ValueError(f"a must have shape (R,) or ({n}, R), got {np.shape(a)}")
    return arr


def tree_aligned_probability(
    tree: TreeGeometry, a: F64, *, memory_budget_mb: float = DEFAULT_MEMORY_BUDGET_MB
) -> F64:
    """Steered probability that the whole response is aligned, ``(N, R)``.

    Computed bottom-up: ``P(aligned | node) = sum_{a in A} P_r(a | node) P(aligned | child)``,
    with ``P(aligned | leaf-level child) = 1``. ``B = 2 * P - 1``.
    """
    n, n_a = tree.n, tree.n_aligned
    grid = _multi_grid(a, n)
    r = grid.shape[1]
    below: F64 | None = None
    for level in reversed(range(tree.length)):
        lp, x = tree.log_p0[level], tree.proj[level]
        nodes, v = lp.shape[1], lp.shape[2]
        flat_lp, flat_x = lp.reshape(n * nodes, v), x.reshape(n * nodes, v)
        flat_a = np.repeat(grid, nodes, axis=0)
        lse = tilted_log_normaliser(flat_lp, flat_x, flat_a, memory_budget_mb=memory_budget_mb)
        z = flat_a[:, :, None] * flat_x[:, None, :n_a] + flat_lp[:, None, :n_a]
        p_aligned = np.exp(np.minimum(z - lse[:, :, None], 0.0)).reshape(n, nodes, r, n_a)
        if below is None:
            here = p_aligned.sum(axis=-1)
        else:
            child = below.reshape(n, nodes, n_a, r).transpose(0, 1, 3, 2)
            here = (p_aligned * child).sum(axis=-1)
        below = here
    assert below is not None
    out: F64 = below[:, 0, :]
    return out


def tree_b0_bmin(tree: TreeGeometry) -> tuple[F64, F64]:
    """Response-level ``B0 = 2 P0(aligned) - 1`` and ``B_min = min_node P0(A|.) - P0(M|.)``."""
    p_aligned = tree_aligned_probability(tree, np.zeros((tree.n, 1)))[:, 0]
    b_min = np.full(tree.n, np.inf)
    for lp in tree.log_p0:
        p = np.exp(lp)
        pa = p[..., : tree.n_aligned].sum(axis=-1)
        pm = p[..., tree.n_aligned :].sum(axis=-1)
        b_min = np.minimum(b_min, (pa - pm).min(axis=1))
    return 2.0 * p_aligned - 1.0, b_min


def chain_log_helpfulness(
    chain: ChainGeometry, a: F64, *, memory_budget_mb: float = DEFAULT_MEMORY_BUDGET_MB
) -> F64:
    """``log P_r(y) = sum_i log P_r(y_i | q, y_<i)`` of the correct answer, ``(N, R)``."""
    n, length, v = chain.log_p0.shape
    grid = _multi_grid(a, n)
    flat = log_helpfulness(
        chain.log_p0.reshape(n * length, v),
        chain.proj.reshape(n * length, v),
        chain.correct.reshape(n * length),
        np.repeat(grid, length, axis=0),
        memory_budget_mb=memory_budget_mb,
    )
    out: F64 = flat.reshape(n, length, -1).sum(axis=1)
    return out
