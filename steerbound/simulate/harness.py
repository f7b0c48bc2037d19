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

A *suite* (:mod:`steerbound.simulate.suites`) samples one family of geometries (valid and
broken variants), computes the exact steered quantities once and evaluates every bound of
``steerbound.theory`` that applies to them, returning one :class:`CheckResult` per (bound,
variant). This module also holds what suites share: :class:`SimulationConfig`,
:class:`SuiteContext`, the ``r_e`` grids and the witness descriptions.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from steerbound.simulate.exact import DEFAULT_MEMORY_BUDGET_MB
from steerbound.simulate.geometries.base import TokenGeometry
from steerbound.stats import wilson_interval

F64 = NDArray[np.float64]

__all__ = [
    "DECISION_Z",
    "TOLERANCE",
    "BoundTally",
    "CheckResult",
    "SimulationConfig",
    "Suite",
    "SuiteContext",
    "describe_token_case",
    "positive_grid",
    "probability_fields",
    "symmetric_grid",
    "tally_result",
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


#: Largest vocabulary whose probabilities and projections are written out in a witness.
WITNESS_VOCAB = 8


@dataclass(frozen=True)
class SimulationConfig:
    """Sizes of a simulation run (``quick`` selects the small preset).

    Attributes:
        quick: small preset (< 60 s on 2 cores) instead of the default (< 10 min).
        n: geometries per (bound, variant) check before per-suite multipliers.
        n_probability: cases for statements made "with probability p" (cheap, small vocab).
        seed: master seed; every suite derives its own stream from it and its name.
        vocab_sizes: vocabulary sizes the single-token samplers spread their cases over.
        matrix_shapes: ``(V, d)`` pairs realised from sampled unembedding matrices.
        grid_points: points of the positive ``r_e`` grid (log-spaced on ``[1e-3, 1e3]``) besides
            ``0`` and ``1e6`` (the latter checks numerics at huge ``|r_e|``).
        memory_budget_mb: memory for the exact-softmax temporaries.
        counterexample_starts: random starts per published form in the counterexample search.
    """

    quick: bool = False
    n: int = 400
    n_probability: int = 4000
    seed: int = 0
    vocab_sizes: tuple[int, ...] = (2, 3, 5, 16, 128, 1024, 8192, 32000)
    matrix_shapes: tuple[tuple[int, int], ...] = ((64, 8), (1000, 128), (8000, 1024), (32000, 5120))
    grid_points: int = 48
    memory_budget_mb: float = DEFAULT_MEMORY_BUDGET_MB
    counterexample_starts: int = 24

    @classmethod
    def preset(
        cls,
        *,
        quick: bool,
        n: int | None = None,
        seed: int = 0,
        memory_budget_mb: float = DEFAULT_MEMORY_BUDGET_MB,
        counterexample_starts: int | None = None,
    ) -> SimulationConfig:
        """The quick or default preset, with ``n`` overriding the geometries per check and
        ``counterexample_starts`` the random starts per counterexample search."""
        if n is not None and n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        if counterexample_starts is not None and counterexample_starts < 1:
            raise ValueError(f"counterexample_starts must be >= 1, got {counterexample_starts}")
        if memory_budget_mb <= 0:
            raise ValueError(f"memory_budget_mb must be positive, got {memory_budget_mb}")
        if quick:
            return cls(
                quick=True,
                n=40 if n is None else n,
                n_probability=2000,
                seed=seed,
                vocab_sizes=(2, 3, 8, 64, 1024, 32000),
                matrix_shapes=((64, 8), (2000, 512)),
                grid_points=32,
                memory_budget_mb=memory_budget_mb,
                counterexample_starts=3 if counterexample_starts is None else counterexample_starts,
            )
        return cls(
            quick=False,
            n=400 if n is None else n,
            seed=seed,
            memory_budget_mb=memory_budget_mb,
            counterexample_starts=24 if counterexample_starts is None else counterexample_starts,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SuiteContext:
    """What a suite receives: the config and its own random stream."""

    config: SimulationConfig
    name: str
    rng: np.random.Generator = field(init=False)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng([self.config.seed, zlib.crc32(self.name.encode())])

    @property
    def budget(self) -> float:
        return self.config.memory_budget_mb

    def stream(self, tag: str) -> np.random.Generator:
        """An independent random stream ``tag`` of this suite (leaves :attr:`rng` untouched, so
        adding checks on a new stream does not change the numbers of the existing ones)."""
        return np.random.default_rng([self.config.seed, zlib.crc32(f"{self.name}/{tag}".encode())])

    def base_config(self, **extra: Any) -> dict[str, Any]:
        """The config entry stored with every result of this suite."""
        return {
            "suite": self.name,
            "seed": self.config.seed,
            "n": self.config.n,
            "grid_points": self.config.grid_points,
            "tolerance": TOLERANCE,
            **extra,
        }


Suite = Callable[[SuiteContext], list[CheckResult]]


def tally_result(tally: BoundTally, ctx: SuiteContext, **fields: Any) -> CheckResult:
    """The :class:`CheckResult` of ``tally``: ``kind`` defaults to ``"bound"`` and ``config``
    (extra entries) is merged into :meth:`SuiteContext.base_config`."""
    fields.setdefault("kind", "bound")
    fields["config"] = ctx.base_config(**fields.pop("config", {}))
    return CheckResult.from_tally(tally, **fields)


def positive_grid(config: SimulationConfig) -> F64:
    """``r_e`` grid ``[0, logspace(-3, 3, grid_points), 1e6]``."""
    out: F64 = np.concatenate([[0.0], np.logspace(-3, 3, config.grid_points), [1e6]])
    return out


def symmetric_grid(config: SimulationConfig) -> F64:
    """The positive grid mirrored to ``r_e <= 0`` (``0`` once), sorted."""
    pos = positive_grid(config)
    out: F64 = np.concatenate([-pos[:0:-1], pos])
    return out


def describe_token_case(
    g: TokenGeometry, extra: dict[str, F64] | None = None
) -> Callable[[int, int], dict[str, Any]]:
    """Witness description of case ``i`` of a token geometry batch (exact numbers)."""

    def describe(i: int, j: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            "family": g.family,
            "variant": g.variant,
            "vocab": g.vocab,
            "source": g.source,
            "lam": float(g.lam[i]),
            **{k: float(v[i]) for k, v in g.claims.items()},
            **{k: float(v[i]) for k, v in (extra or {}).items()},
        }
        if g.vocab <= WITNESS_VOCAB:
            out["p0"] = [float(p) for p in np.exp(g.log_p0[i])]
            out["proj"] = [float(x) for x in g.proj[i]]
            if g.scores is not None:
                out["scores"] = [float(s) for s in g.scores[i]]
            if g.correct is not None:
                out["correct"] = int(g.correct[i])
        return out

    return describe
