"""Numeric helpfulness bounds (Theorem 2 forms, expected helpfulness, Corollaries 2 and 3).

float64, numpy-broadcast, lambdified from :mod:`steerbound.theory.expressions`.
Notation (docs/theorem_sheet.md): ``p0 = P0(c)`` for the correct token ``c``; ``q_plus/q_minus`` the
top-k masses on either side of ``c`` along ``v``; ``g_plus/g_minus`` their P0-weighted mean
distances ``|x_t - x_c|``; ``alpha = 2 min(Q+, Q-)/(1 - P0)`` (the paper's alpha; the verified
parabolic form uses ``alpha/2``); ``sigma`` the std of ``g_t``; ``beta = min(G+, G-)/sigma``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from steerbound.theory import numerics as V
from steerbound.theory.numerics import compiled, lambdify_stable


def _helpfulness_common(r_e: Any, p0: Any, alpha: Any, lam: Any) -> tuple[Any, ...]:
    r = V.as_finite("r_e", r_e)
    p = V.probability("p0", p0)
    a = V.nonnegative("alpha", alpha)
    V.require(a <= 1, "alpha must be <= 1 (alpha = 2 min(Q+, Q-)/(1 - P0))")
    V.require((p > 0) | (a > 0), "p0 and alpha must not both be 0 (the bound is 0/0)")
    return r, p, a, V.nonnegative("lam", lam)


def theorem2_jensen_bound(
    r_e: Any, p0: Any, q_plus: Any, q_minus: Any, g_plus: Any, g_minus: Any, lam: Any
) -> Any:
    """Lemma 2a (always valid): ``P0 / (P0 + Q+ e^{lam r_e G+} + Q- e^{-lam r_e G-})``."""
    r = V.as_finite("r_e", r_e)
    p = V.probability("p0", p0)
    qp, qm = V.probability("q_plus", q_plus), V.probability("q_minus", q_minus)
    V.require(p + qp + qm <= 1 + 1e-9, "p0 + q_plus + q_minus must be <= 1")
    V.require(p + qp + qm > 0, "p0 + q_plus + q_minus must be > 0")
    gp, gm = V.nonnegative("g_plus", g_plus), V.nonnegative("g_minus", g_minus)
    la = V.nonnegative("lam", lam)
    out = compiled("theorem2_jensen")(r, p, qp, qm, gp, gm, la)
    return V.result(out, r, p, qp, qm, gp, gm, la)


def theorem2_parabolic_bound(
    r_e: Any,
    p0: Any,
    alpha: Any,
    lam: Any,
    sigma: Any,
    beta: Any,
    form: str = "verified",
) -> Any:
    """Theorem 2's parabolic form ``P0 / (P0 + c (1 - P0)(1 + (lam sigma beta r_e)^2 / 2))``.

    ``form="verified"`` (Lemma 2b, deterministic): ``c = alpha/2``.
    ``form="published"`` (T2-paper): ``c = alpha``; it fails in the window
    ``lam*sigma*beta*|r_e| < 1.319`` (docs/theorem_sheet.md).
    """
    V.form(form)
    r, p, a, la = _helpfulness_common(r_e, p0, alpha, lam)
    s, b = V.nonnegative("sigma", sigma), V.nonnegative("beta", beta)
    fn = compiled("theorem2_verified" if form == "verified" else "theorem2_published")
    return V.result(fn(r, p, a, la, s, b), r, p, a, la, s, b)


def theorem2_tilted_bound(
    r_e: Any, p0: Any, alpha: Any, lam: Any, g_plus: Any, g_minus: Any
) -> Any:
    """Lemma 2c: ``P0/(P0 + alpha(1-P0) e^{lam r_e (G+ - G-)/2} (1 + (lam Gbar r_e)^2/2))``."""
    r, p, a, la = _helpfulness_common(r_e, p0, alpha, lam)
    gp, gm = V.nonnegative("g_plus", g_plus), V.nonnegative("g_minus", g_minus)
    return V.result(compiled("theorem2_tilted")(r, p, a, la, gp, gm), r, p, a, la, gp, gm)


def expected_helpfulness_quadratic(
    r_e: Any, p0: Any, sum_sq_others: Any, lam: Any, sigma: Any
) -> Any:
    """Second-order expansion of ``E[H(r_e)]`` under i.i.d. projections (docs/theorem_sheet.md).

    ``P0 - (lam sigma r_e)^2 / 2 * P0 * (P0 (1 - P0) - sum_{t != c} P0(t)^2)``; an
    approximation valid for small ``r_e``, not a bound. ``sum_sq_others`` is
    ``sum_{t != c} P0(t)^2``.
    """
    r = V.as_finite("r_e", r_e)
    p = V.probability("p0", p0)
    s2 = V.probability("sum_sq_others", sum_sq_others)
    V.require(s2 <= (1 - p) ** 2 + 1e-12, "sum_sq_others must be <= (1 - p0)^2")
    la, s = V.nonnegative("lam", lam), V.nonnegative("sigma", sigma)
    return V.result(compiled("expected_helpfulness")(r, p, s2, la, s), r, p, s2, la, s)


def _k(value: Any, minimum: int) -> Any:
    return V.integer_at_least("k", value, minimum)


def assumption3_argmin_probability(k: Any) -> Any:
    """Assumption 3: ``P(c is the arg-min of the k projections) = 1/k`` (integer ``k >= 2``).

    The k projections on ``v`` are exchangeable with a continuous law, so each of the k
    tokens is the arg-min with the same probability (docs/theorem_sheet.md, Assumption 3).
    """
    kk = _k(k, 2)
    return V.result(compiled("assumption3_argmin")(kk), kk)


def assumption3_both_sides_probability(k: Any) -> Any:
    """Assumption 3: ``P(T+ and T- both non-empty) = 1 - 2/k`` (integer ``k >= 2``).

    ``T-`` is empty iff ``c`` is the arg-min and ``T+`` iff ``c`` is the arg-max; these
    disjoint events have probability ``1/k`` each.
    """
    kk = _k(k, 2)
    return V.result(compiled("assumption3_both_sides")(kk), kk)


def corollary3_probability(k: Any, length: Any) -> Any:
    """Corollary 3's union bound: ``max(0, 1 - 2*length/k)``, the probability that every one of
    ``length`` steps has both ``T+`` and ``T-`` non-empty (integer ``k >= 2``, integer
    ``length >= 1``). Vacuous (0) once ``length >= k/2``."""
    kk = _k(k, 2)
    n = V.integer_at_least("length", length, 1)
    return V.result(compiled("corollary3_probability")(kk, n), kk, n)


def corollary2_limit(k: Any) -> Any:
    """Corollary 2: ``limsup_{|r_e| -> inf} E_q[H_q(r_e)] <= 1/k`` (``k`` >= 1 answers)."""
    kk = _k(k, 1)
    return V.result(compiled("corollary2_limit")(kk), kk)


def corollary2_heuristic_curve(
    r_e: Any, p0: Any, alpha: Any, lam: Any, sigma: Any, beta: Any, k: Any
) -> Any:
    """The paper's fitted curve ``(1 - 2/k) * T2paper(r_e) + 1/k``.

    NOT a bound (docs/theorem_sheet.md): it replaces two sigmoid terms by the constant ``1/k``
    and can
    fall below the data at ``r_e = 0``. Provided to reproduce the paper's plots.
    """
    r, p, a, la = _helpfulness_common(r_e, p0, alpha, lam)
    s, b = V.nonnegative("sigma", sigma), V.nonnegative("beta", beta)
    kk = _k(k, 2)
    out = compiled("corollary2_heuristic")(r, p, a, la, s, b, kk)
    return V.result(out, r, p, a, la, s, b, kk)


@cache
def _corollary3_step() -> Any:
    """The per-step factor of Corollary 3's verified statement, lambdified (stable form)."""
    from steerbound.theory.results.multi_token import corollary3_expression

    bound = corollary3_expression()
    return lambdify_stable(bound.args, bound.stable)


def corollary3_bound(
    r_e: Any,
    p0_steps: Any,
    alpha_steps: Any,
    lam: Any,
    sigma_steps: Any,
    beta_steps: Any,
    form: str = "verified",
) -> Any:
    """Corollary 3 (multi-token helpfulness): product over steps of Theorem 2's parabola.

    ``P_r(y) <= prod_i P0_i / (P0_i + c_i (1 - P0_i)(1 + (lam sigma_i beta_i r_e)^2 / 2))``
    with ``c_i = alpha_i/2`` (verified, deterministic) or ``alpha_i`` (published). Per-step
    arrays run along the **last axis**; ``r_e`` and ``lam`` broadcast against the other axes
    (a scalar ``r_e`` with arrays of shape ``(n_steps,)`` gives a scalar).
    """
    V.form(form)
    p = np.atleast_1d(V.probability("p0_steps", p0_steps))
    a = np.atleast_1d(V.nonnegative("alpha_steps", alpha_steps))
    s = np.atleast_1d(V.nonnegative("sigma_steps", sigma_steps))
    b = np.atleast_1d(V.nonnegative("beta_steps", beta_steps))
    V.require(a <= 1, "alpha_steps must be <= 1")
    V.require((p > 0) | (a > 0), "p0_steps and alpha_steps must not both be 0")
    r = V.as_finite("r_e", r_e)[..., np.newaxis]
    la = V.nonnegative("lam", lam)[..., np.newaxis]
    fn = _corollary3_step() if form == "verified" else compiled("theorem2_published")
    steps = V.result(fn(r, p, a, la, s, b), r, p, a, la, s, b)
    return V.result(np.prod(steps, axis=-1), np.empty(np.shape(steps)[:-1]))
