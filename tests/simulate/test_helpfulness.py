"""The helpfulness suites (Theorem 2 forms, Assumption 3 probabilities): loosened forms and lost
failures fail the run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from steerbound import theory

Verdict = Callable[[str], set[str]]  # the ``verdict`` fixture of conftest.py


def test_unpatched_suites_pass(verdict: Verdict) -> None:
    assert verdict("theorem2") == set()
    assert verdict("theorem2_nontrivial_probability") == set()


def test_jensen_form_loosened_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    original = theory.theorem2_jensen_bound
    monkeypatch.setattr(
        theory,
        "theorem2_jensen_bound",
        lambda *a: np.minimum(1.0, 1.001 * np.asarray(original(*a))),
    )
    assert verdict("theorem2") == {"theorem2_jensen/two_cluster"}


def test_published_parabola_with_alpha_halved_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    """The published form evaluated with alpha/2 is Lemma 2b: it no longer fails where it
    should, and is no longer tight at r_e = 0 where the published reading claims it is."""
    original = theory.theorem2_parabolic_bound

    def alpha_halved(r: Any, p0: Any, alpha: Any, *rest: Any, form: str) -> Any:
        if form == "published":
            alpha = np.asarray(alpha) / 2.0
        return original(r, p0, alpha, *rest, form=form)

    monkeypatch.setattr(theory, "theorem2_parabolic_bound", alpha_halved)
    failed = verdict("theorem2")
    assert {"theorem2_published/valid", "theorem2_published/symmetric_at_0"} <= failed


def test_vacuous_tilted_form_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    monkeypatch.setattr(
        theory, "theorem2_tilted_bound", lambda r, p0, *a: np.ones(np.broadcast(r, p0).shape)
    )
    assert verdict("theorem2") == {
        "theorem2_tilted/symmetric_at_0",
        "theorem2_tilted/symmetric_decay",
    }


def test_wrong_nontrivial_probability_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    monkeypatch.setattr(theory, "assumption3_both_sides_probability", lambda k: 1.0 - 1.0 / k)
    failed = verdict("theorem2_nontrivial_probability")
    assert any(f.startswith("theorem2_nontrivial_probability/") for f in failed)
    assert all(f.endswith("_valid") for f in failed)


def test_vacuous_parabolic_form_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, verdict: Verdict
) -> None:
    """Lemma 2b is never tight, but it must decay: the constant 1 (a true bound) fails."""
    original = theory.theorem2_parabolic_bound

    def vacuous(r: Any, p0: Any, *rest: Any, form: str) -> Any:
        if form == "verified":
            return np.ones(np.broadcast(r, p0).shape)
        return original(r, p0, *rest, form=form)

    monkeypatch.setattr(theory, "theorem2_parabolic_bound", vacuous)
    assert verdict("theorem2") == {"theorem2_parabolic/symmetric_decay"}
