"""Shared helpers for the theory tests."""

from __future__ import annotations

import sympy as sp


def evalf_at(expr: sp.Expr, values: dict[sp.Symbol, float], digits: int = 40) -> float:
    """Evaluate ``expr`` at float inputs (taken exactly) with ``digits`` significant digits."""
    subs = {s: sp.Float(v, digits + 10) for s, v in values.items()}
    return float(sp.N(expr.subs(subs), digits))
