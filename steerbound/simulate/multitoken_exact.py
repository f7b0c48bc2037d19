"""Exact steered multi-token quantities (Theorem 6 trees, Corollary 3 chains).

At decoding step ``i`` steering shifts the hidden state by ``lam * r_e * v_i`` (each step its own
unit direction, a common ``lam``), so every step is an exponential tilting (Lemma 0) of that
step's next-token law with ``a = lam * r_e``; the response probability is the product of the
steered step probabilities along its prefix. ``a`` has shape ``(N, R)``; results ``(N, R)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from steerbound.simulate.geometries.base import ChainGeometry, TreeGeometry
from steerbound.simulate.tilting import (
    DEFAULT_MEMORY_BUDGET_MB,
    log_helpfulness,
    tilted_log_normaliser,
)

F64 = NDArray[np.float64]

__all__ = ["chain_log_helpfulness", "tree_aligned_probability", "tree_b0_bmin"]


def _grid(a: F64, n: int) -> F64:
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
    grid = _grid(a, n)
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
    grid = _grid(a, n)
    flat = log_helpfulness(
        chain.log_p0.reshape(n * length, v),
        chain.proj.reshape(n * length, v),
        chain.correct.reshape(n * length),
        np.repeat(grid, length, axis=0),
        memory_budget_mb=memory_budget_mb,
    )
    out: F64 = flat.reshape(n, length, -1).sum(axis=1)
    return out
