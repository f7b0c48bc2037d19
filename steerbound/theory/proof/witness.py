"""Exact sample points that respect the symbols' assumptions, used only to *refute* quickly.

A symbolic check proves ``e == 0`` or ``e >= 0`` *for every value allowed by the symbols'
assumptions* (``positive``, ``integer``, ...). If ``e`` evaluated at one such value is
provably non-zero (or negative), no amount of ``simplify`` can prove the claim, so the checker
skips the expensive simplification and reports the claim refuted at that point. A point never
*proves* anything: a claim only passes when sympy decides it symbolically.

Points are deterministic (symbols sorted by sympy's default sort key, fixed rationals), and
each value is checked against every assumption of its symbol (``value.is_<fact>`` must equal
the symbol's fact), so a refutation is a genuine counterexample in the symbols' domain.
Terms ``x[j]`` of an ``IndexedBase`` all get one value (a genuine instance: every term
equal), so sums of symbolic length evaluate too; an expression that keeps an undefined
function is not evaluated (:func:`evaluate` returns ``None``).
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

#: Evaluation precision (significant digits, evaluated strictly: all digits correct) and the
#: smallest magnitude that counts as non-zero (a tiny genuine non-zero merely gives up the
#: refutation, never unsound).
DIGITS = 30
TOLERANCE = sp.Float("1e-20")


def _candidates(k: int, shift: int) -> tuple[sp.Rational, ...]:
    """Values tried, in order, for the ``k``-th symbol of a point (``shift`` picks the point)."""
    q = sp.Rational(2 + k + 5 * shift, 7 + 3 * k + 2 * shift)  # distinct, generic, in (0, 1)
    n = sp.Integer(3 + k + 4 * shift)
    return (q, -q, n, -n, n + 1, -(n + 1), q + 1, -(q + 1), sp.Integer(0))


def _fits(sym: sp.Basic, value: sp.Rational) -> bool:
    facts = sym.assumptions0
    return all(getattr(value, f"is_{fact}", None) is want for fact, want in facts.items())


def _value(sym: sp.Basic, k: int, shift: int) -> sp.Rational | None:
    return next((v for v in _candidates(k, shift) if _fits(sym, v)), None)


#: Objects binding a variable other than finite sums (substituting a value would break them).
_BINDING = (sp.Derivative, sp.Subs, sp.Lambda, sp.Integral, sp.Limit, sp.Order)


def instance(expr: sp.Basic, shift: int = 0) -> tuple[dict[str, sp.Rational], sp.Basic] | None:
    """``(point, value)``: ``expr`` with every free symbol, and every term ``x[j]`` of every
    ``IndexedBase`` (one value per base: all terms equal, inside and outside sums), replaced
    by a value satisfying its assumptions; sums of symbolic length are then evaluated
    (``Sum(v, (i, 1, n)) = n v`` at the integer chosen for ``n``). ``None`` where a sum keeps
    an index-dependent summand (an undefined function), a sum's limits are not integers, a
    derivative, integral or other variable-binding object occurs, or no value fits."""
    if expr.has(*_BINDING) or any(
        not (lo.is_integer and hi.is_integer)
        for s in expr.atoms(sp.Sum, sp.Product)
        for _, lo, hi in s.limits
    ):
        return None
    point: dict[str, sp.Rational] = {}
    terms = sorted(expr.atoms(sp.Indexed), key=sp.default_sort_key)
    by_base: dict[sp.Basic, sp.Rational] = {}
    for term in terms:
        if term.base not in by_base:
            value = _value(term, 50 + len(by_base), shift)
            if value is None:
                return None
            by_base[term.base] = value
            point[f"{term.base}[*]"] = value
    out = expr.xreplace({t: by_base[t.base] for t in terms}) if terms else expr
    if out.has(sp.Sum, sp.Product):
        out = out.doit()
    if out.has(sp.Sum, sp.Product):
        return None
    symbols: dict[sp.Basic, sp.Rational] = {}
    for k, sym in enumerate(sorted(out.free_symbols, key=sp.default_sort_key)):
        value = _value(sym, k, shift) if isinstance(sym, sp.Symbol) else None
        if value is None:
            return None
        symbols[sym] = value
        point[str(sym)] = value
    return point, out.xreplace(symbols)


def point(expr: sp.Basic, shift: int = 0) -> dict[str, sp.Rational] | None:
    """The sample point of :func:`instance` (names to values), for messages."""
    found = instance(expr, shift)
    return None if found is None else found[0]


@lru_cache(maxsize=8192)
def evaluate(expr: sp.Expr, shift: int = 0) -> sp.Float | None:
    """``expr`` at :func:`instance` ``(expr, shift)`` as a real float of :data:`DIGITS`
    digits, or ``None`` where it is not a finite real number there (or cannot be evaluated)."""
    found = instance(expr, shift)
    if found is None:
        return None
    try:
        # strict: every returned digit is correct, and a value sympy cannot tell from zero
        # (an exact zero in disguise) raises PrecisionExhausted instead of returning noise.
        value = sp.N(found[1], DIGITS, strict=True)
    except (TypeError, ValueError, ArithmeticError, NotImplementedError):
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
