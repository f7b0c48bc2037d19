"""Fits recover known parameters with the right standard-error scale; bound checks on measured
data pass where the hypotheses hold and fail where they are broken."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from steerbound.empirical.analysis.bound_checks import (
    check_theorem1,
    check_theorem2,
    compare_parameters,
)
from steerbound.empirical.analysis.fits import (
    fit_behavior_tanh,
    fit_helpfulness_floor,
    fit_helpfulness_parabolic,
    linear_fit,
)
from steerbound.empirical.measure.assumptions import (
    measure_assumption1,
    measure_assumption2,
    measure_theorem2_parameters,
    select_answer_tokens,
)
from steerbound.empirical.measure.metrics import behavior_from_logits, multiple_choice_metrics
from steerbound.theory import (
    behavior_tanh_form,
    helpfulness_floor_form,
    helpfulness_parabolic_form,
)

R_B = np.round(np.arange(-5, 5.0001, 0.2), 10)
R_H = np.round(np.arange(-10, 10.0001, 0.25), 10)


def test_linear_fit_known_values() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0])
    y = np.array([2.1, 3.9, 6.2, 7.8])
    origin = linear_fit(x, y)
    assert origin.slope == pytest.approx((x @ y) / (x @ x)) and origin.intercept == 0.0
    res = y - origin.slope * x
    assert origin.slope_stderr == pytest.approx(np.sqrt(res @ res / 3 / (x @ x)))
    free = linear_fit(x, y, through_origin=False)
    slope, intercept = np.polyfit(x, y, 1)
    assert (free.slope, free.intercept) == pytest.approx((slope, intercept))
    assert free.r2 == pytest.approx(np.corrcoef(x, y)[0, 1] ** 2)
    with pytest.raises(ValueError, match="same length"):
        linear_fit(x, y[:2])


def test_tanh_fit_exact_data_and_derived() -> None:
    y = np.tanh(0.6 * R_B - 0.4)
    fit = fit_behavior_tanh(R_B, y)
    assert fit.params == pytest.approx({"slope": 0.6, "offset": -0.4}, abs=1e-7)
    assert fit.r2 == pytest.approx(1.0, abs=1e-12)
    assert fit.derived["lam_delta"][0] == pytest.approx(1.2, abs=1e-6)  # 2 * slope
    assert fit.derived["b0"][0] == pytest.approx(np.tanh(-0.4), abs=1e-7)
    assert np.allclose(fit.predict(R_B), behavior_tanh_form(R_B, **fit.params))
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        fit_behavior_tanh(R_B, 2 * y)


def _coverage(fit_fn, truth: dict[str, float], make, n_rep: int = 150):  # type: ignore[no-untyped-def]
    """Mean reported stderr versus the spread of estimates over noise realisations."""
    rng = np.random.default_rng(0)
    est, se = {k: [] for k in truth}, {k: [] for k in truth}
    for _ in range(n_rep):
        fit = fit_fn(make(rng))
        for k in truth:
            est[k].append(fit.params[k])
            se[k].append(fit.stderr[k])
    return {k: (np.mean(est[k]), np.std(est[k]), np.mean(se[k])) for k in truth}


@pytest.mark.parametrize(
    ("fit_fn", "r", "form", "truth", "tolerance"),
    [
        # |B| <= 0.96 on R_B: noise of 0.01 never leaves [-1, 1]
        (fit_behavior_tanh, R_B, behavior_tanh_form, {"slope": 0.3, "offset": -0.4}, 1e-4),
        (fit_helpfulness_parabolic, R_H, helpfulness_parabolic_form, {"a": 0.5, "b": 0.3}, 1e-3),
    ],
    ids=["tanh", "parabolic"],
)
def test_noisy_fit_recovers_with_right_stderr_scale(  # type: ignore[no-untyped-def]
    fit_fn, r: np.ndarray, form, truth: dict[str, float], tolerance: float
) -> None:
    clean = form(r, *truth.values())
    stats = _coverage(
        lambda y: fit_fn(r, y), truth, lambda rng: clean + rng.normal(0, 0.01, r.size)
    )
    for k, (mean, spread, stderr) in stats.items():
        assert abs(mean - truth[k]) < 4 * spread / np.sqrt(150) + tolerance
        assert 0.8 < spread / stderr < 1.25, (k, spread, stderr)


def test_floor_fit_recovers() -> None:
    y = helpfulness_floor_form(R_H, 0.3, 0.5, 4) + np.random.default_rng(1).normal(
        0, 0.005, R_H.size
    )
    fit = fit_helpfulness_floor(R_H, y, k=4)
    assert fit.fixed == {"k": 4.0} and fit.r2 > 0.98
    for k, true in (("a", 0.3), ("b", 0.5)):
        assert abs(fit.params[k] - true) < 4 * fit.stderr[k]
    assert np.allclose(
        fit.predict(R_H), helpfulness_floor_form(R_H, fit.params["a"], fit.params["b"], 4)
    )
    exact = fit_helpfulness_parabolic(R_H, helpfulness_parabolic_form(R_H, 0.25, 0.4))
    assert exact.derived["h0"][0] == pytest.approx(0.8, abs=1e-6)


def test_curvature_is_identified_when_a_is_zero() -> None:
    """P0 ~ 1 (a ~ 0): b = sqrt(2c/a) is undetermined, the curvature c = a b^2/2 is not. c is
    recovered within its standard error (whose scale matches the spread over noise draws), and
    the fit is flagged degenerate."""
    c_true, a_true = 0.004, 1e-7
    clean = helpfulness_parabolic_form(R_H, a_true, np.sqrt(2 * c_true / a_true))
    rng = np.random.default_rng(0)
    fits = [
        fit_helpfulness_parabolic(R_H, clean + rng.normal(0, 0.005, R_H.size)) for _ in range(150)
    ]
    c = np.array([f.derived["c"][0] for f in fits])
    se = np.array([f.derived["c"][1] for f in fits])
    assert abs(c.mean() - c_true) < 4 * c.std() / np.sqrt(c.size) + 1e-5
    assert 0.7 < c.std() / se.mean() < 1.3
    assert np.mean(np.abs(c - c_true) < 2 * se) > 0.9
    assert np.mean([f.degenerate for f in fits]) > 0.9
    one = fits[0]
    assert one.degenerate and abs(one.derived["c"][0] - c_true) < 3 * one.derived["c"][1]
    assert one.params["a"] * one.params["b"] ** 2 / 2 == pytest.approx(one.derived["c"][0])
    assert np.allclose(one.predict(R_H), clean, atol=0.01)  # the curve itself is well fitted
    assert one.r2 > 0.9 and np.isfinite(one.predict(R_H)).all()
    rows = {r.name: r for r in compare_parameters(None, one, lam=1.0, lam_sigma=0.5, beta=0.2)}
    assert not rows["lam*sigma*beta"].identifiable and np.isnan(rows["lam*sigma*beta"].ratio)
    assert rows["a*b^2/2"].fitted == one.derived["c"][0]
    noisy = helpfulness_floor_form(R_H, 1e-9, 900.0, 4) + rng.normal(0, 0.005, R_H.size)
    floor = fit_helpfulness_floor(R_H, noisy, k=4)
    c_floor, se_floor = floor.derived["c"]
    assert floor.degenerate and abs(c_floor - 1e-9 * 900**2 / 2) < 3 * se_floor


def test_identified_fit_is_not_degenerate_and_c_matches() -> None:
    y = helpfulness_parabolic_form(R_H, 0.5, 0.3) + np.random.default_rng(2).normal(
        0, 0.01, R_H.size
    )
    fit = fit_helpfulness_parabolic(R_H, y)
    assert not fit.degenerate
    c, se_c = fit.derived["c"]
    assert abs(c - 0.5 * 0.3**2 / 2) < 4 * se_c
    row = {r.name: r for r in compare_parameters(None, fit, lam_sigma=1.5, beta=0.2)}
    assert row["lam*sigma*beta"].identifiable
    assert row["lam*sigma*beta"].ratio == pytest.approx(fit.params["b"] / 0.3)


def test_compare_parameters() -> None:
    fit = fit_behavior_tanh(R_B, np.tanh(0.6 * R_B))
    rows = {r.name: r for r in compare_parameters(fit, lam=2.0, delta=0.6, sigma=0.5)}
    assert rows["lam*Delta/2"].measured == pytest.approx(0.6)
    assert rows["lam*Delta/2"].ratio == pytest.approx(1.0, abs=1e-6)
    assert rows["lam*sigma"].measured == 1.0 and np.isnan(rows["lam"].ratio)


# --- bound checks on a synthetic "model": the exact steered softmax of a linear geometry ------
LAM = 1.3


def _world(seed: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    vocab, d, n_q = 80, 10, 12
    U = rng.normal(size=(vocab, d))
    U[:5, 0] = 0.6 + rng.random(5)  # aligned answer tokens
    U[5:10, 0] = -0.6 - rng.random(5)  # misaligned answer tokens
    h0 = rng.normal(size=(n_q, d))
    h0[:, 0] = 0.0
    v = np.eye(d)[0]
    r = np.round(np.arange(-3, 3.0001, 0.25), 10)
    hs = h0[None] + LAM * r[:, None, None] * v
    logits = np.einsum("rqd,vd->rqv", hs, U)
    return U, h0, r, hs, logits


def test_theorem1_check_passes_on_measured_parameters_and_can_fail() -> None:
    U, h0, r, hs, logits = _world()
    a1 = measure_assumption1(r, hs, h0)
    tokens = select_answer_tokens(h0 @ U.T, range(5), range(5, 10))
    a2 = measure_assumption2(r, hs, h0, U, tokens)
    behavior = np.stack([behavior_from_logits(z, range(5), range(5, 10)).behavior for z in logits])
    b0 = behavior[r == 0][0]
    lam = a1.lam_per_question[0]
    ok = check_theorem1(r, behavior, b0, lam, a2.delta_per_question)
    assert ok.n_violations == 0 and ok.n_points == r.size * h0.shape[0] and ok.n_skipped == 0
    assert ok.max_violation <= 1e-12
    broken = check_theorem1(r, behavior, b0, lam, 3 * a2.delta_per_question)  # overstated margin
    assert broken.n_violations > 0 and broken.max_violation > 0.05


def test_theorem2_checks_pass_on_measured_parameters_and_can_fail() -> None:
    U, h0, r, hs, logits = _world(1)
    correct = np.argmax(h0 @ U.T, axis=1)
    params = measure_theorem2_parameters(r, hs, h0, U, correct, k=8)
    helpful = np.stack(
        [multiple_choice_metrics(z, np.arange(80), correct).p_correct_full for z in logits]
    )
    assert np.allclose(
        helpful[r == 0][0], special.softmax(h0 @ U.T, axis=1)[np.arange(12), correct]
    )
    checks = check_theorem2(r, helpful, params, LAM)
    assert {c.n_violations for c in checks.values()} == {0}
    broken = check_theorem2(r, helpful, params, 3 * LAM)  # overstated lam: bounds too tight
    assert broken["theorem2_jensen"].n_violations > 0
    with pytest.raises(ValueError, match="one Theorem2Parameters"):
        check_theorem2(r, helpful, params[:-1], LAM)
