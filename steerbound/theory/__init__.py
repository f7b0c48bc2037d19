"""steerbound.theory: every result (docs/theorem_sheet.md) as sympy objects, checked, lambdified.

Numeric bounds (float64, numpy-broadcast, validated; lambdified lazily from the sympy
expressions in :mod:`steerbound.theory.expressions`) are importable from here. The symbolic
results live in :mod:`steerbound.theory.results`; :func:`check_all` runs every symbolic check
and :func:`format_check_table` renders its records. Conventions: docs/conventions.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from steerbound.theory.fitforms import (
    behavior_tanh_form,
    helpfulness_floor_form,
    helpfulness_parabolic_form,
)
from steerbound.theory.numeric_behavior import (
    corollary1_threshold,
    theorem1_bound,
    theorem3_bound,
    theorem4_bound,
    theorem5_bound,
    theorem6_bound,
)
from steerbound.theory.numeric_helpfulness import (
    assumption3_argmin_probability,
    assumption3_both_sides_probability,
    corollary2_heuristic_curve,
    corollary2_limit,
    corollary3_bound,
    corollary3_probability,
    expected_helpfulness_quadratic,
    theorem2_jensen_bound,
    theorem2_parabolic_bound,
    theorem2_tilted_bound,
)
from steerbound.theory.parameters import Theorem2Parameters, theorem2_parameters

if TYPE_CHECKING:
    from steerbound.theory.checks import CheckRecord

__all__ = [
    "CheckRecord",
    "Theorem2Parameters",
    "assumption3_argmin_probability",
    "assumption3_both_sides_probability",
    "behavior_tanh_form",
    "check_all",
    "corollary1_threshold",
    "corollary2_heuristic_curve",
    "corollary2_limit",
    "corollary3_bound",
    "corollary3_probability",
    "expected_helpfulness_quadratic",
    "format_check_table",
    "helpfulness_floor_form",
    "helpfulness_parabolic_form",
    "theorem1_bound",
    "theorem2_jensen_bound",
    "theorem2_parabolic_bound",
    "theorem2_parameters",
    "theorem2_tilted_bound",
    "theorem3_bound",
    "theorem4_bound",
    "theorem5_bound",
    "theorem6_bound",
]


def __getattr__(name: str) -> Any:
    # The symbolic checker is imported on demand: it is heavier than the numeric bounds.
    if name in {"check_all", "format_check_table", "CheckRecord"}:
        from steerbound.theory import checks

        return getattr(checks, name)
    raise AttributeError(f"module 'steerbound.theory' has no attribute {name!r}")
