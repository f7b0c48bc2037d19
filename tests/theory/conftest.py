"""Shared helpers for the theory tests."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import mpmath
import sympy as sp


@lru_cache(maxsize=256)
def _mp_function(expr: sp.Expr, symbols: tuple[sp.Symbol, ...]) -> Any:
    return sp.lambdify(list(symbols), expr, modules="mpmath")


def evalf_at(expr: sp.Expr, values: dict[sp.Symbol, float], digits: int = 40) -> float:
    """Evaluate ``expr`` at float inputs (taken exactly) with ``digits`` significant digits
    (mpmath, lambdified once per expression: fast also while hypothesis shrinks)."""
    symbols = tuple(sorted(values, key=str))
    fn = _mp_function(expr, symbols)
    with mpmath.workdps(digits + 10):
        return float(fn(*(mpmath.mpf(values[s]) for s in symbols)))
