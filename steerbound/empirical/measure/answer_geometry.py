"""Assumption 2 and Theorem 2's parameters: the geometry of answer tokens along ``delta``.

Same inputs and conventions as :mod:`steerbound.empirical.assumptions`; array helpers from
:mod:`steerbound.empirical.readout_geometry`. Projections are **oriented**, ``sign(r_e) u_t .
delta/||delta||``, so that under the linearized Assumption 1 (``delta/||delta|| = sign(r_e) v``)
both signs of ``r_e`` estimate the same geometry along ``v``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from steerbound.empirical.readout_geometry import (
    as_float64,
    hidden_deltas,
    nonzero_deltas,
    reference_index,
    unembed,
    unembedding_rows,
)
from steerbound.theory import Theorem2Parameters, theorem2_parameters


@dataclass(frozen=True)
class AnswerTokenSets:
    """Aligned (``positive``) and misaligned (``negative``) answer tokens chosen from the
    **unsteered** model, with their mean unsteered probability over the prompts."""

    positive_ids: tuple[int, ...]
    negative_ids: tuple[int, ...]
    positive_prob: tuple[float, ...]
    negative_prob: tuple[float, ...]


def select_answer_tokens(
    unsteered_logits: Any,
    positive_candidates: Sequence[int],
    negative_candidates: Sequence[int],
    *,
    n_per_set: int | None = None,
    min_prob: float = 0.0,
) -> AnswerTokenSets:
    """Keep the candidates most probable under the unsteered model (mean full-vocabulary
    probability over prompts, descending): at most ``n_per_set`` per set, each with mean
    probability ``>= min_prob``. Only unsteered logits are accepted, so the selection cannot
    depend on the steering (the published code picked tokens from a steered run)."""
    z = as_float64(unsteered_logits, "unsteered_logits", 2)
    mean_p = np.exp(z - special.logsumexp(z, axis=1, keepdims=True)).mean(axis=0)
    chosen = []
    for name, cands in (("positive", positive_candidates), ("negative", negative_candidates)):
        ids = np.unique(np.asarray(cands, dtype=np.int64))
        if ids.size == 0 or (ids < 0).any() or (ids >= z.shape[1]).any():
            raise ValueError(f"{name}_candidates must be non-empty token ids in [0, {z.shape[1]})")
        order = ids[np.argsort(-mean_p[ids], kind="stable")]
        order = order[mean_p[order] >= min_prob][:n_per_set]
        if order.size == 0:
            raise ValueError(f"no {name} candidate has mean unsteered probability >= {min_prob}")
        chosen.append(order)
    if np.intersect1d(*chosen).size:
        raise ValueError("positive and negative candidate sets overlap")
    return AnswerTokenSets(
        tuple(int(i) for i in chosen[0]), tuple(int(i) for i in chosen[1]),
        tuple(float(mean_p[i]) for i in chosen[0]), tuple(float(mean_p[i]) for i in chosen[1]),
    )  # fmt: skip


@dataclass(frozen=True)
class Assumption2Result:
    """Oriented projections ``sign(r_e) u_t . delta/||delta||`` of the answer tokens, shapes
    ``(n_r, n_q, |A|)`` and ``(n_r, n_q, |M|)`` over nonzero ``r_e``; ``margin`` (``(n_r, n_q)``)
    is the minimum over pairs ``min_a - max_m`` (Assumption 2's ``Delta``), ``separation`` the
    difference of the means. ``delta_per_question`` is the margin at ``reference_r``."""

    r_e: np.ndarray
    positive_ids: tuple[int, ...]
    negative_ids: tuple[int, ...]
    positive_projections: np.ndarray
    negative_projections: np.ndarray
    margin: np.ndarray
    separation: np.ndarray
    reference_r: float
    delta_per_question: np.ndarray

    @property
    def delta_min(self) -> float:
        """The worst question's margin at ``reference_r``."""
        return float(self.delta_per_question.min())


def measure_assumption2(
    r_e: Any,
    h_steered: Any,
    h0: Any,
    U: Any,
    tokens: AnswerTokenSets,
    *,
    reference_r: float | None = None,
) -> Assumption2Result:
    """Assumption 2 for token sets from :func:`select_answer_tokens`."""
    r, delta, norms = nonzero_deltas(r_e, h_steered, h0)
    direction = np.sign(r)[:, None, None] * delta / norms[:, :, None]
    pos = np.einsum("ad,rqd->rqa", unembedding_rows(U, list(tokens.positive_ids)), direction)
    neg = np.einsum("md,rqd->rqm", unembedding_rows(U, list(tokens.negative_ids)), direction)
    margin = pos.min(axis=-1) - neg.max(axis=-1)
    ref = reference_index(r, reference_r)
    return Assumption2Result(
        r, tokens.positive_ids, tokens.negative_ids, pos, neg, margin,
        pos.mean(axis=-1) - neg.mean(axis=-1), float(r[ref]), margin[ref],
    )  # fmt: skip


def measure_theorem2_parameters(
    r_e: Any,
    h_steered: Any,
    h0: Any,
    U: Any,
    correct: Sequence[int] | np.ndarray,
    *,
    k: int,
    candidate_ids: Any = None,
    reference_r: float | None = None,
) -> list[Theorem2Parameters]:
    """Theorem 2's parameters per question via :func:`steerbound.theory.theorem2_parameters`.

    The direction ``v`` is ``delta/||delta||`` at ``reference_r`` (default: the smallest positive
    ``r_e``). With ``candidate_ids`` (``(m,)`` or ``(n_q, m)``, e.g. the letters A-D) the law is
    the unsteered softmax restricted to the candidates and ``correct`` indexes the candidates;
    without, the law is the full-vocabulary softmax of ``h0 @ U.T`` and ``correct`` holds token ids.
    """
    r, delta = hidden_deltas(r_e, h_steered, h0)
    ref = reference_index(r, reference_r)
    v = delta[ref] / np.linalg.norm(delta[ref], axis=-1, keepdims=True)
    base = as_float64(h0, "h0", 2)
    n_q = base.shape[0]
    c = np.asarray(correct, dtype=np.int64).ravel()
    if c.shape != (n_q,):
        raise ValueError(f"correct must have one entry per question ({n_q})")
    out = []
    if candidate_ids is not None:
        ids = np.broadcast_to(
            np.asarray(candidate_ids, dtype=np.int64), (n_q, np.shape(candidate_ids)[-1])
        )
        rows = unembedding_rows(U, ids)  # (n_q, m, d)
        logits = np.einsum("qmd,qd->qm", rows, base)
        x = np.einsum("qmd,qd->qm", rows, v)
    else:
        logits = unembed(base, U)
        x = unembed(v, U)
    probs = np.exp(logits - special.logsumexp(logits, axis=1, keepdims=True))
    for q in range(n_q):
        out.append(theorem2_parameters(probs[q] / probs[q].sum(), x[q], int(c[q]), k))
    return out
