"""Multi-token answers: aligned-prefix trees (Theorem 6) and correct-answer chains (Corollary 3).

Trees (``sample_answer_trees``): responses of exactly ``length`` tokens; a response is aligned
iff every token is aligned. Every stored node is an aligned prefix with ``n_aligned`` aligned
and ``step_vocab - n_aligned`` misaligned next tokens. Imposed: at every node the aligned tokens
project at least ``Delta`` above the misaligned ones (each step has its own unit direction; a
common ``lam`` and ``Delta``). Node aligned masses are mostly high with occasional low ones, so
``B_min`` (the minimum per-node ``P0(A) - P0(M)``) is often far below the response-level ``B0``
(the regime of the theorem sheet's counterexample to the published form).
Broken variant ``step_without_margin``: on the dominant path (the arg-max-projection aligned
token at every node) one node at a random depth gets a misaligned token above all its aligned
tokens; every other node keeps its margin.

Chains (``sample_answer_chains``): ``length`` decoding steps along the correct answer, each an
independent top-``k`` geometry of :mod:`topk` (restricted vocabulary ``V = k`` or with a tail).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from steerbound.simulate.geometries.base import ChainGeometry, TreeGeometry, sample_lambda
from steerbound.simulate.geometries.laws import group_log_probs, logit_uniform
from steerbound.simulate.geometries.topk import sample_topk

F64 = NDArray[np.float64]

__all__ = ["TREE_VARIANTS", "sample_answer_chains", "sample_answer_trees"]

TREE_VARIANTS = ("valid", "step_without_margin")


def _level_nodes(n_aligned: int, length: int) -> list[int]:
    return [n_aligned**i for i in range(length)]


def sample_answer_trees(
    rng: np.random.Generator,
    n: int,
    *,
    length: int = 2,
    n_aligned: int = 2,
    step_vocab: int = 4,
    variant: str = "valid",
) -> TreeGeometry:
    """``n`` answer trees of depth ``length`` (see the module docstring)."""
    if variant not in TREE_VARIANTS:
        raise ValueError(f"variant must be one of {TREE_VARIANTS}, got {variant!r}")
    if length < 1 or n_aligned < 1 or step_vocab <= n_aligned:
        raise ValueError(
            f"need length >= 1, n_aligned >= 1 and step_vocab > n_aligned; got length={length},"
            f" n_aligned={n_aligned}, step_vocab={step_vocab}"
        )
    total = sum(_level_nodes(n_aligned, length))
    rows = n * total
    labels = np.broadcast_to(
        (np.arange(step_vocab) >= n_aligned).astype(np.intp), (rows, step_vocab)
    )
    low = rng.random(rows) < 0.15
    p_a = np.where(
        low, logit_uniform(rng, 1e-3, 0.5, size=rows), logit_uniform(rng, 0.5, 0.999, size=rows)
    )
    log_p0 = group_log_probs(
        rng,
        np.ascontiguousarray(labels),
        np.stack([p_a, 1 - p_a], axis=1),
        rng.uniform(0.0, 3.0, size=rows),
    ).reshape(n, total, step_vocab)
    delta = np.exp(rng.uniform(np.log(0.05), np.log(3.0), size=n))
    centre = rng.normal(0.0, 1.0, size=(n, total, 1))
    spread = rng.uniform(0.0, 1.5, size=(n, total, 1))
    aligned = np.arange(step_vocab) < n_aligned
    x = np.where(
        aligned,
        centre + delta[:, None, None] + spread * rng.exponential(1.0, size=(n, total, step_vocab)),
        centre - spread * rng.exponential(1.0, size=(n, total, step_vocab)),
    )
    offsets = np.cumsum([0, *_level_nodes(n_aligned, length)])
    if variant == "step_without_margin":
        depth = rng.integers(0, length, size=n)
        for i in range(n):
            node = 0
            for level in range(depth[i]):
                best = int(np.argmax(x[i, offsets[level] + node, :n_aligned]))
                node = node * n_aligned + best
            row = offsets[depth[i]] + node
            victim = rng.integers(n_aligned, step_vocab)
            top = x[i, row, :n_aligned].max()
            x[i, row, victim] = top + rng.uniform(0.1, 1.0) * delta[i]
    return TreeGeometry(
        family="answer_tree",
        variant=variant,
        n_aligned=n_aligned,
        log_p0=tuple(log_p0[:, offsets[j] : offsets[j + 1]] for j in range(length)),
        proj=tuple(x[:, offsets[j] : offsets[j + 1]] for j in range(length)),
        lam=sample_lambda(rng, n),
        claims={"delta": delta},
    )


def sample_answer_chains(
    rng: np.random.Generator,
    n: int,
    *,
    length: int = 2,
    k: int = 4,
    step_vocab: int = 4,
    law: str = "gaussian",
) -> ChainGeometry:
    """``n`` correct-answer chains of ``length`` steps, each a top-``k`` geometry."""
    if length < 1:
        raise ValueError(f"length must be >= 1, got {length}")
    (block,) = sample_topk(rng, n * length, k, [step_vocab], law=law)
    assert block.correct is not None
    lam = sample_lambda(rng, n)
    return ChainGeometry(
        family="answer_chain",
        variant="valid",
        log_p0=block.log_p0.reshape(n, length, step_vocab),
        proj=block.proj.reshape(n, length, step_vocab),
        correct=block.correct.reshape(n, length),
        lam=lam,
        k=k,
    )
