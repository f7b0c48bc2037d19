"""Binary aligned/misaligned geometries with a hard margin (Theorem 1, Corollary 1).

Hypotheses imposed (Assumption 2): every aligned token projects at least ``Delta`` above every
misaligned one along ``v``: ``min_a x_a - max_m x_m >= Delta``; ``0 < P0(A) < 1``.

Variants (the claimed margin is ``claims["delta"]``):

* ``valid``: aligned ``x = c + Delta + s_A * Exp(1)``, misaligned ``x = c - s_M * Exp(1)``,
  claimed margin ``Delta`` (half of the time) or a smaller value (always a true margin).
* ``two_cluster``: all aligned tokens at ``c + Delta``, all misaligned at ``c``: Theorem 1 holds
  with equality for every ``r_e`` (and Corollary 1's threshold is exact).
* ``no_margin`` (broken): a valid geometry in which one misaligned token is moved above every
  aligned token; the claimed margin is still ``Delta``.
* ``margin_overstated`` (broken): aligned tokens at ``c + Delta`` exactly, the top misaligned
  token at ``c``, but the claimed margin is ``(1.3 .. 2) * Delta``.

``matrix_shapes`` realises some geometries of the ``valid`` variant from an actual sampled
unembedding matrix (the rows are moved along ``v`` onto the target projections; the logits
``U h`` are unaffected because ``v`` is orthogonal to ``h``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from steerbound.simulate.geometries.base import TokenGeometry, log_softmax, sample_lambda
from steerbound.simulate.geometries.laws import group_log_probs, logit_uniform, random_groups
from steerbound.simulate.geometries.unembedding import realise_unembedding

F64 = NDArray[np.float64]

__all__ = ["HARD_MARGIN_VARIANTS", "blocks_by_vocab", "sample_hard_margin", "split_evenly"]

HARD_MARGIN_VARIANTS = ("valid", "two_cluster", "no_margin", "margin_overstated")


def split_evenly(n: int, parts: int) -> list[int]:
    """``n`` items over ``parts`` blocks, as evenly as possible (all >= 1 when n >= parts)."""
    if n < 1 or parts < 1:
        raise ValueError(f"n and parts must be >= 1, got n={n}, parts={parts}")
    base, extra = divmod(n, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def blocks_by_vocab(
    n: int, vocab_sizes: Sequence[int], make: Callable[[int, int], TokenGeometry]
) -> list[TokenGeometry]:
    """``n`` geometries split evenly over ``vocab_sizes``: ``make(count, vocab)`` for each vocab
    size with a non-zero count, called in the order of ``vocab_sizes`` (one block each)."""
    return [
        make(count, vocab)
        for vocab, count in zip(vocab_sizes, split_evenly(n, len(vocab_sizes)), strict=True)
        if count > 0
    ]


def _projections(
    rng: np.random.Generator, aligned: NDArray[np.bool_], variant: str
) -> tuple[F64, F64]:
    """Target projections and the claimed margin for a batch with aligned mask ``(n, V)``."""
    n, v = aligned.shape
    delta = np.exp(rng.uniform(np.log(0.05), np.log(3.0), size=n))
    centre: F64 = rng.normal(0.0, 1.0, size=(n, 1))
    spread_a: F64 = rng.uniform(0.0, 2.0, size=(n, 1)) * (rng.random((n, 1)) < 0.8)
    spread_m: F64 = rng.uniform(0.0, 2.0, size=(n, 1)) * (rng.random((n, 1)) < 0.8)
    up = rng.exponential(1.0, size=(n, v))
    down = rng.exponential(1.0, size=(n, v))
    claimed = delta.copy()
    if variant in ("valid", "no_margin"):
        x = np.where(aligned, centre + delta[:, None] + spread_a * up, centre - spread_m * down)
        if variant == "valid":
            shrink = np.where(rng.random(n) < 0.5, 1.0, rng.uniform(0.5, 1.0, size=n))
            claimed = delta * shrink
        else:
            top_aligned = np.where(aligned, x, -np.inf).max(axis=1)
            # Move one random misaligned token above every aligned one (negative margin).
            scores = np.where(aligned, -np.inf, rng.random((n, v)))
            victim = scores.argmax(axis=1)
            x[np.arange(n), victim] = top_aligned + rng.uniform(0.1, 1.0, size=n) * delta
    elif variant == "two_cluster":
        x = np.where(aligned, centre + delta[:, None], centre + 0.0 * down)
    elif variant == "margin_overstated":
        x = np.where(aligned, centre + delta[:, None], centre - spread_m * down)
        # Pin the top misaligned token exactly at the centre: the true margin is Delta.
        scores = np.where(aligned, -np.inf, rng.random((n, v)))
        x[np.arange(n), scores.argmax(axis=1)] = centre[:, 0]
        claimed = delta * rng.uniform(1.3, 2.0, size=n)
    else:
        raise ValueError(f"variant must be one of {HARD_MARGIN_VARIANTS}, got {variant!r}")
    return x, claimed


def _block(
    rng: np.random.Generator,
    n: int,
    vocab: int,
    variant: str,
    p_aligned: tuple[float, float],
    hidden: int | None,
) -> TokenGeometry:
    labels = random_groups(rng, n, vocab, [1, 1])  # 0 = aligned, 1 = misaligned
    aligned = labels == 0
    x, claimed = _projections(rng, aligned, variant)
    lam = sample_lambda(rng, n)
    if hidden is None:
        pa = logit_uniform(rng, *p_aligned, size=n)
        masses = np.stack([pa, 1.0 - pa], axis=1)
        scale = rng.uniform(0.0, 4.0, size=n)
        log_p0 = group_log_probs(rng, labels, masses, scale)
        source = "direct"
    else:
        log_p0 = np.empty((n, vocab))
        proj = np.empty((n, vocab))
        for i in range(n):
            logits, proj[i] = realise_unembedding(
                rng, vocab, hidden, logit_scale=rng.uniform(0.5, 3.0), target_proj=x[i]
            )
            log_p0[i] = log_softmax(logits)
        x = proj
        source = f"matrix {vocab}x{hidden}"
    scores = np.where(aligned, 1.0, -1.0)
    return TokenGeometry(
        family="hard_margin",
        variant=variant,
        log_p0=log_p0,
        proj=x,
        lam=lam,
        scores=scores,
        claims={"delta": claimed},
        source=source,
    )


def sample_hard_margin(
    rng: np.random.Generator,
    n: int,
    vocab_sizes: Sequence[int],
    *,
    variant: str = "valid",
    p_aligned: tuple[float, float] = (1e-4, 1 - 1e-4),
    matrix_shapes: Sequence[tuple[int, int]] = (),
) -> list[TokenGeometry]:
    """``n`` hard-margin geometries spread over ``vocab_sizes`` (each ``>= 2``).

    ``p_aligned`` bounds the unsteered aligned mass ``P0(A)`` (logit-uniform in between), e.g.
    ``(1e-3, 0.5)`` for Corollary 1 which needs ``B0 < 0``. ``matrix_shapes`` adds one geometry
    per ``(V, d)`` pair realised from a sampled unembedding matrix (``valid`` variant only; its
    aligned mass is whatever the logits give).
    """
    if variant not in HARD_MARGIN_VARIANTS:
        raise ValueError(f"variant must be one of {HARD_MARGIN_VARIANTS}, got {variant!r}")
    if any(v < 2 for v in vocab_sizes):
        raise ValueError(f"vocab_sizes must all be >= 2, got {list(vocab_sizes)}")
    blocks = blocks_by_vocab(
        n, vocab_sizes, lambda count, vocab: _block(rng, count, vocab, variant, p_aligned, None)
    )
    if variant == "valid":
        blocks += [_block(rng, 1, v, variant, p_aligned, d) for v, d in matrix_shapes]
    return blocks
