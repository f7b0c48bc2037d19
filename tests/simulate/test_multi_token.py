"""The multi-token suite (Theorem 6, Corollary 3): loosened bounds and lost failures fail it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from steerbound import theory

Verdict = Callable[[str], set[str]]  # the ``verdict`` fixture of conftest.py


def test_unpatched_suites_pass(verdict: Verdict) -> None:
    assert verdict("theorem6") == set()
    assert verdict("corollary3") == set()


def test_theorem6_slope_halved_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    original = theory.theorem6_bound

    def looser(r: Any, b: Any, length: Any, lam: Any, delta: Any) -> Any:
        return original(r, b, length, lam, np.asarray(delta) / 2.0)

    monkeypatch.setattr(theory, "theorem6_bound", looser)
    assert "theorem6_verified/one_step_two_cluster" in verdict("theorem6")


def test_corollary3_published_made_valid_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    original = theory.corollary3_bound
    monkeypatch.setattr(
        theory,
        "corollary3_bound",
        lambda *args, form="verified": original(*args, form="verified"),
    )
    assert verdict("corollary3") == {"corollary3_published/valid"}


def test_vacuous_corollary3_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    """The verified product is never tight, but it must decay: the constant 1 fails."""
    original = theory.corollary3_bound

    def vacuous(r: Any, p0: Any, *rest: Any, form: str) -> Any:
        if form == "verified":
            return np.ones(np.broadcast(np.asarray(r), np.asarray(p0)[..., 0]).shape)
        return original(r, p0, *rest, form=form)

    monkeypatch.setattr(theory, "corollary3_bound", vacuous)
    assert verdict("corollary3") == {"corollary3_verified/symmetric_decay"}
