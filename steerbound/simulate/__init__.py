"""steerbound.simulate: synthetic geometries, exact steered softmax, Monte-Carlo bound checks.

* :mod:`~steerbound.simulate.exact`: the exact steered quantities (Lemma 0, float64,
  log-sum-exp, chunked by a memory budget), single- and multi-token.
* :mod:`~steerbound.simulate.geometries`: seeded samplers imposing or breaking each result's
  hypotheses.
* :mod:`~steerbound.simulate.harness`: tallies, results, configuration, grids.
* :mod:`~steerbound.simulate.suites`: the bound x sampler checks, one module per result family.
* :mod:`~steerbound.simulate.counterexamples`: optimiser search for the failing published forms.
* :mod:`~steerbound.simulate.curves`: the data behind the figures (drawn by ``steerbound.report``).
* :func:`run_simulation`: all checks and the search (behind ``steerbound simulate``).

Every bound value comes from :mod:`steerbound.theory`.
"""

from steerbound.simulate.counterexamples import Counterexample, search_all, search_counterexample
from steerbound.simulate.exact import (
    DEFAULT_MEMORY_BUDGET_MB,
    behavior_expectation,
    chain_log_helpfulness,
    helpfulness,
    log_helpfulness,
    steered_log_probs,
    tilted_log_normaliser,
    tilted_moments,
    tree_aligned_probability,
    tree_b0_bmin,
)
from steerbound.simulate.harness import BoundTally, CheckResult, SimulationConfig, wilson_interval
from steerbound.simulate.runner import SimulationReport, run_simulation
from steerbound.simulate.suites import SUITES

__all__ = [
    "DEFAULT_MEMORY_BUDGET_MB",
    "SUITES",
    "BoundTally",
    "CheckResult",
    "Counterexample",
    "SimulationConfig",
    "SimulationReport",
    "behavior_expectation",
    "chain_log_helpfulness",
    "helpfulness",
    "log_helpfulness",
    "run_simulation",
    "search_all",
    "search_counterexample",
    "steered_log_probs",
    "tilted_log_normaliser",
    "tilted_moments",
    "tree_aligned_probability",
    "tree_b0_bmin",
    "wilson_interval",
]
