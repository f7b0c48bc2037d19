"""The behavior suite (Theorem 1, Corollary 1): loosened bounds and lost failures fail the run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from steerbound import theory
from steerbound.simulate.geometries import hard_margin

Verdict = Callable[[str], set[str]]  # the ``verdict`` fixture of conftest.py


def test_unpatched_suites_pass(verdict: Verdict) -> None:
    assert verdict("theorem1") == set()
    assert verdict("corollary1") == set()


def test_theorem1_slope_halved_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    """A valid but looser bound (lam*Delta/4 for lam*Delta/2) is caught by tightness only."""
    original = theory.theorem1_bound

    def halved(r: Any, b0: Any, lam: Any, delta: Any) -> Any:
        return original(r, b0, lam, np.asarray(delta) / 2.0)

    monkeypatch.setattr(theory, "theorem1_bound", halved)
    failed = verdict("theorem1")
    assert "theorem1/two_cluster" in failed
    assert "theorem1/valid" not in failed  # still a true lower bound for r_e >= 0 ...


def test_theorem1_vacuous_bound_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    def vacuous(r: Any, b0: Any, lam: Any, delta: Any) -> Any:
        return np.full(np.broadcast(np.asarray(r), b0, lam, delta).shape, -1.0)

    monkeypatch.setattr(theory, "theorem1_bound", vacuous)
    assert "theorem1/two_cluster" in verdict("theorem1")


def test_corollary1_threshold_doubled_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    """A sufficient but twice too large threshold r* is still true, but not tight."""
    original = theory.corollary1_threshold
    monkeypatch.setattr(
        theory, "corollary1_threshold", lambda *a, **k: 2.0 * np.asarray(original(*a, **k))
    )
    assert "corollary1/two_cluster" in verdict("corollary1")


def test_margin_generator_that_stops_overstating_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    """If the broken sampler no longer breaks the margin, its expected failure disappears."""
    original = hard_margin._projections

    def honest(rng: np.random.Generator, aligned: Any, variant: str) -> Any:
        x, claimed = original(rng, aligned, variant)
        return x, claimed / 2.0 if variant == "margin_overstated" else claimed

    monkeypatch.setattr(hard_margin, "_projections", honest)
    failed = verdict("theorem1")
    assert failed == {"theorem1/margin_overstated"}
