"""Counterexamples to the failing published forms: the search problems and the search.

Problems. Small geometries for the counterexample search, one per failing published form.

Each problem maps an unconstrained parameter vector ``theta`` to a geometry that satisfies the
published statement's hypotheses *by construction* (probabilities via a softmax of logits
clipped to ``[-30, 30]``, margins via softplus offsets; ``lam = 1`` and ``Delta = 1`` without
loss of generality, since only ``lam * r_e`` and ``lam * Delta * r_e`` enter), and evaluates
``(exact, bound, violation)`` on an array of ``r_e`` (``r_e >= 0`` where the statement requires
it): exact from the simulator, bound from ``steerbound.theory``. ``violation = bound - exact`` for
lower bounds, ``exact - bound`` for upper bounds.

``reference`` is the theorem sheet's explicit counterexample for that form (evaluated the same
way), so "rediscovered" means the search found a violation at least as large.

Search. Counterexample search for the failing published forms (scipy Nelder-Mead, random starts).

For each :class:`SearchProblem` the violation
(published bound against the exact steered quantity) is maximised over geometries from
``starts`` random points ``theta ~ N(0, 2^2)`` (each the best of ``screen`` draws). For a
given geometry the violation is first maximised over a log-spaced ``r_e`` grid (both signs when
the statement covers ``r_e < 0``); at the end ``r_e`` is refined by a bounded scalar search.
The best geometry is reported exactly (vocabulary, probabilities, projections, ``r_e``; full
float64 precision) and re-evaluated at those numbers, next to the theorem sheet's own
counterexample.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize, minimize_scalar

from steerbound import theory
from steerbound.simulate.exact import (
    behavior_expectation,
    chain_log_helpfulness,
    helpfulness,
    tree_aligned_probability,
    tree_b0_bmin,
)
from steerbound.simulate.geometries.base import ChainGeometry, TreeGeometry, log_softmax

F64 = NDArray[np.float64]
Geometry = dict[str, Any]

__all__ = [
    "PROBLEMS",
    "Counterexample",
    "SearchProblem",
    "evaluate_reference",
    "search_all",
    "search_counterexample",
]


def _softplus(x: F64) -> F64:
    out: F64 = np.logaddexp(0.0, x)
    return out


@dataclass(frozen=True)
class SearchProblem:
    """A published form, a parametrisation of its hypotheses and an evaluator."""

    name: str
    result: str
    form: str
    dim: int
    decode: Callable[[F64], Geometry]
    evaluate: Callable[[Geometry, F64], tuple[F64, F64, F64]]  # (exact, bound, violation)
    two_sided: bool  # whether r_e < 0 is part of the statement
    reference: Geometry | None = None


# --- Theorem 2 (published parabola) and Corollary 2's heuristic curve: k answers, eps = 0 ---


def _topk_decode(k: int) -> Callable[[F64], Geometry]:
    def decode(t: F64) -> Geometry:
        p = np.exp(log_softmax(np.clip(t[:k], -30, 30)))
        return {
            "probs": p.tolist(),
            "proj": t[k : 2 * k].tolist(),
            "correct": 0,
            "k": k,
            "lam": 1.0,
        }

    return decode


def _topk_exact(g: Geometry, r: F64) -> tuple[theory.Theorem2Parameters, F64]:
    p, x = np.asarray(g["probs"]), np.asarray(g["proj"])
    params = theory.theorem2_parameters(p, x, g["correct"], g["k"])
    h = helpfulness(np.log(p)[None], x[None], [g["correct"]], g["lam"] * r)
    return params, h[0]


def _t2_evaluate(g: Geometry, r: F64) -> tuple[F64, F64, F64]:
    q, h = _topk_exact(g, r)
    b = theory.theorem2_parabolic_bound(
        r, q.p0, q.alpha, g["lam"], q.sigma, q.beta, form="published"
    )
    return h, b, h - b


def _c2_evaluate(g: Geometry, r: F64) -> tuple[F64, F64, F64]:
    q, h = _topk_exact(g, r)
    b = theory.corollary2_heuristic_curve(r, q.p0, q.alpha, g["lam"], q.sigma, q.beta, g["k"])
    return h, b, h - b


# --- Theorem 4 (published closed form): tokens (A, M, N), A at Delta = 1, M and N <= 0 ---


def _t4_decode(t: F64) -> Geometry:
    p = np.exp(log_softmax(np.clip(t[:3], -30, 30)))
    x = [1.0, float(-_softplus(t[3])), float(-_softplus(t[4]))]
    return {"probs": p.tolist(), "proj": x, "scores": [1.0, -1.0, 0.0], "lam": 1.0, "delta": 1.0}


def _t4_evaluate(g: Geometry, r: F64) -> tuple[F64, F64, F64]:
    p = np.asarray(g["probs"])
    exact = behavior_expectation(
        np.log(p)[None], np.asarray(g["proj"])[None], np.asarray(g["scores"])[None], g["lam"] * r
    )[0]
    b = theory.theorem4_bound(r, p[0], p[1], p[2], g["lam"], g["delta"], form="published")
    return exact, b, b - exact


# --- Theorem 6 (published, B0 in place of B_min): length 2, two aligned + one misaligned ---


def _t6_decode(t: F64) -> Geometry:
    logits = np.clip(t[:9], -30, 30).reshape(3, 3)
    probs = np.exp(log_softmax(logits))
    # Aligned tokens at Delta = 1 or above, the misaligned token of every node at 0.
    x = np.concatenate([1.0 + _softplus(t[9:15]).reshape(3, 2), np.zeros((3, 1))], axis=1)
    return {
        "probs_levels": [probs[:1].tolist(), probs[1:].tolist()],
        "proj_levels": [x[:1].tolist(), x[1:].tolist()],
        "n_aligned": 2,
        "lam": 1.0,
        "delta": 1.0,
    }


def _t6_evaluate(g: Geometry, r: F64) -> tuple[F64, F64, F64]:
    with np.errstate(divide="ignore"):
        lp = tuple(np.log(np.asarray(p))[None] for p in g["probs_levels"])
    tree = TreeGeometry(
        "answer_tree",
        "search",
        g["n_aligned"],
        lp,
        tuple(np.asarray(x)[None] for x in g["proj_levels"]),
        np.array([g["lam"]]),
        {"delta": np.array([g["delta"]])},
    )
    exact = 2 * tree_aligned_probability(tree, g["lam"] * np.atleast_1d(r))[0] - 1
    b0, _ = tree_b0_bmin(tree)
    b = theory.theorem6_bound(r, b0[0], tree.length, g["lam"], g["delta"])
    return exact, b, b - exact


# --- Corollary 3 (published product): two steps, k = 3 answers each, correct token 0 ---


def _c3_decode(t: F64) -> Geometry:
    p = np.exp(log_softmax(np.clip(t[:6], -30, 30).reshape(2, 3)))
    return {
        "probs_steps": p.tolist(),
        "proj_steps": t[6:12].reshape(2, 3).tolist(),
        "correct": [0, 0],
        "k": 3,
        "lam": 1.0,
    }


def _c3_evaluate(g: Geometry, r: F64) -> tuple[F64, F64, F64]:
    p, x = np.asarray(g["probs_steps"]), np.asarray(g["proj_steps"])
    chain = ChainGeometry(
        "answer_chain",
        "search",
        np.log(p)[None],
        x[None],
        np.asarray(g["correct"], dtype=np.intp)[None],
        np.array([g["lam"]]),
        g["k"],
    )
    exact = np.exp(chain_log_helpfulness(chain, g["lam"] * np.atleast_1d(r)))[0]
    q = [theory.theorem2_parameters(p[i], x[i], g["correct"][i], g["k"]) for i in range(2)]
    b = theory.corollary3_bound(
        r,
        [s.p0 for s in q],
        [s.alpha for s in q],
        g["lam"],
        [s.sigma for s in q],
        [s.beta for s in q],
        form="published",
    )
    return exact, b, exact - b


# the theorem sheet's counterexamples, each at its ``r_e``.
_T2_REFERENCE: Geometry = {
    "probs": [0.5, 0.25, 0.25],
    "proj": [0.0, 1.0, -3.0],
    "correct": 0,
    "k": 3,
    "lam": 1.0,
    "r_e": 0.1,
}
_T4_REFERENCE: Geometry = {
    "probs": [0.2, 0.5, 0.3],
    "proj": [1.0, 0.0, -1000.0],
    "scores": [1.0, -1.0, 0.0],
    "lam": 1.0,
    "delta": 1.0,
    "r_e": 0.5,
}
_T6_REFERENCE: Geometry = {
    "probs_levels": [[[0.9, 0.05, 0.05]], [[1.0, 0.0, 0.0], [0.01, 0.0, 0.99]]],
    "proj_levels": [[[1.0, 1.0, 0.0]], [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]],
    "n_aligned": 2,
    "lam": 1.0,
    "delta": 1.0,
    "r_e": 2.0,
}

PROBLEMS: tuple[SearchProblem, ...] = (
    SearchProblem(
        "theorem2_published",
        "Theorem 2",
        "published (T2-paper)",
        6,
        _topk_decode(3),
        _t2_evaluate,
        True,
        _T2_REFERENCE,
    ),
    SearchProblem(
        "theorem4_published",
        "Theorem 4",
        "published (closed form)",
        5,
        _t4_decode,
        _t4_evaluate,
        False,
        _T4_REFERENCE,
    ),
    SearchProblem(
        "theorem6_published",
        "Theorem 6",
        "published (B0 for B_min)",
        15,
        _t6_decode,
        _t6_evaluate,
        False,
        _T6_REFERENCE,
    ),
    SearchProblem(
        "corollary3_published",
        "Corollary 3",
        "published (product, alpha)",
        12,
        _c3_decode,
        _c3_evaluate,
        True,
    ),
    SearchProblem(
        "corollary2_heuristic",
        "Corollary 2",
        "heuristic curve",
        8,
        _topk_decode(4),
        _c2_evaluate,
        True,
    ),
)


_POSITIVE = np.logspace(-3, 2, 60)


def _grid(problem: SearchProblem) -> F64:
    return np.concatenate([-_POSITIVE[::-1], _POSITIVE]) if problem.two_sided else _POSITIVE


@dataclass
class Counterexample:
    """The largest violation found for one published form.

    ``violation > 0`` means the published statement is broken at ``geometry`` and ``r_e``
    (the hypotheses hold by construction). ``reference_*`` describe the theorem sheet's example and
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
    """``(exact, bound, violation)`` of the theorem sheet's counterexample, or ``None``."""
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
