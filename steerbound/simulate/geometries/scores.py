"""Non-binary behavior scores: trinary (Theorem 4) and general scores in [-1, 1] (Theorem 5).

Trinary (``sample_trinary``): groups ``A`` (score +1), ``M`` (-1) and ``N`` (0). Imposed: the
margin separates ``A`` from ``M + N``: ``A`` at ``c + Delta + s Exp(1)``; ``M`` at
``c - s Exp(1)``; ``N`` at ``c - w U(0, 1)`` with ``w`` up to 8 (often far below, as in
the theorem sheet's counterexample to the published closed form). ``P0(A)`` is logit-uniform on
``[0.02, 0.98]``, so ``B0 < 0`` occurs often. Broken variant ``no_margin``: one ``M`` or ``N``
token is moved above every ``A`` token.

General (``sample_general_score``): a threshold ``b`` in ``(-1, 1]``; the upper group has scores in
``[b, 1]`` and projects at least ``Delta`` above the lower group (scores in ``[-1, b)``). A third
of the geometries are *tight* (upper group all at score ``b`` and one projection, lower group all
at ``-1`` with its top token at ``c``), where Theorem 5 is attained as ``r_e -> inf``. Broken
variant ``margin_overstated``: tight geometries with a claimed margin ``(1.3 .. 2) * Delta``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from steerbound.simulate.geometries.base import TokenGeometry, sample_lambda
from steerbound.simulate.geometries.hard_margin import blocks_by_vocab
from steerbound.simulate.geometries.laws import group_log_probs, logit_uniform, random_groups

F64 = NDArray[np.float64]

__all__ = [
    "GENERAL_SCORE_VARIANTS",
    "TRINARY_VARIANTS",
    "sample_general_score",
    "sample_trinary",
]

TRINARY_VARIANTS = ("valid", "no_margin")
GENERAL_SCORE_VARIANTS = ("valid", "margin_overstated")


def _common(rng: np.random.Generator, n: int, vocab: int) -> tuple[F64, F64, F64, F64]:
    delta = np.exp(rng.uniform(np.log(0.05), np.log(3.0), size=n))
    centre = rng.normal(0.0, 1.0, size=n)[:, None]
    up = rng.uniform(0.0, 1.5, size=n)[:, None] * rng.exponential(1.0, size=(n, vocab))
    down = rng.uniform(0.0, 1.5, size=n)[:, None] * rng.exponential(1.0, size=(n, vocab))
    return delta, centre, up, down


def _trinary_block(rng: np.random.Generator, n: int, vocab: int, variant: str) -> TokenGeometry:
    labels = random_groups(rng, n, vocab, [1, 1, 1] if vocab >= 3 else [1, 1, 0])
    has_n = np.any(labels == 2, axis=1)
    p_plus = logit_uniform(rng, 0.02, 0.98, size=n)
    split = np.where(has_n, rng.uniform(0.05, 0.95, size=n), 1.0)
    masses = np.stack([p_plus, (1 - p_plus) * split, (1 - p_plus) * (1 - split)], axis=1)
    log_p0 = group_log_probs(rng, labels, masses, rng.uniform(0.0, 3.0, size=n))
    delta, centre, up, down = _common(rng, n, vocab)
    far = rng.uniform(0.0, 8.0, size=n)[:, None] * rng.random((n, vocab))
    x = np.select(
        [labels == 0, labels == 1], [centre + delta[:, None] + up, centre - down], centre - far
    )
    if variant == "no_margin":
        top = np.where(labels == 0, x, -np.inf).max(axis=1)
        victim = np.where(labels == 0, -1.0, rng.random((n, vocab))).argmax(axis=1)
        x[np.arange(n), victim] = top + rng.uniform(0.1, 1.0, size=n) * delta
    elif variant != "valid":
        raise ValueError(f"variant must be one of {TRINARY_VARIANTS}, got {variant!r}")
    scores = np.select([labels == 0, labels == 1], [1.0, -1.0], 0.0)
    return TokenGeometry(
        family="trinary",
        variant=variant,
        log_p0=log_p0,
        proj=x,
        lam=sample_lambda(rng, n),
        scores=scores,
        claims={"delta": delta},
    )


def _general_block(rng: np.random.Generator, n: int, vocab: int, variant: str) -> TokenGeometry:
    labels = random_groups(rng, n, vocab, [1, 1])  # 0 = upper (B >= b), 1 = lower
    upper = labels == 0
    p_ge = logit_uniform(rng, 0.02, 0.98, size=n)
    log_p0 = group_log_probs(
        rng, labels, np.stack([p_ge, 1 - p_ge], axis=1), rng.uniform(0.0, 3.0, size=n)
    )
    b = rng.uniform(-0.95, 1.0, size=n)
    b = np.where(rng.random(n) < 0.1, 1.0, b)
    delta, centre, up, down = _common(rng, n, vocab)
    tight = (rng.random(n) < 1 / 3) if variant == "valid" else np.ones(n, dtype=bool)
    if variant not in GENERAL_SCORE_VARIANTS:
        raise ValueError(f"variant must be one of {GENERAL_SCORE_VARIANTS}, got {variant!r}")
    u_score = b[:, None] + (1 - b[:, None]) * rng.random((n, vocab))
    l_score = -1.0 + (1 + b[:, None]) * rng.random((n, vocab)) * 0.999
    scores = np.where(upper, u_score, l_score)
    x = np.where(upper, centre + delta[:, None] + up, centre - down)
    pin = np.where(upper, -1.0, rng.random((n, vocab))).argmax(axis=1)
    t = tight[:, None]
    scores = np.where(t, np.where(upper, b[:, None], -1.0), scores)
    x = np.where(t & upper, centre + delta[:, None], x)
    x[tight, pin[tight]] = centre[tight, 0]
    claimed = delta * (rng.uniform(1.3, 2.0, size=n) if variant == "margin_overstated" else 1.0)
    return TokenGeometry(
        family="general_score",
        variant=variant,
        log_p0=log_p0,
        proj=x,
        lam=sample_lambda(rng, n),
        scores=scores,
        claims={"delta": claimed, "b": b},
    )


def sample_trinary(
    rng: np.random.Generator, n: int, vocab_sizes: Sequence[int], *, variant: str = "valid"
) -> list[TokenGeometry]:
    """``n`` trinary-score geometries over ``vocab_sizes`` (each ``>= 2``)."""
    if any(v < 2 for v in vocab_sizes):
        raise ValueError(f"vocab_sizes must all be >= 2, got {list(vocab_sizes)}")
    return blocks_by_vocab(n, vocab_sizes, lambda c, v: _trinary_block(rng, c, v, variant))


def sample_general_score(
    rng: np.random.Generator, n: int, vocab_sizes: Sequence[int], *, variant: str = "valid"
) -> list[TokenGeometry]:
    """``n`` general-score geometries with thresholds over ``vocab_sizes`` (each ``>= 2``)."""
    if any(v < 2 for v in vocab_sizes):
        raise ValueError(f"vocab_sizes must all be >= 2, got {list(vocab_sizes)}")
    return blocks_by_vocab(n, vocab_sizes, lambda c, v: _general_block(rng, c, v, variant))
