"""The harness: statistics, and every suite shows its broken variants failing."""

from __future__ import annotations

import numpy as np
import pytest

from steerbound.simulate import SUITES, BoundTally, SimulationConfig, wilson_interval
from steerbound.simulate.harness import SuiteContext, probability_fields, violation

SMALL = SimulationConfig(
    n=24,
    n_probability=1500,
    vocab_sizes=(2, 3, 8, 64),
    matrix_shapes=((64, 8),),
    grid_points=24,
    counterexample_starts=1,
)


def test_wilson_interval_known_values() -> None:
    lo, hi = wilson_interval(50, 100)
    assert lo == pytest.approx(0.4038, abs=1e-4) and hi == pytest.approx(0.5962, abs=1e-4)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_violation_sign_convention() -> None:
    exact, bound = np.array([0.5, 0.5, 0.5]), np.array([0.6, 0.4, 0.45])
    np.testing.assert_allclose(violation(exact, bound, 1.0), [0.1, -0.1, -0.05])  # lower bound
    np.testing.assert_allclose(violation(exact, bound, -1.0), [-0.1, 0.1, 0.05])  # upper bound
    np.testing.assert_allclose(violation(exact, bound, 0.0), [0.1, 0.1, 0.05])  # tightness


def test_tally_counts_and_witness() -> None:
    t = BoundTally()
    r = np.array([0.0, 1.0, 2.0])
    exact = np.array([[0.0, 0.5, 1.0], [0.0, 0.5, 1.0]])
    bound = np.array([[0.0, 0.4, 0.9], [0.0, 0.7, 0.9]])  # second case violates once
    held = t.add(exact, bound, r, 1.0, lambda i, j: {"case": i})
    assert held.tolist() == [True, False]
    assert (t.n_cases, t.n_violated_cases, t.n_points, t.n_violated_points) == (2, 1, 6, 1)
    assert t.max_violation == pytest.approx(0.2) and t.witness is not None
    assert t.witness["case"] == 1 and t.witness["r_e"] == 1.0
    assert t.gap_at_zero_mean == 0.0
    with pytest.raises(FloatingPointError):
        t.add(np.array([[np.nan]]), np.array([[0.0]]), np.array([0.0]), 1.0)


def test_probability_decision() -> None:
    assert probability_fields(500, 1000, 0.5, "==")["held"]
    assert not probability_fields(400, 1000, 0.5, ">=")["held"]
    assert probability_fields(400, 1000, 0.5, "<=")["held"]
    out = probability_fields(900, 1000, 0.95, ">=")
    assert out["ci_low"] < 0.9 < out["ci_high"] and not out["held"]


@pytest.fixture(scope="module")
def all_results() -> list:
    out = []
    for name, suite in SUITES:
        out.extend(suite(SuiteContext(SMALL, name)))
    return out


def test_every_expectation_is_met(all_results: list) -> None:
    """Verified forms hold on valid geometries; every broken variant and failing published
    form shows its violation (each check can fail, and does where it should)."""
    bad = [(r.check_id, r.held, r.n_violated_cases) for r in all_results if not r.passed]
    assert not bad, bad


def test_every_broken_variant_is_reported(all_results: list) -> None:
    broken = {r.variant for r in all_results if r.expectation == "fail" and r.variant != "valid"}
    assert broken == {
        "no_margin",
        "margin_overstated",
        "eps_understated",
        "along_h",
        "step_without_margin",
        "sigma_of_x",
    }
    for r in all_results:
        if r.expectation == "fail":
            assert not r.held
            if r.kind in ("bound", "tightness"):
                assert r.n_violated_cases > 0 and r.max_violation is not None
                assert r.max_violation > 1e-10 and r.witness is not None


def test_every_tight_case_is_checked_for_equality(all_results: list) -> None:
    """Where the theory says a bound is tight, the run checks equality (a loosened bound fails)."""
    tight = {r.check_id for r in all_results if r.kind == "tightness"}
    assert tight == {
        "theorem1/two_cluster",
        "corollary1/two_cluster",
        "theorem2_jensen/two_cluster",
        "theorem2_tilted/symmetric_at_0",
        "theorem2_published/symmetric_at_0",
        "theorem3/two_cluster_eps0",
        "theorem4_verified/two_cluster",
        "theorem5/two_cluster",
        "theorem6_verified/one_step_two_cluster",
    }
    decay = {r.check_id for r in all_results if r.kind == "decay"}
    assert decay == {
        "theorem2_parabolic/symmetric_decay",
        "theorem2_tilted/symmetric_decay",
        "corollary3_verified/symmetric_decay",
    }
    for r in all_results:
        if r.kind in ("tightness", "decay"):
            assert r.expectation == "hold" and r.held and r.n_cases > 0, r.check_id
            assert r.max_violation is not None and r.max_violation <= 1e-10, r.check_id


def test_verified_forms_have_no_violation(all_results: list) -> None:
    for r in all_results:
        if r.form == "verified" and r.expectation == "hold" and r.kind in ("bound", "tightness"):
            assert r.n_violated_cases == 0 and r.max_violation is not None
            assert r.max_violation <= 1e-10, r.check_id


def test_same_seed_identical_results() -> None:
    name, suite = SUITES[0]
    a = [r.to_dict() for r in suite(SuiteContext(SMALL, name))]
    b = [r.to_dict() for r in suite(SuiteContext(SMALL, name))]
    assert a == b
    other = SimulationConfig(**{**SMALL.to_dict(), "seed": 1})
    c = [r.to_dict() for r in suite(SuiteContext(other, name))]
    assert [x["max_violation"] for x in a] != [x["max_violation"] for x in c]
