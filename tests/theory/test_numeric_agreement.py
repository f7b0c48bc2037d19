"""The numeric bounds agree with their sympy statements (rtol 1e-12) at random points."""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import steerbound.theory as T
from steerbound.theory import expressions as E
from steerbound.theory import symbols as S

from .conftest import evalf_at

fin = st.floats
r_s = fin(-30, 30)
r_nn = fin(0, 30)  # Theorems 3-6: r_e >= 0
pos = fin(0.01, 3)
unit_open = fin(-0.99, 0.99)
prob = fin(0.001, 0.999)


def _agree(num: float, expr: sp.Expr, values: dict[sp.Symbol, float]) -> None:
    ref = evalf_at(expr, values)
    assert np.isfinite(num)
    assert np.isclose(num, ref, rtol=1e-12, atol=1e-15), (num, ref, values)


SET = settings(max_examples=40, deadline=None)


@SET
@given(r_s, unit_open, pos, pos)
def test_theorem1(r: float, b0: float, lam: float, delta: float) -> None:
    vals = {S.r_e: r, S.B0: b0, S.lam: lam, S.Delta: delta}
    _agree(T.theorem1_bound(r, b0, lam, delta), E.theorem1().target, vals)


@SET
@given(fin(0.001, 1.9), unit_open, pos, pos)
def test_corollary1(eps: float, b0: float, lam: float, delta: float) -> None:
    vals = {S.target_eps: eps, S.B0: b0, S.lam: lam, S.Delta: delta}
    _agree(T.corollary1_threshold(eps, b0, lam, delta), E.corollary1().target, vals)


@SET
@given(fin(0, 20), unit_open, pos, pos, fin(0, 0.3), fin(-2, 2))
def test_theorem3(r: float, b0: float, lam: float, delta: float, em: float, d: float) -> None:
    em = min(em, (1 + b0) / 2 * 0.9)
    vals = {S.r_e: r, S.B0: b0, S.lam: lam, S.Delta: delta, S.eps_mis: em, S.D: d}
    _agree(T.theorem3_bound(r, b0, lam, delta, em, d), E.theorem3().target, vals)


@SET
@given(r_nn, prob, fin(0, 1), pos, pos, st.sampled_from(["verified", "published"]))
def test_theorem4(r: float, pp: float, split: float, lam: float, delta: float, form: str) -> None:
    pm = (1 - pp) * split
    pz = 1 - pp - pm
    pm = max(pm, 1e-6)  # the verified form's tanh term needs p- > 0 symbolically
    pz = 1 - pp - pm
    if pz < 0:
        return
    vals = {S.r_e: r, S.p_plus: pp, S.p_minus: pm, S.p_zero: pz, S.lam: lam, S.Delta: delta}
    expr = (E.theorem4_verified() if form == "verified" else E.theorem4_published()).target
    _agree(T.theorem4_bound(r, pp, pm, pz, lam, delta, form=form), expr, vals)


@SET
@given(r_nn, prob, fin(-0.99, 1), pos, pos)
def test_theorem5(r: float, p: float, b: float, lam: float, delta: float) -> None:
    vals = {S.r_e: r, S.p_ge: p, S.b_thr: b, S.lam: lam, S.Delta: delta}
    _agree(T.theorem5_bound(r, p, b, lam, delta), E.theorem5().target, vals)


@SET
@given(fin(0, 30), unit_open, st.integers(1, 20), pos, pos)
def test_theorem6(r: float, b: float, ell: int, lam: float, delta: float) -> None:
    vals = {S.r_e: r, S.B_min: b, S.ell: ell, S.lam: lam, S.Delta: delta}
    _agree(T.theorem6_bound(r, b, ell, lam, delta), E.theorem6().target, vals)


@SET
@given(r_s, prob, fin(0, 1), fin(0, 1), fin(0, 3), fin(0, 3), pos)
def test_theorem2_jensen(
    r: float, p0: float, a: float, b: float, gp: float, gm: float, lam: float
) -> None:
    qp, qm = (1 - p0) * a * b, (1 - p0) * a * (1 - b)
    vals = {
        S.r_e: r,
        S.P0: p0,
        S.Q_plus: qp,
        S.Q_minus: qm,
        S.G_plus: gp,
        S.G_minus: gm,
        S.lam: lam,
    }
    _agree(T.theorem2_jensen_bound(r, p0, qp, qm, gp, gm, lam), E.theorem2_jensen().target, vals)


@SET
@given(r_s, prob, fin(0.001, 1), pos, pos, pos, st.sampled_from(["verified", "published"]))
def test_theorem2_parabolic(
    r: float, p0: float, alpha: float, lam: float, sigma: float, beta: float, form: str
) -> None:
    vals = {S.r_e: r, S.P0: p0, S.alpha: alpha, S.lam: lam, S.sigma: sigma, S.beta: beta}
    expr = (E.theorem2_verified() if form == "verified" else E.theorem2_published()).target
    _agree(T.theorem2_parabolic_bound(r, p0, alpha, lam, sigma, beta, form=form), expr, vals)


@SET
@given(r_s, prob, fin(0.001, 1), pos, fin(0, 3), fin(0, 3))
def test_theorem2_tilted(
    r: float, p0: float, alpha: float, lam: float, gp: float, gm: float
) -> None:
    vals = {S.r_e: r, S.P0: p0, S.alpha: alpha, S.lam: lam, S.G_plus: gp, S.G_minus: gm}
    _agree(T.theorem2_tilted_bound(r, p0, alpha, lam, gp, gm), E.theorem2_tilted().target, vals)


@SET
@given(fin(-3, 3), prob, fin(0, 1), pos, pos)
def test_expected_helpfulness(r: float, p0: float, frac: float, lam: float, sigma: float) -> None:
    s2 = frac * (1 - p0) ** 2
    vals = {S.r_e: r, S.P0: p0, S.sum_sq: s2, S.lam: lam, S.sigma: sigma}
    num = T.expected_helpfulness_quadratic(r, p0, s2, lam, sigma)
    ref = evalf_at(E.expected_helpfulness().expr, vals)
    assert np.isclose(num, ref, rtol=1e-12, atol=1e-14)


@SET
@given(r_s, prob, fin(0.001, 1), pos, pos, pos, st.integers(2, 50))
def test_corollary2(
    r: float, p0: float, alpha: float, lam: float, sigma: float, beta: float, k: int
) -> None:
    vals = {S.r_e: r, S.P0: p0, S.alpha: alpha, S.lam: lam, S.sigma: sigma, S.beta: beta, S.k: k}
    num = T.corollary2_heuristic_curve(r, p0, alpha, lam, sigma, beta, k)
    _agree(num, E.corollary2_heuristic().target, vals)
    assert T.corollary2_limit(k) == 1 / k


@SET
@given(
    r_s,
    st.lists(st.tuples(prob, fin(0.001, 1), pos, pos), min_size=1, max_size=4),
    pos,
    st.sampled_from(["verified", "published"]),
)
def test_corollary3_is_product_of_steps(r: float, steps: list, lam: float, form: str) -> None:
    p, a, s, b = (np.array(x) for x in zip(*steps, strict=True))
    expr = (E.theorem2_verified() if form == "verified" else E.theorem2_published()).target
    ref = np.prod(
        [
            evalf_at(expr, {S.r_e: r, S.P0: pi, S.alpha: ai, S.lam: lam, S.sigma: si, S.beta: bi})
            for pi, ai, si, bi in steps
        ]
    )
    assert np.isclose(T.corollary3_bound(r, p, a, lam, s, b, form=form), ref, rtol=1e-12)


@SET
@given(r_s, fin(-3, 3), fin(-3, 3), fin(0, 5), fin(-3, 3), st.integers(2, 20))
def test_fit_forms(r: float, slope: float, offset: float, a: float, b: float, k: int) -> None:
    assert np.isclose(
        T.behavior_tanh_form(r, slope, offset), np.tanh(slope * r + offset), rtol=1e-12, atol=1e-15
    )
    para = 1 / (1 + a + a * b**2 / 2 * r**2)
    assert np.isclose(T.helpfulness_parabolic_form(r, a, b), para, rtol=1e-12)
    assert np.isclose(T.helpfulness_floor_form(r, a, b, k), (1 - 2 / k) * para + 1 / k, rtol=1e-12)


def test_fit_form_matches_theorem2_published() -> None:
    p0, alpha, lam, sigma, beta, r = 0.6, 0.7, 1.3, 0.9, 0.4, np.linspace(-5, 5, 11)
    a, b = alpha * (1 - p0) / p0, lam * sigma * beta
    got = T.helpfulness_parabolic_form(r, a, b)
    want = T.theorem2_parabolic_bound(r, p0, alpha, lam, sigma, beta, form="published")
    np.testing.assert_allclose(got, want, rtol=1e-12)
    verified = T.theorem2_parabolic_bound(r, p0, alpha, lam, sigma, beta)
    np.testing.assert_allclose(T.helpfulness_parabolic_form(r, a / 2, b), verified, rtol=1e-12)
