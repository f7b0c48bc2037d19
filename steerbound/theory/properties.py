"""Symbolic property checks of the bound expressions (values, derivatives, limits, identities).

Every function takes the expression(s) to check as arguments, so a mistyped form can be fed in
and must fail (tests/theory/test_checks.py). Each returns ``[(check, status, detail), ...]``.
"""

from __future__ import annotations

import sympy as sp

from steerbound.theory import symbols as S
from steerbound.theory.proof.provers import Status, is_zero

Outcome = tuple[str, Status, str]
r = S.r_e


_PQ = sp.symbols("P Q E F", positive=True)
#: B_0 = (P - Q)/(P + Q) in (-1, 1) and eps = 2E/(E + F) in (0, 2): the range hypotheses
#: made visible to sympy's assumption system (so that logs may be expanded soundly).
DOMAIN = {S.B0: (_PQ[0] - _PQ[1]) / (_PQ[0] + _PQ[1]), S.target_eps: 2 * _PQ[2] / (_PQ[2] + _PQ[3])}


def _eq(check: str, got: sp.Expr, want: sp.Expr, domain: bool = False) -> Outcome:
    diff = got - want
    proof = is_zero(diff.subs(DOMAIN) if domain else diff)
    return check, proof.status, f"{got} vs expected {want}: {proof.detail}"


def _limit(check: str, expr: sp.Expr, point: sp.Expr, want: sp.Expr) -> Outcome:
    try:
        got = sp.limit(expr, r, point)
    except (NotImplementedError, ValueError) as exc:  # pragma: no cover - sympy gaps
        return check, "undecided", f"sympy limit failed: {exc}"
    return _eq(check, got, want)


def theorem1_properties(expr: sp.Expr) -> list[Outcome]:
    u = S.lam * S.Delta / 2
    p_a = (1 + S.B0) / 2
    two_cluster = (p_a * sp.exp(2 * u * r) - (1 - p_a)) / (p_a * sp.exp(2 * u * r) + (1 - p_a))
    return [
        _eq("value at r_e = 0 is B_0", expr.subs(r, 0), S.B0),
        _eq(
            "slope at 0 = (lam Delta/2)(1 - B_0^2)", sp.diff(expr, r).subs(r, 0), u * (1 - S.B0**2)
        ),
        _eq(
            "second derivative at 0",
            sp.diff(expr, r, 2).subs(r, 0),
            -2 * u**2 * S.B0 * (1 - S.B0**2),
        ),
        _limit("limit r_e -> +inf is 1", expr, sp.oo, sp.Integer(1)),
        _limit("limit r_e -> -inf is -1", expr, -sp.oo, sp.Integer(-1)),
        _eq("tight in the two-cluster geometry", expr, two_cluster),
    ]


def theorem1_mirror_properties(expr: sp.Expr) -> list[Outcome]:
    """The r_e <= 0 upper bound: equality at 0 and the limit -1 as r_e -> -inf."""
    return [
        _eq("value at r_e = 0 is B_0 (tight)", expr.subs(r, 0), S.B0),
        _limit("limit r_e -> -inf is -1", expr, -sp.oo, sp.Integer(-1)),
    ]


def parabola_mirror_properties(expr: sp.Expr, coef: sp.Expr) -> list[Outcome]:
    """The r_e < 0 case of a parabolic bound: even in r_e, the same value at 0, limit 0."""
    return [
        _eq("value at 0", expr.subs(r, 0), S.P0 / (S.P0 + coef * (1 - S.P0))),
        _eq("even in r_e (mirror of r_e >= 0)", expr.subs(r, -r), expr),
        _limit("limit r_e -> -inf is 0", expr.subs({S.sigma: 1, S.beta: 1, S.alpha: 1}), -sp.oo, 0),
    ]


def corollary1_properties(threshold: sp.Expr, t1: sp.Expr) -> list[Outcome]:
    simple = sp.log(2 * (1 - S.B0) / (S.target_eps * (1 + S.B0))) / (S.lam * S.Delta)
    return [
        _eq("inversion: Theorem 1 at r* equals 1 - eps", t1.subs(r, threshold), 1 - S.target_eps),
        _eq(
            "r* = ln((2-eps)(1-B_0)/(eps(1+B_0)))/(lam Delta)",
            threshold,
            sp.log((2 - S.target_eps) * (1 - S.B0) / (S.target_eps * (1 + S.B0)))
            / (S.lam * S.Delta),
            domain=True,
        ),
        _eq(
            "simpler sufficient threshold exceeds r* by ln(2/(2-eps))/(lam Delta)",
            simple - threshold,
            sp.log(2 / (2 - S.target_eps)) / (S.lam * S.Delta),
            domain=True,
        ),
    ]


def jensen_properties(expr: sp.Expr) -> list[Outcome]:
    return [
        _eq("value at 0 is P0/(P0 + Q)", expr.subs(r, 0), S.P0 / (S.P0 + S.Q_plus + S.Q_minus)),
        _eq(
            "tight at 0 when eps = 0 (Q = 1 - P0)",
            expr.subs(r, 0).subs(S.Q_minus, 1 - S.P0 - S.Q_plus),
            S.P0,
        ),
        _eq(
            "exact for k = 2 (one wrong token at g = G+)",
            expr.subs(S.Q_minus, 0),
            S.P0 / (S.P0 + S.Q_plus * sp.exp(S.lam * r * S.G_plus)),
        ),
        _limit(
            "limit r_e -> +inf is 0 (G+ > 0)",
            expr.subs({S.G_plus: 1, S.G_minus: 1, S.Q_plus: sp.Rational(1, 4)}),
            sp.oo,
            0,
        ),
    ]


def parabola_properties(expr: sp.Expr, coef: sp.Expr) -> list[Outcome]:
    return [
        _eq("value at 0", expr.subs(r, 0), S.P0 / (S.P0 + coef * (1 - S.P0))),
        _eq("slope at 0 is 0 (parabolic)", sp.diff(expr, r).subs(r, 0), sp.Integer(0)),
        _eq(
            "curvature at 0",
            sp.diff(expr, r, 2).subs(r, 0),
            -S.P0
            * coef
            * (1 - S.P0)
            * (S.lam * S.sigma * S.beta) ** 2
            / (S.P0 + coef * (1 - S.P0)) ** 2,
        ),
        _limit("limit r_e -> inf is 0", expr.subs({S.sigma: 1, S.beta: 1, S.alpha: 1}), sp.oo, 0),
    ]


def theorem3_properties(expr: sp.Expr, t1: sp.Expr) -> list[Outcome]:
    e0 = S.eps_mis
    r_star = sp.log(1 / e0) / (2 * S.lam * S.D)
    err = 4 * e0 / (1 + S.B0 - 2 * e0) * sp.exp(S.lam * S.D * r_star)
    return [
        _eq("eps_mis = 0 gives Theorem 1", expr.subs(e0, 0), t1),
        _eq(
            "error term at r_e = ln(1/eps)/(2 lam D) is 4 sqrt(eps)/(1 + B_0 - 2 eps)",
            err,
            4 * sp.sqrt(e0) / (1 + S.B0 - 2 * e0),
        ),
    ]


def theorem4_properties(first: sp.Expr) -> list[Outcome]:
    return [
        _eq(
            "first term at r_e = 0 is B_0 = p+ - p-",
            first.subs(r, 0).subs(S.p_zero, 1 - S.p_plus - S.p_minus),
            S.p_plus - S.p_minus,
        ),
        _limit("limit r_e -> inf is 1", first, sp.oo, sp.Integer(1)),
    ]


def theorem5_properties(expr: sp.Expr) -> list[Outcome]:
    return [
        _eq("value at 0 is b p - (1 - p)", expr.subs(r, 0), S.b_thr * S.p_ge - (1 - S.p_ge)),
        _limit("limit r_e -> inf is b", expr, sp.oo, S.b_thr),
    ]


def theorem6_properties(expr: sp.Expr, t1: sp.Expr) -> list[Outcome]:
    return [
        _eq("ell = 1 gives Theorem 1", expr.subs(S.ell, 1).subs(S.B_min, S.B0), t1),
        _limit("limit r_e -> inf is 1", expr, sp.oo, sp.Integer(1)),
    ]
