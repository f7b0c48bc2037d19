"""The bound expressions (docs/theorem_sheet.md) in sympy: the one source of truth of every formula.

Each :class:`BoundExpression` holds the expression exactly as the result states it
(``expr``, used in the statement, the proof checks and the theorem sheet) and an equivalent
numerically stable form (``stable``, built from :mod:`steerbound.theory.primitives`) that is
lambdified into the numeric bounds. ``check_all`` proves ``stable == expr`` symbolically for
every entry, so the numbers can never drift from the statements.

Behavior bounds additionally carry the trivial floor ``B >= -1`` of Definition 1 where the
stated expression can go below it (Theorems 3 and 6): ``clipped = Max(-1, expr)``.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from steerbound.theory import symbols as S
from steerbound.theory.numerics import (
    BoundExpression,
    Expit,
    ExpSat,
    Log0,
    Log1p,
    Log1pHalfSq,
    LogAddExp,
    LogScaled,
    Prod0,
)


def _x() -> sp.Expr:
    return S.lam * S.Delta * S.r_e


def _x_stable() -> sp.Expr:
    return Prod0(S.lam, S.Delta, S.r_e)


# ----------------------------------------------------------------------------- behavior
@cache
def theorem1() -> BoundExpression:
    e = sp.tanh(S.lam * S.Delta / 2 * S.r_e + sp.atanh(S.B0))
    stable = sp.tanh(_x_stable() / 2 + sp.atanh(S.B0))
    return BoundExpression("theorem1", (S.r_e, S.B0, S.lam, S.Delta), e, stable)


@cache
def corollary1() -> BoundExpression:
    """Threshold r*(eps) = 2/(lam Delta) (artanh(1 - eps) - artanh B0)."""
    e = 2 / (S.lam * S.Delta) * (sp.atanh(1 - S.target_eps) - sp.atanh(S.B0))
    # 2 artanh(1 - eps) = log((2 - eps)/eps) = log1p(2 (1 - eps)/eps): accurate near eps = 1
    stable = (Log1p(2 * (1 - S.target_eps) / S.target_eps) - 2 * sp.atanh(S.B0)) / (S.lam * S.Delta)
    return BoundExpression("corollary1", (S.target_eps, S.B0, S.lam, S.Delta), e, stable)


@cache
def theorem3() -> BoundExpression:
    e0 = S.eps_mis
    margin = 1 + S.B0 - 2 * e0
    e = sp.tanh(
        S.lam * S.Delta / 2 * S.r_e + sp.log(margin / (1 - S.B0)) / 2
    ) - 4 * e0 / margin * sp.exp(S.lam * S.D * S.r_e)
    stable = sp.Max(
        -1,
        sp.tanh(_x_stable() / 2 + (sp.log(margin) - sp.log(1 - S.B0)) / 2)
        - ExpSat(LogScaled(4 * e0, Prod0(S.lam, S.D, S.r_e)) - sp.log(margin)),
    )
    args = (S.r_e, S.B0, S.lam, S.Delta, S.eps_mis, S.D)
    return BoundExpression("theorem3", args, e, stable, floor=sp.Integer(-1))


def _t4_first_stable(one_minus_p_plus: sp.Expr) -> sp.Expr:
    """p+ e^x/(p+ e^x + R) - p-/(p+ e^x + R) with R = ``one_minus_p_plus``, via log-sum-exp."""
    x = _x_stable()
    big = LogAddExp(Log0(S.p_plus) + x, Log0(one_minus_p_plus))
    return Expit(Log0(S.p_plus) + x - Log0(one_minus_p_plus)) - ExpSat(Log0(S.p_minus) - big)


@cache
def theorem4_verified() -> BoundExpression:
    x = _x()
    first = (S.p_plus * sp.exp(x) - S.p_minus) / (S.p_plus * sp.exp(x) + S.p_minus + S.p_zero)
    second = sp.tanh(x / 2 + sp.log(S.p_plus / S.p_minus) / 2)
    e = sp.Min(first, second)
    stable = sp.Min(
        _t4_first_stable(S.p_minus + S.p_zero),
        sp.tanh(_x_stable() / 2 + (Log0(S.p_plus) - Log0(S.p_minus)) / 2),
    )
    args = (S.r_e, S.p_plus, S.p_minus, S.p_zero, S.lam, S.Delta)
    return BoundExpression("theorem4_verified", args, e, stable)


@cache
def theorem4_published() -> BoundExpression:
    x = _x()
    b0 = S.p_plus - S.p_minus
    e = (S.p_plus * (sp.exp(x) - 1) + b0) / (S.p_plus * (sp.exp(x) - 1) + 1)
    stable = _t4_first_stable(1 - S.p_plus)
    args = (S.r_e, S.p_plus, S.p_minus, S.p_zero, S.lam, S.Delta)
    return BoundExpression("theorem4_published", args, e, stable)


@cache
def theorem5() -> BoundExpression:
    x = _x()
    p, q, b = S.p_ge, 1 - S.p_ge, S.b_thr
    e = (b * p * sp.exp(x) - q) / (p * sp.exp(x) + q)
    stable = (1 + b) / 2 * sp.tanh((LogScaled(p, _x_stable()) - Log0(q)) / 2) - (1 - b) / 2
    return BoundExpression("theorem5", (S.r_e, S.p_ge, S.b_thr, S.lam, S.Delta), e, stable)


@cache
def theorem6() -> BoundExpression:
    u = S.lam * S.Delta / 2 * S.r_e + sp.atanh(S.B_min)
    e = 1 - S.ell * (1 - sp.tanh(u))
    stable = sp.Max(-1, 1 - 2 * S.ell * Expit(-_x_stable() - 2 * sp.atanh(S.B_min)))
    args = (S.r_e, S.B_min, S.ell, S.lam, S.Delta)
    return BoundExpression("theorem6", args, e, stable, floor=sp.Integer(-1))


# -------------------------------------------------------------------------- helpfulness
@cache
def theorem2_jensen() -> BoundExpression:
    a = S.lam * S.r_e
    e = S.P0 / (S.P0 + S.Q_plus * sp.exp(a * S.G_plus) + S.Q_minus * sp.exp(-a * S.G_minus))
    plus = LogScaled(S.Q_plus, Prod0(S.lam, S.r_e, S.G_plus))
    minus = LogScaled(S.Q_minus, -Prod0(S.lam, S.r_e, S.G_minus))
    stable = Expit(Log0(S.P0) - LogAddExp(plus, minus))
    args = (S.r_e, S.P0, S.Q_plus, S.Q_minus, S.G_plus, S.G_minus, S.lam)
    return BoundExpression("theorem2_jensen", args, e, stable)


def _parabolic(coef: sp.Expr, key: str) -> BoundExpression:
    y = S.lam * S.sigma * S.beta * S.r_e
    e = S.P0 / (S.P0 + coef * (1 - S.P0) * (1 + y**2 / 2))
    half_sq = Log1pHalfSq(S.lam, S.sigma, S.beta, S.r_e)
    stable = Expit(Log0(S.P0) - Log0(coef * (1 - S.P0)) - half_sq)
    return BoundExpression(key, (S.r_e, S.P0, S.alpha, S.lam, S.sigma, S.beta), e, stable)


@cache
def theorem2_verified() -> BoundExpression:
    """Lemma 2b: coefficient alpha_* = alpha/2."""
    return _parabolic(S.alpha / 2, "theorem2_verified")


@cache
def theorem2_published() -> BoundExpression:
    """(T2-paper): coefficient alpha."""
    return _parabolic(S.alpha, "theorem2_published")


@cache
def theorem2_tilted() -> BoundExpression:
    a = S.lam * S.r_e
    gbar = (S.G_plus + S.G_minus) / 2
    tilt = a * (S.G_plus - S.G_minus) / 2
    e = S.P0 / (S.P0 + S.alpha * (1 - S.P0) * sp.exp(tilt) * (1 + (a * gbar) ** 2 / 2))
    tilt_s = Prod0(S.lam, S.r_e, (S.G_plus - S.G_minus) / 2)
    half_sq = Log1pHalfSq(S.lam, S.r_e, gbar)
    stable = Expit(Log0(S.P0) - Log0(S.alpha * (1 - S.P0)) - tilt_s - half_sq)
    args = (S.r_e, S.P0, S.alpha, S.lam, S.G_plus, S.G_minus)
    return BoundExpression("theorem2_tilted", args, e, stable)


@cache
def expected_helpfulness() -> BoundExpression:
    c = S.P0 * (1 - S.P0) - S.sum_sq
    e = S.P0 - sp.Rational(1, 2) * (S.lam * S.sigma * S.r_e) ** 2 * S.P0 * c
    log_mag = (
        Log0(S.P0)
        + Log0(sp.Abs(c))
        + 2 * (Log0(S.lam) + Log0(S.sigma) + Log0(sp.Abs(S.r_e)))
        - sp.log(2)
    )
    stable = S.P0 - sp.sign(c) * ExpSat(log_mag)
    return BoundExpression(
        "expected_helpfulness", (S.r_e, S.P0, S.sum_sq, S.lam, S.sigma), e, stable
    )


@cache
def corollary2_limit() -> BoundExpression:
    e = 1 / S.k
    return BoundExpression("corollary2_limit", (S.k,), e, e)


@cache
def corollary2_heuristic() -> BoundExpression:
    pub = theorem2_published()
    e = (1 - 2 / S.k) * pub.expr + 1 / S.k
    stable = (1 - 2 / S.k) * pub.stable + 1 / S.k
    return BoundExpression("corollary2_heuristic", (*pub.args, S.k), e, stable)


# ------------------------------------------------------------------------- Assumption 3
@cache
def assumption3_argmin() -> BoundExpression:
    """P(c is the arg-min of k exchangeable continuous projections) = 1/k."""
    e = 1 / S.k
    return BoundExpression("assumption3_argmin", (S.k,), e, e)


@cache
def assumption3_both_sides() -> BoundExpression:
    """P(T+ and T- both non-empty) = 1 - P(c arg-min) - P(c arg-max) = 1 - 2/k."""
    e = 1 - 2 / S.k
    return BoundExpression("assumption3_both_sides", (S.k,), e, e)


@cache
def corollary3_probability() -> BoundExpression:
    """Union bound over ``ell`` steps: P(every step has T+ and T- non-empty) >= 1 - 2 ell/k,
    floored at 0 (a probability)."""
    e = 1 - 2 * S.ell / S.k
    return BoundExpression(
        "corollary3_probability", (S.k, S.ell), e, sp.Max(0, e), floor=sp.Integer(0)
    )


ALL_BOUNDS = (
    theorem1,
    corollary1,
    theorem3,
    theorem4_verified,
    theorem4_published,
    theorem5,
    theorem6,
    theorem2_jensen,
    theorem2_verified,
    theorem2_published,
    theorem2_tilted,
    expected_helpfulness,
    corollary2_limit,
    corollary2_heuristic,
    assumption3_argmin,
    assumption3_both_sides,
    corollary3_probability,
)


def corollary3_step_expr() -> sp.Expr:
    """The per-step factor of Corollary 3's verified statement (read from the statement)."""
    from steerbound.theory.results.multi_token import corollary3_expression

    return corollary3_expression().expr
