"""Counterexamples to the published forms (docs/theorem_sheet.md), evaluated exactly (Rationals).

Each function returns a :class:`Counterexample` with the exact value of the quantity, the
published bound, and whether the published inequality is violated (decided by sympy on exact
numbers). The verified form is evaluated on the same geometry and must hold there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import sympy as sp

from steerbound.theory import expressions as E
from steerbound.theory import symbols as S

R = sp.Rational


@dataclass(frozen=True)
class Counterexample:
    """``exact`` vs ``published`` bound; ``direction`` "upper" (exact <= bound claimed) or
    "lower" (exact >= bound claimed)."""

    name: str
    geometry: dict[str, str]
    exact: sp.Expr
    published: sp.Expr
    verified: sp.Expr
    direction: str
    extra: dict[str, str] = field(default_factory=dict)
    #: where the verified form is vacuous at the published counterexample, the exact value at
    #: the point where ``verified`` is evaluated instead
    verified_exact: sp.Expr | None = None

    def _violates(self, bound: sp.Expr) -> bool | None:
        gap = (self.exact - bound) if self.direction == "upper" else (bound - self.exact)
        # A closed-form real number: sympy decides its sign by evalf with precision tracking.
        sign = gap.is_positive
        return sign if sign is not None else sp.simplify(gap).is_positive

    @property
    def published_violated(self) -> bool | None:
        return self._violates(self.published)

    @property
    def verified_violated(self) -> bool | None:
        if self.verified_exact is None:
            return self._violates(self.verified)
        return Counterexample(
            self.name,
            self.geometry,
            self.verified_exact,
            self.published,
            self.verified,
            self.direction,
        )._violates(self.verified)

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "geometry": self.geometry,
            "exact": f"{sp.N(self.exact, 6)}",
            "published_bound": f"{sp.N(self.published, 6)}",
            "verified_bound": f"{sp.N(self.verified, 6)}",
            "claimed": "exact <= bound" if self.direction == "upper" else "exact >= bound",
            "violated": bool(self.published_violated),
            **self.extra,
        }


def _t2_geometry() -> tuple[dict[sp.Symbol, sp.Expr], sp.Expr]:
    """P0 = 1/2; wrong tokens of mass 1/4 at g = +1 and g = -3; eps = 0; lam r_e = 1/10."""
    p0, masses, g = R(1, 2), (R(1, 4), R(1, 4)), (1, -3)
    a = R(1, 10)
    exact = p0 / (p0 + sum(m * sp.exp(a * gi) for m, gi in zip(masses, g, strict=True)))
    qp, qm, gp, gm = R(1, 4), R(1, 4), sp.Integer(1), sp.Integer(3)
    mean = sum(g) / sp.Integer(2)
    sigma = sp.sqrt(sum((gi - mean) ** 2 for gi in g) / sp.Integer(2))  # population std = 2
    values = {
        S.r_e: a,
        S.lam: 1,
        S.P0: p0,
        S.alpha: 2 * sp.Min(qp, qm) / (1 - p0),
        S.sigma: sigma,
        S.beta: sp.Min(gp, gm) / sigma,
    }
    return values, exact


@cache
def theorem2_published() -> Counterexample:
    values, exact = _t2_geometry()
    flawed = sp.exp(R(1, 10)) + sp.exp(-R(3, 10)) - 2 * sp.cosh(R(1, 10))
    return Counterexample(
        "T2-paper",
        {
            "P0": "1/2",
            "wrong tokens": "mass 1/4 at g=+1, mass 1/4 at g=-3",
            "eps": "0",
            "lam*r_e": "1/10",
            "alpha": "1",
            "sigma*beta": "1",
        },
        exact,
        E.theorem2_published().expr.subs(values),
        E.theorem2_verified().expr.subs(values),
        "upper",
        {
            "flawed step": "e^{aG+} + e^{-aG-} >= 2 cosh(a min G): lhs - rhs = "
            f"{sp.N(flawed, 6)} < 0"
        },
    )


@cache
def corollary3_published() -> Counterexample:
    values, exact = _t2_geometry()
    return Counterexample(
        "Corollary 3 (2 steps)",
        {"steps": "2, each the T2-paper counterexample geometry"},
        exact**2,
        E.theorem2_published().expr.subs(values) ** 2,
        E.theorem2_verified().expr.subs(values) ** 2,
        "upper",
    )


@cache
def theorem4_published() -> Counterexample:
    """p+ = .2 at projection Delta, p- = .5 at 0, p0 = .3 at -10 Delta; x = lam Delta r_e = 1/2."""
    pp, pm, pz, x = R(1, 5), R(1, 2), R(3, 10), R(1, 2)
    ea, en = sp.exp(x), sp.exp(-10 * x)
    exact = (pp * ea - pm) / (pp * ea + pm + pz * en)
    vals = {S.p_plus: pp, S.p_minus: pm, S.p_zero: pz, S.lam: 1, S.Delta: 1, S.r_e: x}
    return Counterexample(
        "T4-closed",
        {"p+": "1/5 at Delta", "p-": "1/2 at 0", "p0": "3/10 at -10 Delta", "lam*Delta*r_e": "1/2"},
        exact,
        E.theorem4_published().expr.subs(vals),
        E.theorem4_verified().expr.subs(vals),
        "lower",
    )


@cache
def theorem6_published() -> Counterexample:
    """ell = 2: a1 (0.9, then aligned), a2 (0.05, then aligned w.p. 0.01), m (0.05); x = 2."""
    x = sp.Integer(2)
    p_a1, p_a2, p_m, p_tail = R(9, 10), R(1, 20), R(1, 20), R(1, 100)

    def exact_at(x: sp.Expr) -> sp.Expr:
        e = sp.exp(x)
        den = (p_a1 + p_a2) * e + p_m
        second = p_tail * e / (p_tail * e + (1 - p_tail))
        return 2 * ((p_a1 * e + p_a2 * e * second) / den) - 1

    exact = exact_at(x)
    # The verified (B_min) form is vacuous (-1) at x = 2; compare it where it is not: x = 8.
    x_v = sp.Integer(8)
    b0 = 2 * (p_a1 + p_a2 * p_tail) - 1
    b_min = 2 * p_tail - 1
    t6 = E.theorem6()
    vals = {S.lam: 1, S.Delta: 1, S.r_e: x, S.ell: 2}
    return Counterexample(
        "Theorem 6 with B_0",
        {
            "ell": "2",
            "first step": "a1 9/10, a2 1/20, m 1/20",
            "after a2": "aligned w.p. 1/100",
            "lam*Delta*r_e": "2",
            "B_0": str(b0),
            "B_min": str(b_min),
        },
        exact,
        t6.expr.subs(vals).subs(S.B_min, b0),
        t6.expr.subs({**vals, S.r_e: x_v}).subs(S.B_min, b_min),
        "lower",
        verified_exact=exact_at(x_v),
    )


@cache
def corollary2_published() -> Counterexample:
    """k = 4, eps = 0: P0 = 9/10, one wrong answer above (1/30), two below (1/30 each); r_e = 0."""
    p0 = R(9, 10)
    alpha = 2 * sp.Min(R(1, 30), R(2, 30)) / (1 - p0)
    vals = {S.r_e: 0, S.P0: p0, S.alpha: alpha, S.lam: 1, S.sigma: 1, S.beta: 1, S.k: 4}
    return Counterexample(
        "(1-2/k) T2paper + 1/k",
        {"k": "4", "P0": "9/10", "Q+": "1/30", "Q-": "1/15", "r_e": "0 (exact H = P0)"},
        p0,
        E.corollary2_heuristic().expr.subs(vals),
        # the valid pointwise statement E H <= E J (Jensen form), here at r_e = 0
        E.theorem2_jensen()
        .expr.subs({S.Q_plus: R(1, 30), S.Q_minus: R(2, 30)})
        .subs({S.r_e: 0, S.P0: p0, S.lam: 1}),
        "upper",
    )
