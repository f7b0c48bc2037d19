"""Shared machinery of the check suites: configuration, context, grids, case descriptions.

A *suite* samples one family of geometries (valid and broken variants), computes the exact
steered quantities once and evaluates every bound of ``steerbound.theory`` that applies to
them, returning one :class:`~steerbound.simulate.harness.CheckResult` per (bound, variant).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from steerbound.simulate.geometries.base import TokenGeometry
from steerbound.simulate.harness import BoundTally, CheckResult
from steerbound.simulate.tilting import DEFAULT_MEMORY_BUDGET_MB

F64 = NDArray[np.float64]

__all__ = [
    "SimulationConfig",
    "Suite",
    "SuiteContext",
    "describe_token_case",
    "positive_grid",
    "symmetric_grid",
]

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
    ) -> SimulationConfig:
        """The quick or default preset, with ``n`` overriding the geometries per check."""
        if n is not None and n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
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
                counterexample_starts=3,
            )
        return cls(
            quick=False, n=400 if n is None else n, seed=seed, memory_budget_mb=memory_budget_mb
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

    def base_config(self, **extra: Any) -> dict[str, Any]:
        """The config entry stored with every result of this suite."""
        return {
            "suite": self.name,
            "seed": self.config.seed,
            "n": self.config.n,
            "grid_points": self.config.grid_points,
            "tolerance": 1e-10,
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
