"""More named lemmas: the y0 window and inequality arithmetic (a tuple, no side effects)."""

from __future__ import annotations

import math
from functools import cache

import sympy as sp

from steerbound.theory.proof.provers import (
    Lemma,
    LemmaProof,
    Prover,
    by_halfline,
    by_slack,
    combine,
)

y = sp.Symbol("y", real=True)


@cache
def y0_root() -> tuple[float, sp.Rational]:
    """``y0`` solving ``e^y = 2 + y^2`` (nsolve) and a rational upper bracket of it."""
    root = float(sp.nsolve(sp.exp(y) - 2 - y**2, y, 1.3, prec=30))
    return root, sp.Rational(math.ceil(root * 10**6), 10**6)


def _y0_method() -> Prover:
    chain = by_halfline(y)

    def method(lem: Lemma) -> LemmaProof:
        root, _ = y0_root()
        f = sp.exp(y) - 2 - y**2
        below = sp.Rational(math.floor(root * 10**6), 10**6)
        sign_change = bool(f.subs(y, below).is_negative)
        return combine(
            chain(lem),
            LemmaProof(
                "passed" if sign_change else "failed",
                f"y0 = {root:.6f}; f({below}) < 0 (the window is not empty)",
            ),
        )

    return method


_x1, _x2, _x3, _y1, _y2, _y3 = sp.symbols("x_1 x_2 x_3 y_1 y_2 y_3", real=True)
_c0 = sp.Symbol("c_0", nonnegative=True)
_w1, _w2, _w3 = sp.symbols("w_1 w_2 w_3", nonnegative=True)
_cp = sp.Symbol("c_p", positive=True)
_a1, _a2 = sp.symbols("a_1 a_2", nonnegative=True)
_b1, _b2 = sp.symbols("b_1 b_2", real=True)
_n = sp.Symbol("n", integer=True, positive=True)
_i = sp.Symbol("i", integer=True, positive=True)
_f = sp.Function("f", nonnegative=True)
_g = sp.Function("g", real=True)

#: The induction step of the product lemma: 0 <= a_1 <= b_1, 0 <= a_2 <= b_2 => a_1 a_2 <= b_1 b_2.
_TWO_FACTORS = Lemma(
    "two-factor product",
    "0 <= a1 <= b1, 0 <= a2 <= b2 => a1 a2 <= b1 b2",
    (_a1, _a2, _b1, _b2),
    (sp.Le(_a1, _b1), sp.Le(_a2, _b2)),
    sp.Le(_a1 * _a2, _b1 * _b2),
    by_slack(_b1, _b2),
)
_PRODUCT = sp.Le(sp.Product(_f(_i), (_i, 1, _n)), sp.Product(_g(_i), (_i, 1, _n)))


def _product_method(lem: Lemma) -> LemmaProof:
    """Induction on n: n = 1 is the premise; the step multiplies the partial products
    (nonnegative, f >= 0) by the next factors with the two-factor lemma."""
    if lem.premises != (sp.Le(_f(_i), _g(_i)),) or lem.conclusion != _PRODUCT:
        return LemmaProof("failed", "the induction proves 0 <= f(i) <= g(i) => prod f <= prod g")
    step = _TWO_FACTORS.prove()
    return LemmaProof(step.status, f"induction on n; step: two-factor product ({step.detail})")


LEMMAS: tuple[Lemma, ...] = (
    Lemma(
        "e^y >= 2(1 + y^2/2) for y >= y0",
        "y >= y0 ~ 1.319 (root of e^y = 2 + y^2) => e^y >= 2 + y^2",
        (y,),
        (sp.Ge(y, y0_root()[1]),),
        sp.Ge(sp.exp(y), 2 + y**2),
        _y0_method(),
    ),
    Lemma(
        "add inequalities",
        "x1 >= y1, x2 >= y2 => x1 + x2 >= y1 + y2",
        (_x1, _x2, _y1, _y2),
        (sp.Ge(_x1, _y1), sp.Ge(_x2, _y2)),
        sp.Ge(_x1 + _x2, _y1 + _y2),
        by_slack(_x1, _x2),
    ),
    Lemma(
        "multiply by c >= 0",
        "x >= y, c >= 0 => c x >= c y",
        (_x1, _y1, _c0),
        (sp.Ge(_x1, _y1),),
        sp.Ge(_c0 * _x1, _c0 * _y1),
        by_slack(_x1),
    ),
    Lemma(
        "equal to the same",
        "x = y, x = z => y = z",
        (_x1, _y1, _y2),
        (sp.Eq(_x1, _y1), sp.Eq(_x1, _y2)),
        sp.Eq(_y1, _y2),
        by_slack(_y1, _y2),
    ),
    Lemma(
        "divide by c > 0",
        "c x = y, c > 0 => x = y/c",
        (_x1, _y1, _cp),
        (sp.Eq(_cp * _x1, _y1),),
        sp.Eq(_x1, _y1 / _cp),
        by_slack(_y1),
    ),
    Lemma(
        "weighted sum (3 terms)",
        "x_j <= y_j, w_j >= 0 => sum w_j x_j <= sum w_j y_j",
        (_x1, _x2, _x3, _y1, _y2, _y3, _w1, _w2, _w3),
        (sp.Le(_x1, _y1), sp.Le(_x2, _y2), sp.Le(_x3, _y3)),
        sp.Le(_w1 * _x1 + _w2 * _x2 + _w3 * _x3, _w1 * _y1 + _w2 * _y2 + _w3 * _y3),
        by_slack(_y1, _y2, _y3),
    ),
    _TWO_FACTORS,
    Lemma(
        "finite product monotone",
        "0 <= f(i) <= g(i) for i = 1..n => prod f(i) <= prod g(i)",
        (_n, _f, _g),
        (sp.Le(_f(_i), _g(_i)),),
        _PRODUCT,
        _product_method,
    ),
)
