"""The check suites, one module per result family (named as ``steerbound.theory.results``).

:data:`SUITES` lists ``(name, suite)`` in run order; a suite's name also seeds its random
stream (:class:`~steerbound.simulate.harness.SuiteContext`).
"""

from __future__ import annotations

from steerbound.simulate.harness import Suite
from steerbound.simulate.suites.behavior import suite_corollary1, suite_theorem1
from steerbound.simulate.suites.helpfulness import (
    suite_nontrivial_probability,
    suite_theorem2,
    suite_theorem2_published_probability,
)
from steerbound.simulate.suites.helpfulness_limits import suite_corollary2, suite_curvature
from steerbound.simulate.suites.multi_token import suite_corollary3, suite_theorem6
from steerbound.simulate.suites.nonbinary import suite_theorem4, suite_theorem5
from steerbound.simulate.suites.soft_margin import suite_theorem3

__all__ = ["SUITES"]

SUITES: tuple[tuple[str, Suite], ...] = (
    ("theorem1", suite_theorem1),
    ("corollary1", suite_corollary1),
    ("theorem2", suite_theorem2),
    ("theorem2_published_probability", suite_theorem2_published_probability),
    ("theorem2_nontrivial_probability", suite_nontrivial_probability),
    ("expected_helpfulness_curvature", suite_curvature),
    ("corollary2", suite_corollary2),
    ("theorem3", suite_theorem3),
    ("theorem4", suite_theorem4),
    ("theorem5", suite_theorem5),
    ("theorem6", suite_theorem6),
    ("corollary3", suite_corollary3),
)
