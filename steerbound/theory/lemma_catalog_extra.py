"""More named lemmas: the y0 window and inequality arithmetic."""

from __future__ import annotations

import math

import sympy as sp

from steerbound.theory.lemmas import (
    Lemma,
    LemmaProof,
    combine,
    nonneg_on_halfline,
    register,
)

y = sp.Symbol("y", real=True)


def y0_root() -> tuple[float, sp.Rational]:
    """``y0`` solving ``e^y = 2 + y^2`` (nsolve) and a rational upper bracket of it."""
    root = float(sp.nsolve(sp.exp(y) - 2 - y**2, y, 1.3, prec=30))
    return root, sp.Rational(math.ceil(root * 10**6), 10**6)


def _y0() -> LemmaProof:
    root, upper = y0_root()
    f = sp.exp(y) - 2 - y**2
    chain = nonneg_on_halfline(f, y, upper)
    below = sp.Rational(math.floor(root * 10**6), 10**6)
    sign_change = f.subs(y, below).is_negative
    return combine(
        chain,
        LemmaProof(
            "passed" if sign_change else "failed", f"y0 = {root:.6f}; f({below}) < 0 <= f({upper})"
        ),
    )


register(
    Lemma(
        "e^y >= 2(1 + y^2/2) for y >= y0",
        "y >= y0 ~ 1.319 (root of e^y = 2 + y^2) => e^y >= 2 + y^2",
        (y,),
        (sp.Ge(y, y0_root()[1]),),
        sp.Ge(sp.exp(y), 2 + y**2),
        _y0,
    )
)

_x1, _x2, _y1, _y2 = sp.symbols("x_1 x_2 y_1 y_2", real=True)
_c0 = sp.Symbol("c_0", nonnegative=True)


def _add() -> LemmaProof:
    s1, s2 = sp.symbols("s_1 s_2", nonnegative=True)
    e = (_y1 + s1 + _y2 + s2) - (_y1 + _y2)
    return LemmaProof(
        "passed" if sp.simplify(e).is_nonnegative else "undecided",
        f"x_i = y_i + s_i: difference {sp.simplify(e)} >= 0",
    )


register(
    Lemma(
        "add inequalities",
        "x1 >= y1, x2 >= y2 => x1 + x2 >= y1 + y2",
        (_x1, _x2, _y1, _y2),
        (sp.Ge(_x1, _y1), sp.Ge(_x2, _y2)),
        sp.Ge(_x1 + _x2, _y1 + _y2),
        _add,
    )
)


def _scale() -> LemmaProof:
    s = sp.Symbol("s", nonnegative=True)
    e = sp.expand(_c0 * (_y1 + s) - _c0 * _y1)
    return LemmaProof(
        "passed" if e.is_nonnegative else "undecided", f"x = y + s: c x - c y = {e} >= 0"
    )


register(
    Lemma(
        "multiply by c >= 0",
        "x >= y, c >= 0 => c x >= c y",
        (_x1, _y1, _c0),
        (sp.Ge(_x1, _y1),),
        sp.Ge(_c0 * _x1, _c0 * _y1),
        _scale,
    )
)
