"""The helpfulness-limits suites (E[H] curvature, Corollary 2): wrong limits fail the run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from steerbound import theory

Verdict = Callable[[str], set[str]]  # the ``verdict`` fixture of conftest.py


def test_unpatched_suites_pass(verdict: Verdict) -> None:
    assert verdict("corollary2") == set()
    assert verdict("expected_helpfulness_curvature") == set()


def test_corollary2_limit_loosened_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    """``2/k`` is still an upper bound on the limit, but the limit is exactly ``1/k``."""
    monkeypatch.setattr(theory, "corollary2_limit", lambda k: 2.0 / np.asarray(k))
    failed = verdict("corollary2")
    assert {"corollary2_limit/valid", "corollary2_limit/valid_negative"} <= failed


def test_curvature_coefficient_halved_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    original = theory.expected_helpfulness_quadratic

    def halved(r: Any, p0: Any, sum_sq: Any, lam: Any, sigma: Any) -> Any:
        return original(r, p0, sum_sq, lam, np.asarray(sigma) / np.sqrt(2.0))

    monkeypatch.setattr(theory, "expected_helpfulness_quadratic", halved)
    assert "expected_helpfulness_curvature/valid" in verdict("expected_helpfulness_curvature")
