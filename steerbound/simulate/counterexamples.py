"""Counterexample search for the failing published forms (scipy Nelder-Mead, random starts).

For each :class:`~steerbound.simulate.counterexample_problems.SearchProblem` the violation
(published bound against the exact steered quantity) is maximised over geometries from
``starts`` random points ``theta ~ N(0, 2^2)`` (each the best of ``screen`` draws). For a
given geometry the violation is first maximised over a log-spaced ``r_e`` grid (both signs when
the statement covers ``r_e < 0``); at the end ``r_e`` is refined by a bounded scalar search.
The best geometry is reported exactly (vocabulary, probabilities, projections, ``r_e``; full
float64 precision) and re-evaluated at those numbers, next to THEORY.md's own counterexample.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize, minimize_scalar

from steerbound.simulate.counterexample_problems import PROBLEMS, SearchProblem

F64 = NDArray[np.float64]

__all__ = ["Counterexample", "evaluate_reference", "search_all", "search_counterexample"]

_POSITIVE = np.logspace(-3, 2, 60)


def _grid(problem: SearchProblem) -> F64:
    return np.concatenate([-_POSITIVE[::-1], _POSITIVE]) if problem.two_sided else _POSITIVE


@dataclass
class Counterexample:
    """The largest violation found for one published form.

    ``violation > 0`` means the published statement is broken at ``geometry`` and ``r_e``
    (the hypotheses hold by construction). ``reference_*`` describe THEORY.md's example and
    ``rediscovered`` says the search matched or exceeded its violation.
    """

    name: str
    result: str
    form: str
    geometry: dict[str, Any]
    r_e: float
    exact: float
    bound: float
    violation: float
    starts: int
    starts_violating: int
    evaluations: int
    reference_geometry: dict[str, Any] | None = None
    reference_exact: float | None = None
    reference_bound: float | None = None
    reference_violation: float | None = None

    @property
    def found(self) -> bool:
        return self.violation > 1e-10

    @property
    def rediscovered(self) -> bool | None:
        if self.reference_violation is None:
            return None
        return self.violation >= self.reference_violation - 1e-12

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["found"] = self.found
        out["rediscovered"] = self.rediscovered
        return out


def _at(problem: SearchProblem, geometry: dict[str, Any], r_e: float) -> tuple[float, float, float]:
    exact, bound, violation = problem.evaluate(geometry, np.array([r_e]))
    return float(np.ravel(exact)[0]), float(np.ravel(bound)[0]), float(np.ravel(violation)[0])


def evaluate_reference(problem: SearchProblem) -> tuple[float, float, float] | None:
    """``(exact, bound, violation)`` of THEORY.md's counterexample, or ``None``."""
    if problem.reference is None:
        return None
    return _at(problem, problem.reference, problem.reference["r_e"])


def _objective(problem: SearchProblem, counter: list[int]) -> Any:
    grid = _grid(problem)

    def f(theta: F64) -> float:
        counter[0] += 1
        try:
            _, _, v = problem.evaluate(problem.decode(theta), grid)
        except (ValueError, FloatingPointError):
            return 1e3  # outside the statement's domain (e.g. a degenerate geometry)
        best = float(np.max(v))
        return -best if np.isfinite(best) else 1e3

    return f


def _refine_r(problem: SearchProblem, geometry: dict[str, Any]) -> float:
    grid = _grid(problem)
    _, _, v = problem.evaluate(geometry, grid)
    j = int(np.argmax(v))
    lo, hi = grid[max(j - 1, 0)], grid[min(j + 1, grid.size - 1)]
    res = minimize_scalar(
        lambda r: -_at(problem, geometry, float(r))[2],
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-12},
    )
    return float(res.x) if -res.fun >= v[j] else float(grid[j])


def search_counterexample(
    problem: SearchProblem,
    rng: np.random.Generator,
    *,
    starts: int = 8,
    max_evaluations: int | None = None,
    screen: int = 60,
) -> Counterexample:
    """Maximise ``problem``'s violation from ``starts`` random points (Nelder-Mead).

    Each start is the best of ``screen`` random draws; each local search stops after
    ``max_evaluations`` (default ``max(600, 100 * dim)``) evaluations.
    """
    if starts < 1 or screen < 1:
        raise ValueError(f"starts and screen must be >= 1, got starts={starts}, screen={screen}")
    maxfev = max(600, 100 * problem.dim) if max_evaluations is None else max_evaluations
    counter = [0]
    objective = _objective(problem, counter)
    best_theta, best_value, violating = None, np.inf, 0
    for _ in range(starts):
        draws = rng.normal(0.0, 2.0, size=(screen, problem.dim))
        theta0 = draws[int(np.argmin([objective(d) for d in draws]))]
        res = minimize(
            objective,
            theta0,
            method="Nelder-Mead",
            options={"maxfev": maxfev, "xatol": 1e-10, "fatol": 1e-14, "adaptive": True},
        )
        violating += int(res.fun < -1e-10)
        if res.fun < best_value:
            best_theta, best_value = np.asarray(res.x), float(res.fun)
    assert best_theta is not None
    geometry = problem.decode(best_theta)
    r_e = _refine_r(problem, geometry)
    geometry["r_e"] = r_e
    exact, bound, violation = _at(problem, geometry, r_e)
    ref = evaluate_reference(problem)
    return Counterexample(
        name=problem.name,
        result=problem.result,
        form=problem.form,
        geometry=geometry,
        r_e=r_e,
        exact=exact,
        bound=bound,
        violation=violation,
        starts=starts,
        starts_violating=violating,
        evaluations=counter[0],
        reference_geometry=problem.reference,
        reference_exact=None if ref is None else ref[0],
        reference_bound=None if ref is None else ref[1],
        reference_violation=None if ref is None else ref[2],
    )


def search_all(
    seed: int, *, starts: int = 8, max_evaluations: int | None = None, progress: Any = None
) -> list[Counterexample]:
    """Run :func:`search_counterexample` for every published form (seeded, reproducible)."""
    out = []
    for i, problem in enumerate(PROBLEMS):
        rng = np.random.default_rng([seed, 7919, i])
        out.append(
            search_counterexample(problem, rng, starts=starts, max_evaluations=max_evaluations)
        )
        if progress is not None:
            progress()
    return out
