"""Geometries realised from an actual sampled unembedding matrix ``U`` (``V x d``).

Logits are ``z_t = <u_t, h>`` for a final hidden state ``h`` and projections are
``x_t = <u_t, v>`` for a unit steering direction ``v``. Rows of ``U`` are i.i.d. ``N(0, I_d)``,
``||h|| = logit_scale`` (so ``z_t ~ N(0, logit_scale^2)``) and ``v`` is drawn uniformly on the
sphere orthogonal to ``h`` and then tilted towards ``h``: ``v = sqrt(1 - c^2) v_perp + c h/||h||``
with ``c = along_h``. For ``c = 0`` and Gaussian ``U`` the projections are i.i.d. ``N(0, 1)`` and
independent of the logits (Assumption 3 holds exactly on any top-k set chosen from the logits);
``c != 0`` is the broken variant "steering direction with a component along the hidden state".

To impose a margin, ``target_proj`` moves every row along ``v`` only:
``u_t <- u_t + (target_t - <u_t, v>) v``. With ``v`` orthogonal to ``h`` this leaves the logits
unchanged, and the projections are recomputed from the modified matrix.

``U`` is generated and used in row blocks of at most ``block_mb`` megabytes, so
``V = 32000, d = 5120`` never holds the 1.3 GB matrix in memory.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]

__all__ = ["realise_unembedding"]


def _unit(x: F64) -> F64:
    out: F64 = x / np.linalg.norm(x)
    return out


def realise_unembedding(
    rng: np.random.Generator,
    vocab: int,
    hidden: int,
    *,
    logit_scale: float = 2.0,
    along_h: float = 0.0,
    target_proj: F64 | None = None,
    block_mb: float = 32.0,
) -> tuple[F64, F64]:
    """Sample ``U``, ``h`` and ``v`` and return ``(logits, proj)``, each of shape ``(vocab,)``.

    Args:
        rng: random generator (consumed deterministically: same seed, same geometry).
        vocab: number of rows ``V >= 2``; hidden: hidden size ``d >= 2``.
        logit_scale: ``||h||``; the logits are ``N(0, logit_scale^2)``.
        along_h: cosine between ``v`` and ``h`` in ``[0, 1)``.
        target_proj: if given, the projections the rows are moved to along ``v``.
        block_mb: memory for one block of rows of ``U``.
    """
    if vocab < 2 or hidden < 2:
        raise ValueError(f"vocab and hidden must be >= 2, got vocab={vocab}, hidden={hidden}")
    if not 0.0 <= along_h < 1.0:
        raise ValueError(f"along_h must lie in [0, 1), got {along_h}")
    if target_proj is not None and np.shape(target_proj) != (vocab,):
        raise ValueError(f"target_proj must have shape ({vocab},), got {np.shape(target_proj)}")
    h_hat = _unit(rng.standard_normal(hidden))
    w = rng.standard_normal(hidden)
    v_perp = _unit(w - (w @ h_hat) * h_hat)
    v = np.sqrt(1.0 - along_h**2) * v_perp + along_h * h_hat
    v = _unit(v)
    h = logit_scale * h_hat
    logits = np.empty(vocab)
    proj = np.empty(vocab)
    rows = max(1, int(block_mb * 2**20 / (8 * hidden)))
    for start in range(0, vocab, rows):
        stop = min(vocab, start + rows)
        block = rng.standard_normal((stop - start, hidden))
        if target_proj is not None:
            block += np.outer(target_proj[start:stop] - block @ v, v)
        logits[start:stop] = block @ h
        proj[start:stop] = block @ v
    return logits, proj
