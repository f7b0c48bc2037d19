"""Theorem 2's parameters for one realized geometry (docs/theorem_sheet.md, "Parameters").

Given the unsteered next-token law ``probs`` (P0 over the vocabulary) and the projections
``x_t = <u_t, v>`` of the unembedding rows on the unit steering direction ``v``, compute
``P0, Q+, Q-, G+, G-, alpha, sigma, beta, eps`` for the top-k set ``T``. The definitions of
``alpha`` and ``beta`` are the sympy expressions below, lambdified (one source of truth).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import sympy as sp

from steerbound.theory import numerics as V
from steerbound.theory import symbols as S

#: alpha := 2 min(Q+, Q-) / (1 - P0)   (the paper's alpha, reconstruction of docs/theorem_sheet.md)
ALPHA_DEFINITION = 2 * sp.Min(S.Q_plus, S.Q_minus) / (1 - S.P0)
#: beta := min(G+, G-) / sigma
BETA_DEFINITION = sp.Min(S.G_plus, S.G_minus) / S.sigma


@cache
def _alpha_beta() -> tuple[Any, Any]:
    args_a = (S.Q_plus, S.Q_minus, S.P0)
    args_b = (S.G_plus, S.G_minus, S.sigma)
    return (
        sp.lambdify(args_a, ALPHA_DEFINITION, modules=[{"Min": min}, "math"]),
        sp.lambdify(args_b, BETA_DEFINITION, modules=[{"Min": min}, "math"]),
    )


@dataclass(frozen=True)
class Theorem2Parameters:
    """Parameters of Theorem 2 for one geometry (all float, probabilities in [0, 1]).

    ``g_plus``/``g_minus`` are P0-weighted mean distances (0 when that side is empty);
    ``alpha = 2 min(Q+, Q-)/(1 - P0)`` (0 when ``P0 = 1``); ``beta = min(G+, G-)/sigma``
    (0 when ``sigma = 0``); ``eps = 1 - P0(T)`` is the tail mass outside the top-k set.
    """

    p0: float
    q_plus: float
    q_minus: float
    g_plus: float
    g_minus: float
    alpha: float
    sigma: float
    beta: float
    eps: float


def theorem2_parameters(
    probs: Any, projections: Any, correct: int, k: int, sigma: float | None = None
) -> Theorem2Parameters:
    """Compute Theorem 2's parameters; ``T`` = the ``k`` most probable tokens (ties: lower
    index first), which must contain ``correct``. ``sigma`` defaults to the population std
    (ddof 0) of ``g_t = x_t - x_c`` over ``T \\ {c}`` (0 when ``k = 1``)."""
    p = V.probability("probs", probs)
    x = V.as_finite("projections", projections)
    if p.ndim != 1 or x.shape != p.shape:
        raise ValueError("probs and projections must be 1-D arrays of the same length")
    if abs(float(p.sum()) - 1.0) > 1e-6:
        raise ValueError(f"probs must sum to 1 (sums to {float(p.sum()):.6g})")
    if not isinstance(k, (int, np.integer)) or not 1 <= k <= p.size:
        raise ValueError(f"k must be an integer in [1, {p.size}]")
    if not isinstance(correct, (int, np.integer)) or not 0 <= correct < p.size:
        raise ValueError(f"correct must be a token index in [0, {p.size})")
    top = np.argsort(-p, kind="stable")[:k]
    if correct not in top:
        raise ValueError(f"correct token {correct} is not in the top-{k} set")
    others = top[top != correct]
    g = x[others] - x[correct]
    w = p[others]
    plus, minus = g > 0, g < 0
    q_plus, q_minus = float(w[plus].sum()), float(w[minus].sum())
    g_plus = float((w[plus] * g[plus]).sum() / q_plus) if q_plus > 0 else 0.0
    g_minus = float((w[minus] * -g[minus]).sum() / q_minus) if q_minus > 0 else 0.0
    p0 = float(p[correct])
    if sigma is None:
        sig = float(g.std()) if g.size else 0.0
    else:
        sig = float(V.nonnegative("sigma", sigma))
    alpha_fn, beta_fn = _alpha_beta()
    alpha = float(alpha_fn(q_plus, q_minus, p0)) if p0 < 1 else 0.0
    beta = float(beta_fn(g_plus, g_minus, sig)) if sig > 0 else 0.0
    eps = max(0.0, 1.0 - float(p[top].sum()))
    return Theorem2Parameters(p0, q_plus, q_minus, g_plus, g_minus, alpha, sig, beta, eps)
