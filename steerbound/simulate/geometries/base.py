"""Containers for synthetic unembedding geometries and small sampling helpers.

A *single-step geometry* is what the single-token results see: an unsteered next-token law
``P0`` over a vocabulary of ``V`` tokens and the projection ``x_t = <u_t, v>`` of every
unembedding row on the unit steering direction ``v`` (hidden-state units). Steering by
``r_e`` multiplies ``P0`` by ``exp(lam * r_e * x_t)`` (Lemma 0). A batch of ``N`` geometries
with one vocabulary size is a :class:`TokenGeometry`; samplers return a list of batches, one per
vocabulary size.

``claims`` holds the hypothesis constants the bound is evaluated with (``delta`` for the margin,
``eps_mis`` and ``depth`` for the soft margin, ``b`` for a threshold, ...), one value per
geometry. In a *valid* variant the geometry satisfies the hypotheses with these constants; a
*broken* variant violates exactly one of them (see each sampler's docstring).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
IntArray = NDArray[np.intp]

__all__ = [
    "ChainGeometry",
    "TokenGeometry",
    "TreeGeometry",
    "log_softmax",
    "sample_lambda",
    "split_counts",
]


@dataclass(frozen=True)
class TokenGeometry:
    """A batch of ``N`` single-step geometries over a common vocabulary of ``V`` tokens.

    Attributes:
        family: sampler family (e.g. ``"hard_margin"``).
        variant: ``"valid"`` or the name of the broken hypothesis.
        log_p0: ``(N, V)`` unsteered log-probabilities (each row normalised).
        proj: ``(N, V)`` projections ``x_t = <u_t, v>`` on the unit steering direction.
        lam: ``(N,)`` Assumption 1 constant: ``||delta|| = lam * |r_e|``.
        scores: ``(N, V)`` behavior score ``B(t)`` in ``[-1, 1]`` (``+1`` aligned), or ``None``.
        correct: ``(N,)`` index of the correct token, or ``None``.
        claims: hypothesis constants used in the bounds, each of shape ``(N,)``.
        source: ``"direct"`` (law sampled directly) or ``"matrix VxD"`` (projections and
            logits computed from a sampled unembedding matrix ``U`` of that size).
    """

    family: str
    variant: str
    log_p0: F64
    proj: F64
    lam: F64
    scores: F64 | None = None
    correct: IntArray | None = None
    claims: dict[str, F64] = field(default_factory=dict)
    source: str = "direct"

    def __post_init__(self) -> None:
        if self.log_p0.ndim != 2 or self.proj.shape != self.log_p0.shape:
            raise ValueError(
                f"log_p0 and proj must share a shape (N, V); got {self.log_p0.shape}, "
                f"{self.proj.shape}"
            )
        if self.lam.shape != (self.n,):
            raise ValueError(f"lam must have shape ({self.n},), got {self.lam.shape}")
        if self.scores is not None and self.scores.shape != self.log_p0.shape:
            raise ValueError(f"scores must have shape {self.log_p0.shape}")
        if self.correct is not None and self.correct.shape != (self.n,):
            raise ValueError(f"correct must have shape ({self.n},)")
        for name, value in self.claims.items():
            if np.shape(value) != (self.n,):
                raise ValueError(f"claim {name!r} must have shape ({self.n},)")

    @property
    def n(self) -> int:
        return int(self.log_p0.shape[0])

    @property
    def vocab(self) -> int:
        return int(self.log_p0.shape[1])

    @property
    def p0(self) -> F64:
        return np.exp(self.log_p0)

    def mass(self, mask: NDArray[np.bool_]) -> F64:
        """Unsteered mass ``P0(S)`` of the token set ``mask`` (``(N, V)`` booleans), ``(N,)``."""
        return np.where(mask, self.p0, 0.0).sum(axis=1)


@dataclass(frozen=True)
class TreeGeometry:
    """Answer trees of depth ``length`` for Theorem 6 (prefix-closed binary score).

    Every node is an aligned prefix (after a misaligned token the response is misaligned
    whatever follows, so those subtrees are not stored). A node has ``n_aligned`` aligned next
    tokens (indices ``0..n_aligned-1``) followed by misaligned ones. Level ``i`` (``0`` is the
    root) has ``n_aligned**i`` nodes; the child of node ``j`` through aligned token ``a`` is node
    ``j * n_aligned + a`` of level ``i + 1``. Decoding step ``i`` has its own unit steering
    direction, so ``proj[i]`` holds that step's projections; ``lam`` is common to all steps.

    Attributes:
        log_p0: per level, ``(N, n_aligned**i, V_step)`` unsteered next-token log-probabilities.
        proj: per level, ``(N, n_aligned**i, V_step)`` projections on that step's direction.
        lam: ``(N,)``; claims: ``delta`` (margin claimed at every node), ``(N,)``.
    """

    family: str
    variant: str
    n_aligned: int
    log_p0: tuple[F64, ...]
    proj: tuple[F64, ...]
    lam: F64
    claims: dict[str, F64] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.lam.shape[0])

    @property
    def length(self) -> int:
        return len(self.log_p0)

    @property
    def step_vocab(self) -> int:
        return int(self.log_p0[0].shape[-1])


@dataclass(frozen=True)
class ChainGeometry:
    """Multi-token correct answers for Corollary 3: ``length`` decoding steps along the
    correct prefix, each a single-step geometry with its own steering direction.

    Attributes:
        log_p0, proj: ``(N, length, V_step)``; correct: ``(N, length)`` correct token per step;
        lam: ``(N,)`` common Assumption 1 constant; k: top-k size used at every step.
    """

    family: str
    variant: str
    log_p0: F64
    proj: F64
    correct: IntArray
    lam: F64
    k: int

    @property
    def n(self) -> int:
        return int(self.lam.shape[0])

    @property
    def length(self) -> int:
        return int(self.log_p0.shape[1])


def log_softmax(logits: F64, axis: int = -1) -> F64:
    """Normalised log-probabilities ``logits - logsumexp(logits)`` along ``axis``."""
    m = logits.max(axis=axis, keepdims=True)
    shifted = logits - m
    out: F64 = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return out


def sample_lambda(rng: np.random.Generator, n: int) -> F64:
    """Assumption 1 constants, log-uniform on ``[0.2, 2]``."""
    return np.exp(rng.uniform(np.log(0.2), np.log(2.0), size=n))


def split_counts(rng: np.random.Generator, n: int, vocab: int) -> NDArray[np.intp]:
    """Random sizes ``1..vocab-1`` of the first of two non-empty token sets."""
    if vocab < 2:
        raise ValueError(f"vocab must be >= 2 to split into two sets, got {vocab}")
    return rng.integers(1, vocab, size=n)
