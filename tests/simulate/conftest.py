"""Shared helpers of the simulate tests: a small configuration and the run's verdict on the
checks of one suite (``verdict`` returns the failing check ids, empty when the run would pass)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from steerbound.simulate import SUITES, SimulationConfig, SimulationReport

SMALL = SimulationConfig(
    n=24,
    n_probability=1500,
    vocab_sizes=(2, 3, 8, 64),
    matrix_shapes=((64, 8),),
    grid_points=24,
    counterexample_starts=1,
)

Verdict = Callable[[str], set[str]]


def suite_failures(name: str, config: SimulationConfig = SMALL) -> set[str]:
    """Run suite ``name`` and return the check ids the run's verdict rejects."""
    from steerbound.simulate.harness import SuiteContext

    suite = dict(SUITES)[name]
    report = SimulationReport(config, suite(SuiteContext(config, name)), [])
    assert report.passed == (not report.failures)
    return {check for check, _ in report.failures}


@pytest.fixture
def verdict() -> Verdict:
    """``verdict(suite_name)``: the failing check ids of that suite under the current patches."""
    return suite_failures
