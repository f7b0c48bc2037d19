"""The non-binary suite (Theorems 4, 5): loosened bounds and lost failures fail the run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from steerbound import theory

Verdict = Callable[[str], set[str]]  # the ``verdict`` fixture of conftest.py


def test_unpatched_suites_pass(verdict: Verdict) -> None:
    assert verdict("theorem4") == set()
    assert verdict("theorem5") == set()


def test_theorem4_verified_loosened_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    original = theory.theorem4_bound

    def looser(*args: Any, form: str = "verified") -> Any:
        b = original(*args, form=form)
        return np.asarray(b) - 1e-3 if form == "verified" else b

    monkeypatch.setattr(theory, "theorem4_bound", looser)
    assert verdict("theorem4") == {"theorem4_verified/two_cluster"}


def test_theorem4_published_made_valid_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    """Evaluating the published row with the verified form: its expected failure disappears."""
    original = theory.theorem4_bound
    monkeypatch.setattr(
        theory, "theorem4_bound", lambda *args, form="verified": original(*args, form="verified")
    )
    assert verdict("theorem4") == {"theorem4_published/valid"}


def test_theorem5_slope_halved_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    original = theory.theorem5_bound

    def looser(r: Any, p_ge: Any, b: Any, lam: Any, delta: Any) -> Any:
        return original(r, p_ge, b, lam, np.asarray(delta) / 2.0)

    monkeypatch.setattr(theory, "theorem5_bound", looser)
    assert "theorem5/two_cluster" in verdict("theorem5")
