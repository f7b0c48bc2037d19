"""Range, monotonicity, tightness, validation and stability of the numeric bounds."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import steerbound.theory as T

SET = settings(max_examples=60, deadline=None)
HUGE = np.array([-1e6, -1e3, -1.0, 0.0, 1.0, 1e3, 1e6])
#: Theorems 3-6 are statements for r_e >= 0 only (their functions reject r_e < 0).
HUGE_POS = HUGE[HUGE >= 0]


@SET
@given(st.floats(-0.99, 0.99), st.floats(0, 5), st.floats(0, 5))
def test_theorem1_range_monotone_tight(b0: float, lam: float, delta: float) -> None:
    r = np.linspace(-50, 50, 201)
    v = T.theorem1_bound(r, b0, lam, delta)
    assert np.all((v >= -1) & (v <= 1))
    assert np.all(np.diff(v) >= 0)
    assert T.theorem1_bound(0.0, b0, lam, delta) == pytest.approx(b0, abs=1e-15)


@SET
@given(st.floats(0.001, 1.5), st.floats(-0.99, 0.99), st.floats(0.05, 5), st.floats(0.05, 5))
def test_corollary1_inverts_theorem1(eps: float, b0: float, lam: float, delta: float) -> None:
    r_star = T.corollary1_threshold(eps, b0, lam, delta)
    assert T.theorem1_bound(r_star, b0, lam, delta) == pytest.approx(1 - eps, abs=1e-9)


@SET
@given(st.floats(-0.9, 0.9), st.floats(0, 0.2), st.floats(-2, 2), st.integers(1, 10))
def test_behavior_bounds_in_range(b0: float, em: float, depth: float, ell: int) -> None:
    em = min(em, (1 + b0) / 2 * 0.9)
    for v in (
        T.theorem3_bound(HUGE_POS, b0, 1.0, 1.0, em, depth),
        T.theorem5_bound(HUGE_POS, 0.3, b0, 1.0, 1.0),
        T.theorem6_bound(HUGE_POS, b0, ell, 1.0, 1.0),
        T.theorem4_bound(HUGE_POS, 0.3, 0.5, 0.2, 1.0, 1.0),
        T.theorem4_bound(HUGE_POS, 0.3, 0.5, 0.2, 1.0, 1.0, form="published"),
    ):
        assert np.all(np.isfinite(v)) and np.all((v >= -1) & (v <= 1))


@SET
@given(st.floats(0.01, 0.99), st.floats(0, 1), st.floats(0.01, 3), st.floats(0.01, 3))
def test_helpfulness_bounds_in_unit_interval(p0: float, alpha: float, g1: float, g2: float) -> None:
    for v in (
        T.theorem2_jensen_bound(HUGE, p0, (1 - p0) / 2, (1 - p0) / 2, g1, g2, 1.0),
        T.theorem2_parabolic_bound(HUGE, p0, alpha, 1.0, g1, g2),
        T.theorem2_parabolic_bound(HUGE, p0, alpha, 1.0, g1, g2, form="published"),
        T.theorem2_tilted_bound(HUGE, p0, alpha, 1.0, g1, g2),
        T.corollary2_heuristic_curve(HUGE, p0, alpha, 1.0, g1, g2, 4),
        T.corollary3_bound(HUGE, [p0, p0], [alpha, alpha], 1.0, [g1, g1], [g2, g2]),
    ):
        assert np.all(np.isfinite(v)) and np.all((v >= 0) & (v <= 1))


@SET
@given(st.floats(0.01, 0.99), st.floats(0.01, 1))
def test_parabola_symmetric_and_decreasing(p0: float, alpha: float) -> None:
    r = np.linspace(0, 40, 101)
    v = T.theorem2_parabolic_bound(r, p0, alpha, 1.0, 1.0, 1.0)
    assert np.all(np.diff(v) <= 0)
    np.testing.assert_allclose(v, T.theorem2_parabolic_bound(-r, p0, alpha, 1.0, 1.0, 1.0))


def test_jensen_tight_at_zero_iff_no_tail() -> None:
    assert T.theorem2_jensen_bound(0.0, 0.5, 0.25, 0.25, 1.0, 3.0, 1.0) == pytest.approx(0.5)
    assert T.theorem2_jensen_bound(0.0, 0.5, 0.2, 0.2, 1.0, 3.0, 1.0) > 0.5


def test_theorem6_length_one_is_theorem1() -> None:
    r = np.linspace(0, 10, 21)
    np.testing.assert_allclose(
        T.theorem6_bound(r, 0.3, 1, 1.2, 0.7), T.theorem1_bound(r, 0.3, 1.2, 0.7), rtol=1e-13
    )


def test_theorem3_reduces_to_theorem1() -> None:
    r = np.linspace(0, 10, 21)
    np.testing.assert_allclose(
        T.theorem3_bound(r, 0.3, 1.2, 0.7, 0.0, 1.0), T.theorem1_bound(r, 0.3, 1.2, 0.7), rtol=1e-13
    )


def test_no_warnings_or_nan_at_large_r() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        outs = [
            T.theorem1_bound(HUGE, 0.2, 3.0, 2.0),
            T.theorem3_bound(HUGE_POS, 0.2, 3.0, 2.0, 0.01, 5.0),
            T.theorem3_bound(HUGE_POS, 0.2, 3.0, 2.0, 0.0, 5.0),
            T.theorem4_bound(HUGE_POS, 1.0, 0.0, 0.0, 3.0, 2.0),
            T.theorem4_bound(HUGE_POS, 0.2, 0.0, 0.8, 3.0, 2.0, form="published"),
            T.theorem5_bound(HUGE_POS, 1.0, 0.5, 3.0, 2.0),
            T.theorem5_bound(HUGE_POS, 0.0, 0.5, 3.0, 2.0),
            T.theorem6_bound(HUGE_POS, -0.9, 5, 3.0, 2.0),
            T.theorem2_jensen_bound(HUGE, 0.5, 0.0, 0.5, 3.0, 2.0, 3.0),
            T.theorem2_jensen_bound(HUGE, 0.0, 0.5, 0.5, 3.0, 2.0, 3.0),
            T.theorem2_parabolic_bound(HUGE, 1.0, 0.0, 3.0, 2.0, 1.0),
            T.theorem2_parabolic_bound(np.array([1e300]), 0.5, 1.0, 1.0, 1.0, 1.0),
            T.theorem2_tilted_bound(HUGE, 0.5, 1.0, 3.0, 0.0, 5.0),
            T.expected_helpfulness_quadratic(np.array([1e300]), 0.5, 0.25, 1.0, 1.0),
            T.expected_helpfulness_quadratic(HUGE, 0.5, 0.1, 3.0, 1.0),
            T.corollary1_threshold(1e-300, -0.5, 1.0, 1.0),
            T.helpfulness_parabolic_form(HUGE, 0.0, 2.0),
        ]
    for v in outs:
        assert not np.any(np.isnan(v))


def test_correct_limits_at_large_r() -> None:
    assert T.theorem1_bound(1e6, -0.9, 1.0, 1.0) == 1.0
    assert T.theorem1_bound(-1e6, 0.9, 1.0, 1.0) == -1.0
    assert T.theorem5_bound(1e6, 0.3, 0.5, 1.0, 1.0) == pytest.approx(0.5)
    assert T.theorem3_bound(1e6, 0.3, 1.0, 1.0, 0.01, 1.0) == -1.0  # misclassified take over
    assert T.theorem2_jensen_bound(1e6, 0.5, 0.0, 0.5, 1.0, 1.0, 1.0) == 1.0  # T+ empty
    assert T.theorem2_tilted_bound(-1e6, 0.5, 1.0, 1.0, 3.0, 1.0) == 1.0
    assert T.corollary2_heuristic_curve(1e6, 0.5, 1.0, 1.0, 1.0, 1.0, 4) == pytest.approx(0.25)
    assert T.expected_helpfulness_quadratic(1e300, 0.5, 0.1, 1.0, 1.0) == -np.inf


def test_broadcasting_shapes() -> None:
    r = np.linspace(-1, 1, 5)[:, None]
    b0 = np.array([-0.5, 0.0, 0.5])
    assert T.theorem1_bound(r, b0, 1.0, 1.0).shape == (5, 3)
    assert isinstance(T.theorem1_bound(0.5, 0.1, 1.0, 1.0), np.floating)
    steps = T.corollary3_bound(r, [0.5, 0.6], [1.0, 0.5], 1.0, [1.0, 1.0], [1.0, 1.0])
    assert steps.shape == (5, 1)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: T.theorem1_bound(0.0, 1.0, 1.0, 1.0), "b0"),
        (lambda: T.theorem1_bound(0.0, 0.1, -1.0, 1.0), "lam"),
        (lambda: T.theorem1_bound(0.0, 0.1, 1.0, -1.0), "delta"),
        (lambda: T.theorem1_bound(float("nan"), 0.1, 1.0, 1.0), "r_e"),
        (lambda: T.corollary1_threshold(0.0, 0.1, 1.0, 1.0), "eps"),
        (lambda: T.corollary1_threshold(0.1, 0.1, 0.0, 1.0), "lam"),
        (lambda: T.theorem2_parabolic_bound(0.0, 1.5, 1.0, 1.0, 1.0, 1.0), "p0"),
        (lambda: T.theorem2_parabolic_bound(0.0, 0.5, 1.0, 1.0, -1.0, 1.0), "sigma"),
        (lambda: T.theorem2_parabolic_bound(0.0, 0.5, 1.0, 1.0, 1.0, 1.0, form="paper"), "form"),
        (lambda: T.theorem2_jensen_bound(0.0, 0.5, 0.4, 0.4, 1.0, 1.0, 1.0), "q_minus"),
        (lambda: T.theorem2_jensen_bound(0.0, 0.5, -0.1, 0.4, 1.0, 1.0, 1.0), "q_plus"),
        (lambda: T.theorem3_bound(0.0, 0.1, 1.0, 1.0, 0.6, 1.0), "eps_mis"),
        (lambda: T.theorem4_bound(0.0, 0.5, 0.5, 0.5, 1.0, 1.0), "p_zero"),
        (lambda: T.theorem4_bound(0.0, 0.0, 0.5, 0.5, 1.0, 1.0), "p_plus"),
        (lambda: T.theorem5_bound(0.0, 0.5, -1.0, 1.0, 1.0), "b"),
        (lambda: T.theorem6_bound(0.0, 0.5, 0.5, 1.0, 1.0), "length"),
        (lambda: T.corollary2_limit(2.5), "k"),
        (
            lambda: T.corollary3_bound(0.0, [0.5, 2.0], [1.0, 1.0], 1.0, [1.0, 1.0], [1.0, 1.0]),
            "p0_steps",
        ),
        (lambda: T.helpfulness_parabolic_form(0.0, -1.0, 1.0), "a"),
    ],
)
def test_validation_names_argument(call, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda r: T.theorem3_bound(r, 0.2, 1.0, 1.0, 0.01, 1.0),
        lambda r: T.theorem4_bound(r, 0.3, 0.5, 0.2, 1.0, 1.0),
        lambda r: T.theorem4_bound(r, 0.3, 0.5, 0.2, 1.0, 1.0, form="published"),
        lambda r: T.theorem5_bound(r, 0.3, 0.5, 1.0, 1.0),
        lambda r: T.theorem6_bound(r, 0.3, 2, 1.0, 1.0),
    ],
)
def test_nonnegative_steering_only(call) -> None:  # type: ignore[no-untyped-def]
    """Theorems 3-6 are stated for r_e >= 0: a negative r_e is an error naming r_e (the
    published Theorem 4 form used to return -1.0008 there)."""
    with pytest.raises(ValueError, match="r_e"):
        call(np.array([0.5, -0.1]))
    assert np.isfinite(call(0.5))


@pytest.mark.parametrize("bad", [1.5, 0, -2])
def test_theorem6_length_is_a_positive_integer(bad: float) -> None:
    with pytest.raises(ValueError, match="length"):
        T.theorem6_bound(1.0, 0.3, bad, 1.0, 1.0)


def test_no_nan_when_the_exponent_overflows() -> None:
    """lam * r_e * G beyond float64 with a zero mass (0 * e^inf is 0, not NaN)."""
    r = np.array([-1e308, 1e308])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        outs = [
            T.theorem2_jensen_bound(r, 0.5, 0.5, 0.0, 2.0, 3.0, 10.0),
            T.theorem2_jensen_bound(r, 0.5, 0.0, 0.5, 2.0, 3.0, 10.0),
            T.theorem2_parabolic_bound(r, 0.5, 1.0, 10.0, 2.0, 0.0),
            T.theorem2_tilted_bound(r, 0.5, 1.0, 10.0, 0.1, 0.7),
            T.theorem3_bound(r[1:], 0.2, 10.0, 2.0, 0.0, 5.0),
            T.theorem4_bound(r[1:], 0.2, 0.0, 0.8, 10.0, 2.0),
            T.theorem5_bound(r[1:], 0.0, 0.5, 10.0, 2.0),
            T.helpfulness_parabolic_form(r, 0.0, 1e10),
        ]
    for v in outs:
        assert np.all(np.isfinite(v)), outs


def test_corollary1_precise_near_zero_threshold() -> None:
    """r* for eps near 1 (r* ~ 0): the log1p form keeps full precision."""
    import mpmath

    eps, b0 = 0.99999, -0.5
    exact = 2 * (mpmath.atanh(1 - mpmath.mpf(eps)) - mpmath.atanh(mpmath.mpf(b0)))
    assert T.corollary1_threshold(eps, b0, 1.0, 1.0) == pytest.approx(float(exact), rel=1e-14)
