"""Assumption measurements recover known lam, sigma and Delta on synthetic geometries where
``delta = lam r_e v`` exactly, and detect nonlinearity and non-normality where it is built in.

Geometry: ``v = e_0``; ``U[:, 0] = x`` (the projections ``u_t . v``, prescribed), the other
columns random; ``h0`` orthogonal to ``v``, so the unsteered top-k set does not depend on ``x``.
"""

from __future__ import annotations

from dataclasses import astuple

import numpy as np
import pytest
import torch
from scipy import special

from steerbound.empirical.measure.assumptions import (
    linearity_range,
    measure_assumption1,
    measure_assumption2,
    measure_assumption3,
    measure_theorem2_parameters,
    select_answer_tokens,
    unembed,
    unembedding_gram,
)
from steerbound.theory import theorem2_parameters

R = np.round(np.arange(-4.0, 4.0001, 0.5), 10)
LAM = 1.7


def geometry(x: np.ndarray, n_q: int = 30, d: int = 12, seed: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    U = rng.normal(size=(x.size, d))
    U[:, 0] = x
    h0 = 2.0 * rng.normal(size=(n_q, d))
    h0[:, 0] = 0.0
    v = np.zeros(d)
    v[0] = 1.0
    return U, h0, v


def steer(h0: np.ndarray, v: np.ndarray, size: np.ndarray) -> np.ndarray:
    """``h_steered[i] = h0 + size[i] * v``."""
    return h0[None] + size[:, None, None] * v[None, None, :]


def test_assumption1_recovers_lam_in_hidden_and_logit_space() -> None:
    x = np.random.default_rng(1).normal(size=200)
    U, h0, v = geometry(x)
    res = measure_assumption1(R, torch.tensor(steer(h0, v, LAM * R)), h0, torch.tensor(U))
    for fit in (res.hidden_fit.positive, res.hidden_fit.negative):
        assert fit is not None and fit.slope == pytest.approx(LAM, abs=1e-12)
        assert fit.r2 == pytest.approx(1.0, abs=1e-12) and fit.through_origin
    assert res.logit_fit is not None and res.logit_fit.positive is not None
    assert res.logit_fit.positive.slope == pytest.approx(LAM * np.linalg.norm(x), rel=1e-10)
    assert np.allclose(res.lam_per_question, LAM, atol=1e-12)
    assert res.hidden_norm.shape == (R.size, h0.shape[0])
    lin = linearity_range(R, res.hidden_norm, threshold=0.999)
    assert (lin.r_max_positive, lin.r_max_negative) == (4.0, 4.0)


def test_assumption1_separate_sides_and_intercept_option() -> None:
    _, h0, v = geometry(np.zeros(20))
    size = np.where(R > 0, 2.0 * R, 0.5 * R) + np.where(R != 0, 0.3 * np.sign(R), 0.0)
    res = measure_assumption1(R, steer(h0, v, size), h0, through_origin=False)
    pos, neg = res.hidden_fit.positive, res.hidden_fit.negative
    assert pos is not None and neg is not None and res.logit_norm is None
    assert (pos.slope, pos.intercept) == pytest.approx((2.0, 0.3), abs=1e-12)
    assert (neg.slope, neg.intercept) == pytest.approx((0.5, 0.3), abs=1e-12)


def test_assumption1_detects_saturation() -> None:
    _, h0, v = geometry(np.zeros(20))
    fine = np.round(np.arange(-4.0, 4.0001, 0.1), 10)
    res = measure_assumption1(fine, steer(h0, v, 3.0 * np.tanh(fine / 1.5)), h0)
    assert res.hidden_fit.positive is not None and res.hidden_fit.positive.r2 < 0.9
    lin = linearity_range(fine, res.hidden_norm, threshold=0.995)
    assert 0.5 <= lin.r_max_positive < 4.0 and lin.r_max_positive == lin.r_max_negative
    assert lin.fit_positive is not None and lin.fit_positive.slope == pytest.approx(2.0, rel=0.15)
    strict = linearity_range(fine, res.hidden_norm, threshold=0.9999999, min_points=3)
    assert strict.r_max_positive == 0.0 and strict.fit_positive is None


def test_gram_and_unembed_match_direct() -> None:
    U = np.random.default_rng(2).normal(size=(50, 6))
    h = np.random.default_rng(3).normal(size=(4, 6))
    assert np.allclose(unembed(h, torch.tensor(U, dtype=torch.float32)), h @ U.T, atol=1e-5)
    assert np.allclose(unembedding_gram(U), U.T @ U, atol=1e-12)


def _expected_samples(U: np.ndarray, h0: np.ndarray, correct: np.ndarray, k: int) -> np.ndarray:
    top = np.argsort(-(h0 @ U.T), axis=1, kind="stable")[:, :k]
    x = U[:, 0]
    return np.concatenate([x[t[t != c]] - x[c] for t, c in zip(top, correct, strict=True)])


def test_assumption3_recovers_sigma_and_lam_sigma() -> None:
    x = np.random.default_rng(4).normal(size=2000)
    U, h0, v = geometry(x, n_q=60)
    correct = np.argmax(h0 @ U.T, axis=1)  # c is in T: k - 1 projections per question
    res = measure_assumption3(R, steer(h0, v, LAM * R), h0, U, correct, k=10)
    expected = _expected_samples(U, h0, correct, 10)
    sigma = expected.std(ddof=1)
    assert res.samples.size == 60 * 9 and res.correct_in_top.all()
    assert res.sigma == pytest.approx(sigma, rel=1e-12)
    assert np.allclose(res.std_normalized, sigma, rtol=1e-12)  # direction fixed: constant
    for fit in (res.std_fit.positive, res.std_fit.negative):
        assert fit is not None and fit.slope == pytest.approx(LAM * sigma, rel=1e-12)
    assert 0 not in res.r_e and res.reference_r == 0.5
    assert res.normality.name == "dagostino_pearson" and res.normality.p_value > 1e-3
    assert abs(res.normality.skew) < 0.5 and abs(res.normality.excess_kurtosis) < 1.0
    assert res.histogram[0].sum() == res.samples.size and res.qq[0].size == res.samples.size


def test_assumption3_detects_non_normal_projections() -> None:
    rng = np.random.default_rng(5)
    x = np.where(rng.random(2000) < 0.5, -3.0, 3.0) + 0.05 * rng.normal(size=2000)  # bimodal
    U, h0, v = geometry(x, n_q=60)
    correct = np.argmax(h0 @ U.T, axis=1)
    res = measure_assumption3(R, steer(h0, v, LAM * R), h0, U, correct, k=10)
    assert res.normality.p_value < 1e-6


def test_assumption3_correct_outside_top_k_and_validation() -> None:
    x = np.random.default_rng(6).normal(size=100)
    U, h0, v = geometry(x, n_q=5)
    correct = np.argmin(h0 @ U.T, axis=1)  # never in the top 4
    res = measure_assumption3(R, steer(h0, v, LAM * R), h0, U, correct, k=4)
    assert not res.correct_in_top.any() and res.valid.all() and res.samples.size == 20
    with pytest.raises(ValueError, match="correct_ids"):
        measure_assumption3(R, steer(h0, v, LAM * R), h0, U, correct[:2], k=4)
    with pytest.raises(ValueError, match="h_steered"):
        measure_assumption3(R[:-1], steer(h0, v, LAM * R), h0, U, correct, k=4)


def _margin_geometry(delta: float):  # type: ignore[no-untyped-def]
    x = np.random.default_rng(7).normal(size=60)
    x[:5] = delta / 2 + np.array([0.0, 0.1, 0.5, 1.0, 2.0])  # aligned, min = delta/2
    x[5:10] = -delta / 2 - np.array([0.0, 0.2, 0.3, 0.7, 1.5])  # misaligned, max = -delta/2
    return geometry(x, n_q=8)


def test_assumption2_min_margin_and_orientation() -> None:
    U, h0, v = _margin_geometry(0.8)
    tokens = select_answer_tokens(h0 @ U.T, range(5), range(5, 10))
    res = measure_assumption2(R, steer(h0, v, LAM * R), h0, U, tokens)
    assert np.allclose(res.margin, 0.8, atol=1e-12)  # both signs of r_e: oriented
    sep = U[:5, 0].mean() - U[5:10, 0].mean()
    assert np.allclose(res.separation, sep, atol=1e-12) and sep > 0.8
    assert res.delta_min == pytest.approx(0.8, abs=1e-12) and res.reference_r == 0.5
    reversed_v = measure_assumption2(R, steer(h0, v, -LAM * R), h0, U, tokens)
    # v reversed: oriented projections are -x, margin = -max(x_A) + min(x_M) = -(0.4+2) - (0.4+1.5)
    assert np.allclose(reversed_v.margin, -4.3, atol=1e-12)


def test_select_answer_tokens_uses_unsteered_probabilities_only() -> None:
    z = np.log(np.array([[0.5, 0.1, 0.2, 0.05, 0.15], [0.3, 0.3, 0.1, 0.25, 0.05]]))
    sets = select_answer_tokens(z, [2, 1, 0], [4, 3], n_per_set=2)  # mean p: .4 .2 .15 .15 .1
    assert sets.positive_ids == (0, 1) and sets.negative_ids == (3, 4)
    assert sets.positive_prob == pytest.approx((0.4, 0.2))
    assert select_answer_tokens(z, [0, 1, 2], [3, 4], min_prob=0.12).negative_ids == (3,)
    with pytest.raises(ValueError, match="overlap"):
        select_answer_tokens(z, [0, 1], [1, 2])
    with pytest.raises(ValueError, match="no negative"):
        select_answer_tokens(z, [0], [3, 4], min_prob=0.3)


def test_theorem2_parameters_match_direct_computation() -> None:
    x = np.random.default_rng(8).normal(size=40)
    U, h0, v = geometry(x, n_q=4)
    z0 = h0 @ U.T
    correct = np.argmax(z0, axis=1)
    got = measure_theorem2_parameters(R, steer(h0, v, LAM * R), h0, U, correct, k=6)
    probs = special.softmax(z0, axis=1)
    for q in range(4):
        want = theorem2_parameters(probs[q], x, int(correct[q]), 6)
        assert np.allclose(astuple(got[q]), astuple(want), rtol=1e-12, atol=1e-15)
    letters = np.array([3, 7, 11, 19])
    restricted = measure_theorem2_parameters(
        R, steer(h0, v, LAM * R), h0, U, [0, 1, 2, 3], k=4, candidate_ids=letters
    )
    p = special.softmax(z0[:, letters], axis=1)
    want = theorem2_parameters(p[2], x[letters], 2, 4)
    assert np.allclose(astuple(restricted[2]), astuple(want), rtol=1e-12, atol=1e-15)
    assert restricted[2].eps == pytest.approx(0.0, abs=1e-12)
