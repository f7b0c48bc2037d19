"""Soft-margin geometries with misclassified mass and depth (Theorem 3, Assumption 4).

Tokens fall in four groups: clean aligned ``A'``, clean misaligned ``M'``, misclassified
misaligned ``M''`` and misclassified aligned ``A''`` (``E = M'' + A''``). Imposed hypotheses:

* ``P0(E) = eps`` exactly, with ``P0(A') > eps`` so that ``1 + B0 > 2 eps``;
* clean margin: ``min_{A'} x - max_{M'} x >= Delta`` (``A'`` at ``c + Delta + s Exp(1)``,
  ``M'`` at ``c - s Exp(1)``);
* depth: ``max_{M''} x - min_{A'} x = D`` exactly (one ``M''`` token at depth ``D``, the others
  below it); ``D`` is drawn in ``[-Delta, 3]``, so misclassified tokens may sit far above
  the aligned cluster; ``A''`` tokens sit anywhere (here: below the misaligned cluster).

Variants: ``valid`` (claims ``eps_mis = eps``, ``depth = D``, ``delta = Delta``) and
``eps_understated`` (broken: ``eps_mis = eps / 10``; everything else as in ``valid``, with
``D`` above the aligned cluster so that the misclassified tokens take over at large ``r_e``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from steerbound.simulate.geometries.base import TokenGeometry, sample_lambda
from steerbound.simulate.geometries.hard_margin import blocks_by_vocab
from steerbound.simulate.geometries.laws import group_log_probs, logit_uniform, random_groups

F64 = NDArray[np.float64]

__all__ = ["SOFT_MARGIN_VARIANTS", "sample_soft_margin"]

SOFT_MARGIN_VARIANTS = ("valid", "eps_understated")

A_CLEAN, M_CLEAN, M_MIS, A_MIS = 0, 1, 2, 3


def _block(rng: np.random.Generator, n: int, vocab: int, variant: str) -> TokenGeometry:
    minimum = [1, 1, 1, 1] if vocab >= 4 else [1, 1, 1, 0]
    labels = random_groups(rng, n, vocab, minimum)
    eps = np.exp(rng.uniform(np.log(1e-4), np.log(0.2), size=n))
    p_clean_a = eps + (1 - 2 * eps) * logit_uniform(rng, 0.02, 0.9, size=n) * 0.98
    frac_m = np.where(np.any(labels == A_MIS, axis=1), rng.uniform(0.3, 1.0, size=n), 1.0)
    masses = np.stack([p_clean_a, 1.0 - p_clean_a - eps, eps * frac_m, eps * (1 - frac_m)], axis=1)
    log_p0 = group_log_probs(rng, labels, masses, rng.uniform(0.0, 3.0, size=n))

    delta = np.exp(rng.uniform(np.log(0.05), np.log(3.0), size=n))
    centre = rng.normal(0.0, 1.0, size=n)[:, None]
    spread = rng.uniform(0.0, 1.5, size=(n, 2))
    up = rng.exponential(1.0, size=(n, vocab))
    down = rng.exponential(1.0, size=(n, vocab))
    x_a = centre + delta[:, None] + spread[:, :1] * up
    min_a = np.where(labels == A_CLEAN, x_a, np.inf).min(axis=1)
    max_a = np.where(labels == A_CLEAN, x_a, -np.inf).max(axis=1)
    if variant == "valid":
        depth = rng.uniform(-1.0, 1.0, size=n) * np.where(rng.random(n) < 0.5, delta, 3.0)
    elif variant == "eps_understated":
        depth = (max_a - min_a) + rng.uniform(0.2, 2.0, size=n)
    else:
        raise ValueError(f"variant must be one of {SOFT_MARGIN_VARIANTS}, got {variant!r}")
    x_m_mis = (min_a + depth)[:, None] - rng.uniform(0.0, 1.0, size=(n, vocab))
    # Pin one misclassified misaligned token at exactly the depth D.
    pick = np.where(labels == M_MIS, rng.random((n, vocab)), -1.0).argmax(axis=1)
    x_m_mis[np.arange(n), pick] = min_a + depth
    x = np.select(
        [labels == A_CLEAN, labels == M_CLEAN, labels == M_MIS],
        [x_a, centre - spread[:, 1:] * down, x_m_mis],
        default=centre - 2.0 - 3.0 * down,
    )
    claimed_eps = eps if variant == "valid" else eps / 10.0
    return TokenGeometry(
        family="soft_margin",
        variant=variant,
        log_p0=log_p0,
        proj=x,
        lam=sample_lambda(rng, n),
        scores=np.where((labels == A_CLEAN) | (labels == A_MIS), 1.0, -1.0),
        claims={"delta": delta, "eps_mis": claimed_eps, "depth": depth},
    )


def sample_soft_margin(
    rng: np.random.Generator, n: int, vocab_sizes: Sequence[int], *, variant: str = "valid"
) -> list[TokenGeometry]:
    """``n`` soft-margin geometries over ``vocab_sizes`` (each ``>= 3``)."""
    if any(v < 3 for v in vocab_sizes):
        raise ValueError(f"soft-margin vocab_sizes must all be >= 3, got {list(vocab_sizes)}")
    return blocks_by_vocab(n, vocab_sizes, lambda c, v: _block(rng, c, v, variant))
