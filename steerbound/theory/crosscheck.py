"""High-precision cross-checks of the numeric layer against the sympy statements.

Every float64 primitive of :mod:`steerbound.theory.primitives` is compared with an mpmath
evaluation (50 digits) of its exact definition, and every public numeric bound of
:mod:`steerbound.theory` with an mpmath evaluation of the expression its result *states*
(``BoundExpression.target``: the statement, not the stable form that was lambdified), at
fixed sample points that include large ``|r_e|``. A value differing by more than
``1e-12 + 1e-10 |exact|`` (or a NaN, or an infinity where the exact value is finite) fails.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from steerbound.theory import expressions as E
from steerbound.theory import fitforms as FF
from steerbound.theory import symbols as S
from steerbound.theory.numerics import NUMPY_IMPLEMENTATIONS, PRIMITIVES
from steerbound.theory.proof.provers import Status

DPS = 50
ABS_TOL, REL_TOL = 1e-12, 1e-10

Outcome = tuple[str, Status, str]


def _close(num: float, ref: mpmath.mpf) -> bool:
    if math.isnan(num):
        return False
    if mpmath.isinf(ref):
        return math.isinf(num) and (num > 0) == (ref > 0)
    ref_f = float(ref)
    if math.isinf(ref_f):  # beyond float64: the float must saturate the same way
        return math.isinf(num) and (num > 0) == (ref_f > 0)
    return abs(num - ref_f) <= ABS_TOL + REL_TOL * abs(ref_f)


def _mp(expr: sp.Expr, args: Sequence[sp.Symbol]) -> Callable[..., Any]:
    return sp.lambdify(list(args), expr, modules="mpmath")


#: Sample arguments of the primitives (large magnitudes included).
_PRIMITIVE_POINTS: dict[str, list[tuple[float, ...]]] = {
    "Log0": [(0.0,), (1e-300,), (0.25,), (1.0,), (7.5,), (1e300,)],
    "LogAddExp": [(-800.0, -799.0), (-3.0, 2.0), (0.0, 0.0), (700.0, -700.0), (900.0, 899.0)],
    "Expit": [(-800.0,), (-40.0,), (-2.5,), (-1e-9,), (0.0,), (1e-9,), (3.0,), (800.0,)],
    "Log1pHalfSq": [(0.0,), (1e-9,), (-0.7,), (3.0,), (-1e10,), (1e200,)],
    "ExpSat": [(-800.0,), (-1.5,), (0.0,), (2.0,), (709.0,), (800.0,)],
    "Log1p": [(-0.999,), (-1e-12,), (0.0,), (3e-9,), (2.0,), (1e300,)],
    "LogScaled": [(0.0, 1e308), (0.0, -5.0), (1e-300, 700.0), (0.5, -2.0), (3.0, 800.0)],
    "Prod0": [(0.0, 1e300, 1e300), (2.0, 3.0, 4.0), (-1e-5, 7.0, 0.5), (1e200, 1e200, 0.0)],
    "Maximum": [(-1.0, 2.0), (3.0, -4.0), (0.0, 0.0)],
    "Minimum": [(-1.0, 2.0), (3.0, -4.0), (0.0, 0.0)],
}


def primitive_outcomes() -> list[Outcome]:
    """Each primitive's numpy implementation against mpmath of its sympy definition."""
    out: list[Outcome] = []
    for cls in PRIMITIVES:
        name = cls.__name__
        n = len(_PRIMITIVE_POINTS[name][0])
        xs = sp.symbols(f"a0:{n}", real=True)
        exact = _mp(cls(*xs).definition(), xs)  # type: ignore[attr-defined]
        impl = NUMPY_IMPLEMENTATIONS[name]
        bad = []
        with mpmath.workdps(DPS):
            for point in _PRIMITIVE_POINTS[name]:
                num = float(impl(*(np.float64(p) for p in point)))
                try:
                    ref = exact(*(mpmath.mpf(p) for p in point))
                except (ValueError, ZeroDivisionError):
                    ref = mpmath.mpf("-inf") if name == "Log0" else mpmath.nan
                if not _close(num, ref):
                    bad.append(f"{name}{point} = {num!r}, exact {mpmath.nstr(ref, 17)}")
        status: Status = "failed" if bad else "passed"
        detail = "; ".join(bad) or f"{len(_PRIMITIVE_POINTS[name])} points agree with mpmath"
        out.append((f"{name} == mpmath of its definition", status, detail))
    return out


@dataclass(frozen=True)
class NumericCase:
    """A public numeric function, the bound whose statement it evaluates, and sample points
    (argument values in the order of ``bound.args``; ``call`` maps them to the function)."""

    bound: E.BoundExpression
    call: Callable[..., Any]
    points: tuple[tuple[float, ...], ...]


R_LARGE = (-1e308, -1e4, -35.0, -2.0, -0.1, 0.0, 0.3, 1.7, 40.0, 1e4, 1e308)
R_NONNEG = (0.0, 0.3, 1.7, 40.0, 1e4, 1e308)


def _grid(rs: Sequence[float], *rest: Sequence[float]) -> tuple[tuple[float, ...], ...]:
    """``r_e`` values crossed with a few parameter tuples (zipped, not a full product)."""
    return tuple((r, *params) for r in rs for params in zip(*rest, strict=True))


def _with_form(fn: Callable[..., Any], form: str) -> Callable[..., Any]:
    def call(*args: float) -> Any:
        return fn(*args, form=form)

    return call


def numeric_cases() -> list[NumericCase]:
    from steerbound import theory as T

    return [
        NumericCase(
            E.theorem1(),
            T.theorem1_bound,
            _grid(R_LARGE, (-0.9, 0.2, 0.95), (0.5, 1.0, 2.0), (0.3, 1.0, 0.7)),
        ),
        NumericCase(
            E.corollary1(),
            T.corollary1_threshold,
            ((1e-6, -0.5, 1.0, 1.0), (0.3, 0.2, 0.5, 2.0), (0.999, -0.999, 1.0, 0.1)),
        ),
        NumericCase(
            E.theorem3(),
            T.theorem3_bound,
            _grid(R_NONNEG, (-0.5, 0.3), (1.0, 0.8), (1.0, 2.0), (0.01, 0.1), (0.5, -1.0)),
        ),
        NumericCase(
            E.theorem4_verified(),
            _with_form(T.theorem4_bound, "verified"),
            _grid(R_NONNEG, (0.2, 0.5), (0.5, 0.3), (0.3, 0.2), (1.0, 0.7), (1.0, 1.3)),
        ),
        NumericCase(
            E.theorem4_published(),
            _with_form(T.theorem4_bound, "published"),
            _grid(R_NONNEG, (0.6, 0.5), (0.1, 0.3), (0.3, 0.2), (1.0, 0.7), (1.0, 1.3)),
        ),
        NumericCase(
            E.theorem5(),
            T.theorem5_bound,
            _grid(R_NONNEG, (0.3, 0.8), (0.5, -0.5), (1.0, 2.0), (1.0, 0.4)),
        ),
        NumericCase(
            E.theorem6(),
            T.theorem6_bound,
            _grid(R_NONNEG, (-0.5, 0.9), (1.0, 3.0), (1.0, 0.5), (1.0, 2.0)),
        ),
        NumericCase(
            E.theorem2_jensen(),
            T.theorem2_jensen_bound,
            _grid(R_LARGE, (0.5, 0.1), (0.25, 0.6), (0.2, 0.0), (1.0, 0.5), (3.0, 0.0), (1.0, 2.0)),
        ),
        NumericCase(
            E.theorem2_verified(),
            _with_form(T.theorem2_parabolic_bound, "verified"),
            _grid(
                R_LARGE,
                (0.5, 0.01, 0.3),
                (0.4, 1.0, 0.0),
                (1.0, 2.0, 1e10),
                (1.0, 0.5, 2.0),
                (0.8, 1.5, 0.0),
            ),
        ),
        NumericCase(
            E.theorem2_published(),
            _with_form(T.theorem2_parabolic_bound, "published"),
            _grid(R_LARGE, (0.5, 0.01), (0.4, 1.0), (1.0, 2.0), (1.0, 0.5), (0.8, 1.5)),
        ),
        NumericCase(
            E.theorem2_tilted(),
            T.theorem2_tilted_bound,
            _grid(R_LARGE, (0.5, 0.2), (0.4, 0.9), (1.0, 2.0), (1.0, 0.1), (2.0, 0.7)),
        ),
        NumericCase(
            E.expected_helpfulness(),
            T.expected_helpfulness_quadratic,
            _grid((-3.0, -0.1, 0.0, 0.2, 5.0), (0.6, 0.1), (0.1, 0.5), (1.0, 2.0), (1.0, 0.5)),
        ),
        NumericCase(E.corollary2_limit(), T.corollary2_limit, ((1.0,), (4.0,), (400.0,))),
        NumericCase(
            E.corollary2_heuristic(),
            T.corollary2_heuristic_curve,
            _grid(R_LARGE, (0.5, 0.9), (0.6, 1.0), (1.0, 2.0), (1.0, 0.5), (0.8, 1.2), (4, 10)),
        ),
        NumericCase(E.assumption3_argmin(), T.assumption3_argmin_probability, ((2.0,), (7.0,))),
        NumericCase(
            E.assumption3_both_sides(), T.assumption3_both_sides_probability, ((2.0,), (9.0,))
        ),
        NumericCase(
            E.corollary3_probability(),
            T.corollary3_probability,
            ((10.0, 1.0), (10.0, 4.0), (4.0, 3.0)),
        ),
        *(
            NumericCase(fit.form, fn, pts)
            for fit, fn, pts in (
                (FF.behavior_tanh(), T.behavior_tanh_form, _grid(R_LARGE, (0.5, -2.0), (0.1, 3))),
                (
                    FF.helpfulness_parabolic(),
                    T.helpfulness_parabolic_form,
                    _grid(R_LARGE, (0.5, 3.0), (1.0, 0.2)),
                ),
                (
                    FF.helpfulness_floor(),
                    T.helpfulness_floor_form,
                    _grid(R_LARGE, (0.5, 3.0), (1.0, 0.2), (4, 10)),
                ),
            )
        ),
    ]


def bound_outcome(case: NumericCase) -> Outcome:
    b = case.bound
    exact = _mp(b.target, b.args)
    bad = []
    with mpmath.workdps(DPS):
        for point in case.points:
            num = float(case.call(*point))
            ref = exact(*(mpmath.mpf(p) for p in point))
            if not _close(num, ref):
                bad.append(f"{point}: {num!r} vs exact {mpmath.nstr(ref, 17)}")
    status: Status = "failed" if bad else "passed"
    detail = "; ".join(bad[:3]) or f"{len(case.points)} points agree with mpmath"
    return f"numeric {b.key} == mpmath of the statement", status, detail


def corollary3_outcome(statement: sp.Rel) -> Outcome:
    """``corollary3_bound`` against mpmath of Corollary 3's statement (a product over the
    steps, evaluated for 3 steps)."""
    from steerbound import theory as T

    rhs = statement.rhs
    (_, _, length) = rhs.limits[0]
    steps = 3
    prod = rhs.subs(length, steps).doit()
    bases = {s.name: s for s in prod.atoms(sp.IndexedBase)}
    per_step = {
        "P_0": (0.3, 0.6, 0.9),
        "alpha": (0.4, 1.0, 0.1),
        "sigma": (1.0, 0.5, 2.0),
        "beta": (0.7, 0.3, 1.1),
    }
    bad = []
    with mpmath.workdps(DPS):
        for r in R_LARGE:
            for lam in (0.5, 2.0):
                subs: dict[sp.Basic, Any] = {S.r_e: sp.Float(r, DPS), S.lam: sp.Float(lam, DPS)}
                for name, vals in per_step.items():
                    for j, v in enumerate(vals, start=1):
                        subs[bases[name][j]] = sp.Float(v, DPS)
                ref = mpmath.mpf(str(sp.N(prod.xreplace(subs), DPS)))
                num = float(
                    T.corollary3_bound(
                        r,
                        per_step["P_0"],
                        per_step["alpha"],
                        lam,
                        per_step["sigma"],
                        per_step["beta"],
                    )
                )
                if not _close(num, ref):
                    bad.append(f"r_e={r}, lam={lam}: {num!r} vs exact {mpmath.nstr(ref, 17)}")
    status: Status = "failed" if bad else "passed"
    detail = "; ".join(bad[:3]) or f"{2 * len(R_LARGE)} points agree with mpmath"
    return "numeric corollary3_bound == mpmath of the statement", status, detail
