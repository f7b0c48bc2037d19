"""steerbound.simulate: synthetic geometries, exact steered softmax, Monte-Carlo bound checks.

* :mod:`~steerbound.simulate.tilting` and :mod:`~steerbound.simulate.multitoken_exact`: the
  exact steered quantities (Lemma 0, float64, log-sum-exp, chunked by a memory budget).
* :mod:`~steerbound.simulate.geometries`: seeded samplers imposing or breaking each result's
  hypotheses.
* :mod:`~steerbound.simulate.harness`, ``checks_*``: the bound x sampler checks.
* :mod:`~steerbound.simulate.counterexamples`: optimiser search for the failing published forms.
* :func:`run_simulation`: all of it (behind ``steerbound simulate``).

Every bound value comes from :mod:`steerbound.theory`.
"""

from steerbound.simulate.counterexamples import Counterexample, search_all, search_counterexample
from steerbound.simulate.harness import BoundTally, CheckResult, wilson_interval
from steerbound.simulate.multitoken_exact import (
    chain_log_helpfulness,
    tree_aligned_probability,
    tree_b0_bmin,
)
from steerbound.simulate.runner import SUITES, SimulationReport, run_simulation
from steerbound.simulate.suite_base import SimulationConfig
from steerbound.simulate.tilting import (
    DEFAULT_MEMORY_BUDGET_MB,
    behavior_expectation,
    helpfulness,
    log_helpfulness,
    steered_log_probs,
    tilted_log_normaliser,
    tilted_moments,
)

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
