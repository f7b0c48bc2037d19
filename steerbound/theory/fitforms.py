"""Fit forms: the theorems' expressions re-parametrised for least-squares fits.

Each form is obtained from a theorem expression by sympy substitution, and ``check_all``
proves that substituting the fit parameters back gives the theorem expression exactly:

* ``behavior_tanh_form(r_e, slope, offset) = tanh(slope*r_e + offset)``: Theorem 1 with
  ``slope = lam*Delta/2`` (NOT ``lam*Delta``: docs/theorem_sheet.md.3) and ``offset = artanh(B0)``.
* ``helpfulness_parabolic_form(r_e, a, b) = 1/(1 + a + a*b^2/2*r_e^2)``: Theorem 2's parabola
  divided through by ``P0``, with ``b = lam*sigma*beta`` and ``a = alpha*(1-P0)/P0`` for the
  published form, ``a = alpha_* (1-P0)/P0 = (alpha/2)(1-P0)/P0`` for the verified form.
* ``helpfulness_floor_form(r_e, a, b, k) = (1-2/k)/(1 + a + a*b^2/2*r_e^2) + 1/k``: the
  paper's heuristic curve of Corollary 2 (not a bound).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import sympy as sp

from steerbound.theory import expressions as E
from steerbound.theory import numerics as V
from steerbound.theory import symbols as S
from steerbound.theory.numerics import (
    BoundExpression,
    Log1pHalfSq,
    Prod0,
    expand_log0,
    lambdify_stable,
)


@dataclass(frozen=True)
class FitForm:
    """A fit form: its expression, the theorem it re-parametrises and the substitution."""

    name: str
    form: BoundExpression
    source: BoundExpression
    back_substitution: dict[sp.Symbol, sp.Expr]


@cache
def behavior_tanh() -> FitForm:
    src = E.theorem1()
    expr = src.expr.subs({S.lam: 2 * S.slope / S.Delta}).subs(sp.atanh(S.B0), S.offset)
    stable = sp.tanh(Prod0(S.slope, S.r_e) + S.offset)  # no overflow warning at huge r_e
    form = BoundExpression("behavior_tanh", (S.r_e, S.slope, S.offset), expr, stable)
    back = {S.slope: S.lam * S.Delta / 2, S.offset: sp.atanh(S.B0)}
    return FitForm("behavior_tanh_form", form, src, back)


def _helpfulness_form(src: BoundExpression) -> tuple[sp.Expr, sp.Expr]:
    # Divide numerator and denominator by P0, then name the two combinations.
    a_sub = {S.alpha: S.fit_a * S.P0 / (1 - S.P0)}
    b_sub = {S.lam: S.fit_b / (S.sigma * S.beta)}
    expr = sp.simplify(src.expr.subs(a_sub).subs(b_sub))
    stable = expand_log0(src.stable.subs(a_sub).subs(b_sub))
    # Log1pHalfSq(lam, sigma, beta, r_e) -> Log1pHalfSq(b, r_e): the factors of the product
    # (sigma and beta cancel), kept apart so that a huge product cannot overflow.
    stable = stable.replace(
        lambda e: isinstance(e, Log1pHalfSq), lambda e: Log1pHalfSq(*sp.Mul(*e.args).args)
    )
    return expr, stable


@cache
def helpfulness_parabolic() -> FitForm:
    src = E.theorem2_published()
    expr, stable = _helpfulness_form(src)
    form = BoundExpression("helpfulness_parabolic", (S.r_e, S.fit_a, S.fit_b), expr, stable)
    back = {S.fit_a: S.alpha * (1 - S.P0) / S.P0, S.fit_b: S.lam * S.sigma * S.beta}
    return FitForm("helpfulness_parabolic_form", form, src, back)


@cache
def helpfulness_floor() -> FitForm:
    src = E.corollary2_heuristic()
    expr, stable = _helpfulness_form(src)
    form = BoundExpression("helpfulness_floor", (S.r_e, S.fit_a, S.fit_b, S.k), expr, stable)
    back = {S.fit_a: S.alpha * (1 - S.P0) / S.P0, S.fit_b: S.lam * S.sigma * S.beta}
    return FitForm("helpfulness_floor_form", form, src, back)


@cache
def _compiled(name: str) -> Any:
    fit: FitForm = globals()[name]()
    return lambdify_stable(fit.form.args, fit.form.stable)


def behavior_tanh_form(r_e: Any, slope: Any, offset: Any) -> Any:
    """``tanh(slope*r_e + offset)`` (Theorem 1 with ``slope = lam*Delta/2``)."""
    r, s, o = V.as_finite("r_e", r_e), V.as_finite("slope", slope), V.as_finite("offset", offset)
    return V.result(_compiled("behavior_tanh")(r, s, o), r, s, o)


def helpfulness_parabolic_form(r_e: Any, a: Any, b: Any) -> Any:
    """``1/(1 + a + a*b^2/2*r_e^2)`` (Theorem 2 parabola over ``P0``); ``a >= 0``."""
    r, aa, bb = V.as_finite("r_e", r_e), V.nonnegative("a", a), V.as_finite("b", b)
    return V.result(_compiled("helpfulness_parabolic")(r, aa, bb), r, aa, bb)


def helpfulness_floor_form(r_e: Any, a: Any, b: Any, k: Any) -> Any:
    """``(1-2/k)/(1 + a + a*b^2/2*r_e^2) + 1/k`` (the paper's curve; not a bound); ``k >= 2``."""
    r, aa, bb = V.as_finite("r_e", r_e), V.nonnegative("a", a), V.as_finite("b", b)
    kk = V.as_finite("k", k)
    V.require(kk >= 2, "k must be >= 2")
    return V.result(_compiled("helpfulness_floor")(r, aa, bb, kk), r, aa, bb, kk)
