"""Monte-Carlo harness: compare exact steered quantities with bounds and summarise.

Violation convention (always "how far the claim is broken", positive = broken):

* lower bound (``side = +1``): ``bound - exact``; upper bound (``side = -1``): ``exact - bound``;
* two-sided / tightness (``side = 0``): ``|bound - exact|``.

A grid point is violated when its violation exceeds ``tol`` (default ``1e-10``); a case
(geometry) is violated when any of its grid points is. The *gap at* ``r_e = 0`` is the slack
``|bound - exact|`` at the grid points where ``r_e == 0`` (mean and max over cases).

Statements "with probability ``p``" are summarised by the empirical frequency with a 95%
Wilson interval; the pass/fail decision uses a 99.9% Wilson interval, so a true statement is
rejected by chance in about 1 of 2000 checks (a fixed seed makes every run reproducible).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from steerbound.stats import wilson_interval

F64 = NDArray[np.float64]

__all__ = [
    "DECISION_Z",
    "TOLERANCE",
    "BoundTally",
    "CheckResult",
    "violation",
    "wilson_interval",
]

TOLERANCE = 1e-10
REPORT_Z = 1.959963984540054  # 95% two-sided
DECISION_Z = 3.290526731491926  # 99.9% two-sided


def violation(exact: F64, bound: F64, side: F64 | float) -> F64:
    """Elementwise violation (see the module docstring); ``side`` broadcasts."""
    s = np.broadcast_to(np.asarray(side, dtype=np.float64), np.broadcast(exact, bound).shape)
    diff = bound - exact
    out: F64 = np.where(s > 0, diff, np.where(s < 0, -diff, np.abs(diff)))
    return out


@dataclass
class BoundTally:
    """Accumulates violation statistics over batches of cases (geometries)."""

    tol: float = TOLERANCE
    n_cases: int = 0
    n_violated_cases: int = 0
    n_points: int = 0
    n_violated_points: int = 0
    max_violation: float = -np.inf
    gap_sum: float = 0.0
    gap_count: int = 0
    gap_max: float = 0.0
    witness: dict[str, Any] | None = None
    case_held: list[bool] = field(default_factory=list)

    def add(
        self,
        exact: F64,
        bound: F64,
        r_e: F64,
        side: F64 | float,
        describe: Any = None,
    ) -> NDArray[np.bool_]:
        """Add ``N`` cases evaluated on a grid (``exact``/``bound`` of shape ``(N, R)``).

        ``r_e`` broadcasts to ``(N, R)``; ``describe(i, j)`` returns a dict describing case
        ``i`` at grid point ``j`` (stored for the worst violation). Returns the per-case
        "held" flags.
        """
        exact = np.atleast_2d(exact)
        bound = np.broadcast_to(bound, exact.shape)
        r = np.broadcast_to(r_e, exact.shape)
        if not (np.all(np.isfinite(exact))):
            raise FloatingPointError("exact quantities contain NaN or inf")
        if np.any(np.isnan(bound)):
            raise FloatingPointError("bound values contain NaN")
        v = violation(exact, bound, side)
        bad = v > self.tol
        held: NDArray[np.bool_] = np.asarray(~bad.any(axis=1), dtype=bool)
        self.n_cases += exact.shape[0]
        self.n_violated_cases += int((~held).sum())
        self.n_points += exact.size
        self.n_violated_points += int(bad.sum())
        self.case_held.extend(bool(h) for h in held)
        at_zero = r == 0
        if at_zero.any():
            gaps = np.where(at_zero, np.abs(bound - exact), -np.inf).max(axis=1)
            gaps = gaps[np.isfinite(gaps)]
            self.gap_sum += float(gaps.sum())
            self.gap_count += gaps.size
            self.gap_max = max(self.gap_max, float(gaps.max(initial=0.0)))
        if v.size:
            i, j = np.unravel_index(int(np.argmax(v)), v.shape)
            if v[i, j] > self.max_violation:
                self.max_violation = float(v[i, j])
                self.witness = {
                    "r_e": float(r[i, j]),
                    "exact": float(exact[i, j]),
                    "bound": float(bound[i, j]),
                    "violation": float(v[i, j]),
                    **(describe(int(i), int(j)) if describe is not None else {}),
                }
        return held

    @property
    def held(self) -> bool:
        return self.n_violated_cases == 0

    @property
    def gap_at_zero_mean(self) -> float | None:
        return self.gap_sum / self.gap_count if self.gap_count else None


@dataclass
class CheckResult:
    """One bound (or statement) checked on one sampler variant.

    ``expectation`` is ``"hold"`` for verified forms on valid geometries and ``"fail"`` for
    broken variants, failing published forms and heuristics; ``passed`` says whether the
    outcome matched it. ``held`` is the outcome itself (no violation above ``tol``, or the
    claimed probability inside the decision interval).
    """

    check_id: str
    result: str
    form: str
    sampler: str
    variant: str
    expectation: str
    kind: str
    held: bool
    n_cases: int = 0
    n_violated_cases: int = 0
    n_grid_points: int = 0
    n_violated_points: int = 0
    max_violation: float | None = None
    gap_at_zero_mean: float | None = None
    gap_at_zero_max: float | None = None
    claimed_p: float | None = None
    empirical_p: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    witness: dict[str, Any] | None = None
    note: str = ""
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.held == (self.expectation == "hold")

    @property
    def counts_as_verified(self) -> bool:
        """True for the checks whose failure means a verified statement was broken."""
        return self.expectation == "hold"

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["passed"] = self.passed
        return out

    @classmethod
    def from_tally(
        cls, tally: BoundTally, *, held: bool | None = None, **fields: Any
    ) -> CheckResult:
        """Build a result from a :class:`BoundTally` plus identifying ``fields``."""
        return cls(
            held=tally.held if held is None else held,
            n_cases=tally.n_cases,
            n_violated_cases=tally.n_violated_cases,
            n_grid_points=tally.n_points,
            n_violated_points=tally.n_violated_points,
            max_violation=None if tally.n_points == 0 else tally.max_violation,
            gap_at_zero_mean=tally.gap_at_zero_mean,
            gap_at_zero_max=tally.gap_max if tally.gap_count else None,
            witness=tally.witness,
            **fields,
        )


def probability_fields(successes: int, n: int, claimed: float, relation: str) -> dict[str, Any]:
    """Empirical probability, 95% Wilson CI and the decision for ``P >= claimed`` (``">="``),
    ``P <= claimed`` (``"<="``) or ``P == claimed`` (``"=="``)."""
    lo, hi = wilson_interval(successes, n)
    dlo, dhi = wilson_interval(successes, n, DECISION_Z)
    if relation == ">=":
        held = dhi >= claimed
    elif relation == "<=":
        held = dlo <= claimed
    elif relation == "==":
        held = dlo <= claimed <= dhi
    else:
        raise ValueError(f"relation must be '>=', '<=' or '==', got {relation!r}")
    return {
        "claimed_p": float(claimed),
        "empirical_p": successes / n,
        "ci_low": lo,
        "ci_high": hi,
        "held": bool(held),
    }
