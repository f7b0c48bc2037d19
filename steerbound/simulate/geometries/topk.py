"""Top-k geometries with exchangeable projections (Theorem 2, Corollary 2, curvature result).

Imposed hypotheses (Assumption 3): the ``k`` most probable tokens ``T`` carry mass
``1 - eps`` (``eps = 0`` when ``V = k``, the "restricted vocabulary" of multiple-choice
answers) and contain the correct token ``c``; the projections ``x_t, t in T`` are exchangeable
with a continuous law and independent of which token is correct. ``c`` is the mode of ``P0``
half of the time and a uniform member of ``T`` otherwise: a function of the logits only.

* Direct source: ``P0`` on ``T`` is a softmax of ``N(0, s^2)`` logits; the tail tokens (if
  ``V > k``) share a mass ``eps`` with every tail probability strictly below ``min_T P0``;
  projections on ``T`` follow ``law`` (see ``laws.PROJECTION_LAWS``) times a random scale;
  projections of tail tokens follow an unrelated shifted Gaussian (nothing is assumed there).
* Matrix source: ``(V, d)`` from ``matrix_shapes``; logits ``U h``, projections ``U v`` with
  ``v`` orthogonal to ``h`` (i.i.d. Gaussian projections independent of the logits).

Broken variant ``along_h``: the steering direction has a component along the hidden state.
Matrix source: ``cos(v, h) = 0.8``. Direct source: the projections on ``T`` are
``0.8 * standardised logits + 0.6 * law``. Projections then correlate with ``P0``, the mode is
the arg-max projection far more often than ``1/k``, and Assumption 3 fails.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from steerbound.simulate.geometries.base import TokenGeometry, log_softmax, sample_lambda
from steerbound.simulate.geometries.hard_margin import blocks_by_vocab
from steerbound.simulate.geometries.laws import PROJECTION_LAWS, exchangeable_projections
from steerbound.simulate.geometries.unembedding import realise_unembedding

F64 = NDArray[np.float64]

__all__ = ["ALONG_H", "TOPK_VARIANTS", "sample_topk"]

TOPK_VARIANTS = ("valid", "along_h")
ALONG_H = 0.8


def _choose_correct(
    rng: np.random.Generator, log_p0: F64, top: NDArray[np.intp]
) -> NDArray[np.intp]:
    """Mode of ``P0`` with probability 1/2, else a uniform member of the top set ``top``."""
    n, k = top.shape
    mode = log_p0.argmax(axis=1)
    uniform = top[np.arange(n), rng.integers(0, k, size=n)]
    out: NDArray[np.intp] = np.where(rng.random(n) < 0.5, mode, uniform)
    return out


def _direct_block(
    rng: np.random.Generator, n: int, k: int, vocab: int, law: str, variant: str, tail_eps: float
) -> TokenGeometry:
    scale = rng.uniform(0.3, 3.0, size=n)[:, None]
    z_top = scale * rng.standard_normal((n, k))
    s_top = np.exp(log_softmax(z_top))
    log_p = np.empty((n, vocab))
    x = np.empty((n, vocab))
    x_scale = rng.uniform(0.3, 2.0, size=n)
    x_top = exchangeable_projections(rng, law, (n, k), x_scale)
    if variant == "along_h":
        z_cent = z_top - z_top.mean(axis=1, keepdims=True)
        z_std = z_cent / (z_top.std(axis=1, keepdims=True) + 1e-12)
        x_top = ALONG_H * x_scale[:, None] * z_std + np.sqrt(1 - ALONG_H**2) * x_top
    if vocab > k:
        w = rng.uniform(0.2, 1.0, size=(n, vocab - k))
        w /= w.max(axis=1, keepdims=True)
        total = w.sum(axis=1)
        m = s_top.min(axis=1)
        eps_target = tail_eps * rng.uniform(0.05, 1.0, size=n)
        tau = np.minimum(0.999 * m / (1 + m * total), eps_target / total)
        p_top = s_top * (1 - tau * total)[:, None]
        p_tail = tau[:, None] * w
        shift = rng.normal(0.0, 2.0, size=(n, 1))
        x_tail = shift + rng.uniform(0.0, 3.0, size=(n, 1)) * rng.standard_normal((n, vocab - k))
    else:
        p_top, p_tail, x_tail = s_top, np.empty((n, 0)), np.empty((n, 0))
    order = np.argsort(rng.random((n, vocab)), axis=1)  # random placement of T in the vocab
    rows = np.arange(n)[:, None]
    log_p[rows, order] = np.log(np.concatenate([p_top, p_tail], axis=1))
    x[rows, order] = np.concatenate([x_top, x_tail], axis=1)
    correct = _choose_correct(rng, log_p, order[:, :k])
    return TokenGeometry(
        family="topk",
        variant=variant,
        log_p0=log_p,
        proj=x,
        lam=sample_lambda(rng, n),
        correct=correct,
        claims={"k": np.full(n, float(k))},
        source=f"direct {law}",
    )


def _matrix_geometry(
    rng: np.random.Generator, k: int, vocab: int, hidden: int, variant: str
) -> TokenGeometry:
    along = ALONG_H if variant == "along_h" else 0.0
    logits, proj = realise_unembedding(
        rng, vocab, hidden, logit_scale=rng.uniform(0.5, 3.0), along_h=along
    )
    log_p = log_softmax(logits)[None, :]
    top = np.argsort(-log_p[0])[:k][None, :]
    correct = _choose_correct(rng, log_p, top)
    return TokenGeometry(
        family="topk",
        variant=variant,
        log_p0=log_p,
        proj=proj[None, :],
        lam=sample_lambda(rng, 1),
        correct=correct,
        claims={"k": np.array([float(k)])},
        source=f"matrix {vocab}x{hidden}",
    )


def sample_topk(
    rng: np.random.Generator,
    n: int,
    k: int,
    vocab_sizes: Sequence[int],
    *,
    law: str = "gaussian",
    variant: str = "valid",
    tail_eps: float = 0.3,
    matrix_shapes: Sequence[tuple[int, int]] = (),
) -> list[TokenGeometry]:
    """``n`` top-``k`` geometries over ``vocab_sizes`` (each ``>= k``), plus one per matrix shape.

    ``tail_eps`` is the largest tail mass ``eps`` (the realised ``eps`` is random below it and
    also below what keeps ``T`` the top-k set); it is irrelevant when ``V = k``.
    """
    if k < 2:
        raise ValueError(f"k must be >= 2, got {k}")
    if law not in PROJECTION_LAWS:
        raise ValueError(f"law must be one of {PROJECTION_LAWS}, got {law!r}")
    if variant not in TOPK_VARIANTS:
        raise ValueError(f"variant must be one of {TOPK_VARIANTS}, got {variant!r}")
    if any(v < k for v in vocab_sizes) or any(v < k for v, _ in matrix_shapes):
        raise ValueError(f"every vocabulary size must be >= k={k}")
    if not 0.0 < tail_eps < 1.0:
        raise ValueError(f"tail_eps must lie in (0, 1), got {tail_eps}")
    blocks = blocks_by_vocab(
        n, vocab_sizes, lambda c, v: _direct_block(rng, c, k, v, law, variant, tail_eps)
    )
    blocks += [_matrix_geometry(rng, k, v, d, variant) for v, d in matrix_shapes]
    return blocks
