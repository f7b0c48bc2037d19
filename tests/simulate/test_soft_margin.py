"""The soft-margin suite (Theorem 3): a loosened bound or a lost failure fails the run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from steerbound import theory
from steerbound.simulate.geometries import soft_margin

Verdict = Callable[[str], set[str]]  # the ``verdict`` fixture of conftest.py


def test_unpatched_suite_passes(verdict: Verdict) -> None:
    assert verdict("theorem3") == set()


def test_theorem3_margin_term_halved_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    original = theory.theorem3_bound

    def looser(r: Any, b0: Any, lam: Any, delta: Any, eps: Any, depth: Any) -> Any:
        return original(r, b0, lam, np.asarray(delta) / 2.0, eps, depth)

    monkeypatch.setattr(theory, "theorem3_bound", looser)
    assert verdict("theorem3") == {"theorem3/two_cluster_eps0"}


def test_soft_margin_generator_that_stops_understating_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    """Sampling the broken variant as a valid one removes its expected failure."""
    original = soft_margin.sample_soft_margin

    def honest(rng: np.random.Generator, n: int, vocab: Any, *, variant: str = "valid") -> Any:
        return original(rng, n, vocab, variant="valid")

    monkeypatch.setattr("steerbound.simulate.suites.soft_margin.sample_soft_margin", honest)
    assert verdict("theorem3") == {"theorem3/eps_understated"}
