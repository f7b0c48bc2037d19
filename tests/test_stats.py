"""The one Wilson interval (steerbound.stats), shared by simulate and empirical."""

from __future__ import annotations

import pytest

from steerbound.stats import REPORT_Z, wilson_interval, z_for_confidence


def test_wilson_interval_reference_values() -> None:
    assert wilson_interval(3, 4) == pytest.approx((0.30064, 0.95441), abs=1e-5)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.27753), abs=1e-5)
    assert wilson_interval(3, 4, confidence=0.95) == wilson_interval(3, 4, REPORT_Z)
    with pytest.raises(ValueError):
        wilson_interval(5, 4)


def test_edges_are_exact_and_levels_are_not_quantiles() -> None:
    assert wilson_interval(0, 7)[0] == 0.0 and wilson_interval(7, 7)[1] == 1.0
    assert z_for_confidence(0.95) == pytest.approx(REPORT_Z, abs=1e-12)
    with pytest.raises(ValueError, match="confidence="):
        wilson_interval(3, 4, 0.9)
    with pytest.raises(ValueError, match="confidence must be in"):
        wilson_interval(3, 4, confidence=1.0)


def test_simulate_uses_the_same_function() -> None:
    from steerbound.empirical.measure import humaneval
    from steerbound.simulate import harness

    assert harness.wilson_interval is wilson_interval is humaneval.wilson_interval
