"""Pure tradeoff functions on curves whose answers are known in closed form."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steerbound.empirical.analysis import tradeoff as tr
from steerbound.theory import behavior_tanh_form, helpfulness_parabolic_form


def _curves(slope: float, a: float, b: float) -> tuple[tr.Curve, tr.Curve]:
    return (
        lambda r: behavior_tanh_form(r, slope, -1.0),
        lambda r: helpfulness_parabolic_form(r, a, b),
    )


def test_frontier_orders_by_distance_and_measures_gain_and_loss() -> None:
    r = np.linspace(-2, 2, 5)
    f = tr.tradeoff_frontier(
        r, [-0.9, -0.8, -0.5, 0.1, 0.6], [0.7, 0.9, 1.0, 0.9, 0.8], direction=1
    )
    assert f.r_e.tolist() == [0.0, 1.0, 2.0]
    np.testing.assert_allclose(f.gain, [0.0, 0.6, 1.1])
    np.testing.assert_allclose(f.loss, [0.0, 0.1, 0.2])
    np.testing.assert_allclose(f.gain_per_loss[1:], [6.0, 5.5])
    g = tr.tradeoff_frontier(
        r, [0.9, 0.5, 0.0, -0.5, -0.9], [0.7, 0.9, 1.0, 0.9, 0.8], direction=-1
    )
    assert g.r_e.tolist() == [0.0, -1.0, -2.0]
    with pytest.raises(ValueError, match="span 0"):
        tr.tradeoff_frontier([1, 2], [0, 1], [1, 1])
    with pytest.raises(ValueError, match="direction"):
        tr.tradeoff_frontier(r, r, r, direction=0)


@given(slope=st.floats(0.1, 2.0), a=st.floats(1e-3, 0.5), b=st.floats(0.05, 2.0))
@settings(max_examples=30, deadline=None)
def test_efficient_regime_ends_where_the_marginal_ratio_crosses_one(
    slope: float, a: float, b: float
) -> None:
    beh, hlp = _curves(slope, a, b)
    reg = tr.efficient_regime(beh, hlp, 30.0)
    ratio = tr.marginal_ratio(beh, hlp, reg.r_dense)
    inside = np.zeros(reg.r_dense.shape, bool)
    for lo, hi in reg.intervals:
        inside |= (reg.r_dense >= lo) & (reg.r_dense <= hi)
    assert (ratio[inside & (reg.r_dense > 0)] > 1).all()  # inside the intervals: efficient
    assert (ratio[~inside] <= 1).all()  # outside: not
    assert reg.intervals and reg.intervals[0][0] == 0.0  # B(0) = tanh(-1): efficient from 0
    assert reg.behavior_end == pytest.approx(float(beh(np.array([reg.r_end]))[0]))


def test_saturated_start_gives_a_later_efficient_interval() -> None:
    """With B(0) close to -1 the tanh is flat at 0: steering only pays off further out."""
    beh = lambda r: behavior_tanh_form(r, 0.6, -4.5)  # noqa: E731
    hlp = lambda r: helpfulness_parabolic_form(r, 1e-3, 2.0)  # noqa: E731
    reg = tr.efficient_regime(beh, hlp, 15.0)
    assert reg.r_end < 0.5 and len(reg.intervals) == 2
    lo, hi = reg.intervals[1]
    assert lo < 4.5 / 0.6 < hi  # the later interval contains the behavior midpoint


def test_marginal_ratio_matches_the_analytic_derivatives() -> None:
    beh, hlp = _curves(0.5, 0.1, 0.3)
    r = np.array([0.5, 2.0, 5.0])
    t = np.tanh(0.5 * r - 1.0)
    h = 1 / (1 + 0.1 + 0.1 * 0.09 * r**2 / 2)
    expected = 0.5 * (1 - t**2) / (h**2 * 0.1 * 0.09 * r)
    np.testing.assert_allclose(tr.marginal_ratio(beh, hlp, r), expected, rtol=1e-5)


def test_recommendation_respects_the_budget_and_is_checked() -> None:
    beh, hlp = _curves(0.5, 0.01, 0.3)
    rec = tr.recommend_coefficient(beh, hlp, 0.05, 20.0)
    h0 = float(hlp(np.array([0.0]))[0])
    assert rec.predicted_relative_loss <= 0.05 + 1e-12
    # one grid step further would exceed the budget
    assert 1 - float(hlp(np.array([rec.r_e + 20.0 / 4000]))[0]) / h0 > 0.05
    r = np.linspace(-20, 20, 81)
    checked = tr.check_recommendation(rec, r, beh(r), hlp(r))
    assert checked.within_budget is True
    assert checked.measured_behavior == pytest.approx(rec.predicted_behavior, abs=1e-2)
    worse = tr.check_recommendation(rec, r, beh(r), hlp(r) * np.where(r > 0, 0.9, 1.0))
    assert worse.within_budget is False  # a measured curve below the fit fails the check
    with pytest.raises(ValueError, match="budget"):
        tr.recommend_coefficient(beh, hlp, 1.5, 20.0)
