"""Lazy lambdification of the stable forms in :mod:`steerbound.theory.expressions`.

Each numeric bound is compiled on first use (a few milliseconds) and cached, so importing
``steerbound.theory`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from steerbound.theory import expressions
from steerbound.theory.expressions import BoundExpression
from steerbound.theory.primitives import lambdify_stable


@cache
def compiled(key: str) -> Callable[..., Any]:
    """The float64 numpy function of the stable form of bound ``key``."""
    bound: BoundExpression = getattr(expressions, key)()
    return lambdify_stable(bound.args, bound.stable)
