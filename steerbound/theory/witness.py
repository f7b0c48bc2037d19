"""Exact sample points that respect the symbols' assumptions, used only to *refute* quickly.

A symbolic check proves ``e == 0`` or ``e >= 0`` *for every value allowed by the symbols'
assumptions* (``positive``, ``integer``, ...). If ``e`` evaluated at one such value is
provably non-zero (or negative), no amount of ``simplify`` can prove the claim, so the checker
skips the expensive simplification and reports the claim refuted at that point. A point never
*proves* anything: a claim only passes when sympy decides it symbolically.

Points are deterministic (symbols sorted by sympy's default sort key, fixed rationals), and
each value is checked against every assumption of its symbol (``value.is_<fact>`` must equal
the symbol's fact), so a refutation is a genuine counterexample in the symbols' domain.
Expressions with free objects that are not symbols (``Indexed`` terms, undefined functions,
sums of symbolic length) are not evaluated: :func:`evaluate` returns ``None`` for them.
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

#: Evaluation precision (significant digits) and the smallest magnitude that counts as
#: non-zero: values at the sample points are of order one, so a genuine zero evaluates far
#: below this and a tiny genuine non-zero merely gives up the refutation (never unsound).
DIGITS = 30
TOLERANCE = sp.Float("1e-20")


def _candidates(k: int, shift: int) -> tuple[sp.Rational, ...]:
    """Values tried, in order, for the ``k``-th symbol of a point (``shift`` picks the point)."""
    q = sp.Rational(2 + k + 5 * shift, 7 + 3 * k + 2 * shift)  # distinct, generic, in (0, 1)
    n = sp.Integer(3 + k + 4 * shift)
    return (q, -q, n, -n, n + 1, -(n + 1), q + 1, -(q + 1), sp.Integer(0))


def _fits(sym: sp.Basic, value: sp.Rational) -> bool:
    facts = sym.assumptions0
    return all(getattr(value, f"is_{fact}") is want for fact, want in facts.items())


def point(expr: sp.Basic, shift: int = 0) -> dict[sp.Basic, sp.Rational] | None:
    """A sample point for every free symbol (and free term ``x[i]``, which stands for any one
    term) of ``expr`` satisfying its assumptions, or ``None``: ``expr`` has a sum, integral or
    product (their bound terms are not single values), or no candidate value fits a symbol.
    Substitute it with ``xreplace`` (top-down: ``x[i]`` is replaced before its label)."""
    if expr.has(sp.Sum, sp.Product, sp.Integral):
        return None
    out: dict[sp.Basic, sp.Rational] = {}
    for k, sym in enumerate(sorted(expr.free_symbols, key=sp.default_sort_key)):
        if not isinstance(sym, (sp.Symbol, sp.Indexed)):
            return None
        value = next((v for v in _candidates(k, shift) if _fits(sym, v)), None)
        if value is None:
            return None
        out[sym] = value
    return out


@lru_cache(maxsize=8192)
def evaluate(expr: sp.Expr, shift: int = 0) -> sp.Float | None:
    """``expr`` at :func:`point` ``(expr, shift)`` as a real float of :data:`DIGITS` digits,
    or ``None`` where it is not a finite real number there (or cannot be evaluated)."""
    at = point(expr, shift)
    if at is None:
        return None
    try:
        value = sp.N(expr.xreplace(at), DIGITS)
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):  # pragma: no cover
        return None
    return value if isinstance(value, sp.Float) and value.is_finite else None


def nonzero_at_a_point(expr: sp.Expr) -> bool:
    """``expr`` is provably non-zero at an allowed point (so ``expr == 0`` is not an identity)."""
    value = evaluate(expr)
    return value is not None and abs(value) > TOLERANCE


def negative_at_a_point(expr: sp.Expr) -> bool:
    """``expr < 0`` at an allowed point (so ``expr >= 0`` does not hold for all values)."""
    value = evaluate(expr)
    return value is not None and value < -TOLERANCE


def not_a_positive_constant(expr: sp.Expr) -> bool:
    """``expr`` takes a non-positive value or two different values at allowed points (so it
    is not a positive constant)."""
    v0 = evaluate(expr, 0)
    if v0 is None:
        return False
    if v0 < -TOLERANCE:
        return True
    v1 = evaluate(expr, 1)
    return v1 is not None and abs(v1 - v0) > TOLERANCE * (1 + abs(v0))
