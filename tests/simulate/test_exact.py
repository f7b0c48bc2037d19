"""The exact steered quantities against brute-force formulas on tiny vocabularies."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steerbound.simulate import (
    behavior_expectation,
    chain_log_helpfulness,
    helpfulness,
    steered_log_probs,
    tilted_log_normaliser,
    tree_aligned_probability,
    tree_b0_bmin,
)
from steerbound.simulate.geometries import sample_answer_chains, sample_answer_trees


def brute(p0: np.ndarray, x: np.ndarray, a: float) -> np.ndarray:
    """Lemma 0 literally: P_r(t) = P0(t) e^{a x_t} / sum_s P0(s) e^{a x_s} (small |a| only)."""
    w = p0 * np.exp(a * x)
    out: np.ndarray = w / w.sum()
    return out


@settings(max_examples=60, deadline=None)
@given(
    v=st.integers(2, 6),
    seed=st.integers(0, 2**31 - 1),
    a=st.floats(-8.0, 8.0, allow_nan=False),
)
def test_matches_brute_force(v: int, seed: int, a: float) -> None:
    rng = np.random.default_rng(seed)
    p0 = rng.dirichlet(np.ones(v))
    p0 = np.maximum(p0, 1e-12) / np.maximum(p0, 1e-12).sum()
    x = rng.normal(size=v)
    scores = rng.uniform(-1, 1, size=v)
    lp = np.log(p0)[None]
    want = brute(p0, x, a)
    got = np.exp(steered_log_probs(lp, x[None], [a])[0, 0])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    b = behavior_expectation(lp, x[None], scores[None], [a])[0, 0]
    assert b == pytest.approx(float(want @ scores), abs=1e-13)
    for c in range(v):
        h = helpfulness(lp, x[None], [c], [a])[0, 0]
        assert h == pytest.approx(want[c], rel=1e-11, abs=1e-300)


def test_zero_steering_is_the_baseline() -> None:
    rng = np.random.default_rng(1)
    p0 = rng.dirichlet(np.ones(7), size=3)
    scores = np.where(rng.random((3, 7)) < 0.5, 1.0, -1.0)
    b = behavior_expectation(np.log(p0), rng.normal(size=(3, 7)), scores, [0.0])
    np.testing.assert_allclose(b[:, 0], (p0 * scores).sum(axis=1), atol=1e-15)


def test_chunking_does_not_change_a_bit() -> None:
    rng = np.random.default_rng(2)
    lp = np.log(rng.dirichlet(np.ones(300), size=9))
    x, w = rng.normal(size=(9, 300)), rng.uniform(-1, 1, size=(9, 300))
    a = rng.normal(size=(9, 17)) * 10
    big = behavior_expectation(lp, x, w, a, memory_budget_mb=512)
    tiny = behavior_expectation(lp, x, w, a, memory_budget_mb=0.001)  # one row per chunk
    assert np.array_equal(big, tiny)
    assert np.array_equal(
        tilted_log_normaliser(lp, x, a, memory_budget_mb=512),
        tilted_log_normaliser(lp, x, a, memory_budget_mb=0.01),
    )


@pytest.mark.parametrize("a", [1e6, -1e6, 1e9, -1e12])
def test_no_nan_or_inf_at_huge_steering(a: float) -> None:
    rng = np.random.default_rng(3)
    lp = np.log(rng.dirichlet(np.ones(50), size=4))
    x = rng.normal(size=(4, 50)) * 5
    scores = np.where(x > 0, 1.0, -1.0)
    b = behavior_expectation(lp, x, scores, [a])
    h = helpfulness(lp, x, np.zeros(4, dtype=int), [a])
    lse = tilted_log_normaliser(lp, x, [a])
    assert np.all(np.isfinite(b)) and np.all(np.abs(b) <= 1)
    assert np.all(np.isfinite(h)) and np.all((h >= 0) & (h <= 1))
    assert np.all(np.isfinite(lse))
    # In the limit the top-projection token takes all the mass.
    top = np.argmax(np.sign(a) * x, axis=1)
    np.testing.assert_allclose(b[:, 0], scores[np.arange(4), top], atol=1e-12)


def test_validation_names_the_argument() -> None:
    with pytest.raises(ValueError, match="proj"):
        behavior_expectation(np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((2, 3)), [0.0])
    with pytest.raises(ValueError, match="scores"):
        behavior_expectation(np.zeros((1, 2)), np.zeros((1, 2)), np.full((1, 2), 2.0), [0.0])
    with pytest.raises(ValueError, match="correct"):
        helpfulness(np.zeros((1, 2)), np.zeros((1, 2)), [5], [0.0])
    with pytest.raises(ValueError, match="memory_budget_mb"):
        tilted_log_normaliser(np.zeros((1, 2)), np.zeros((1, 2)), [0.0], memory_budget_mb=0)
    with pytest.raises(ValueError, match="a "):
        tilted_log_normaliser(np.zeros((1, 2)), np.zeros((1, 2)), [np.inf])


def test_tree_against_enumeration_of_responses() -> None:
    """P(aligned response) equals the sum over all-aligned token sequences of their products."""
    tree = sample_answer_trees(np.random.default_rng(4), 3, length=3, n_aligned=2, step_vocab=3)
    a = np.array([0.0, 0.7, -1.3, 4.0])
    got = tree_aligned_probability(tree, tree.lam[:, None] * a)
    for i in range(tree.n):
        for j, aj in enumerate(tree.lam[i] * a):
            total = 0.0
            for path in itertools.product(range(2), repeat=3):
                prob, node = 1.0, 0
                for level, tok in enumerate(path):
                    p = brute(np.exp(tree.log_p0[level][i, node]), tree.proj[level][i, node], aj)
                    prob *= p[tok]
                    node = node * 2 + tok
                total += prob
            assert got[i, j] == pytest.approx(total, abs=1e-13)
    b0, b_min = tree_b0_bmin(tree)
    np.testing.assert_allclose(b0, 2 * got[:, 0] - 1, atol=1e-15)
    root = np.exp(tree.log_p0[0][:, 0])
    root_b = root[:, :2].sum(axis=1) - root[:, 2:].sum(axis=1)
    assert np.all(b_min <= root_b + 1e-15) and np.all(b_min > -1)


def test_chain_is_a_product_of_steps() -> None:
    chain = sample_answer_chains(np.random.default_rng(5), 4, length=3, k=3, step_vocab=3)
    a = np.array([-2.0, 0.0, 0.5])
    got = np.exp(chain_log_helpfulness(chain, np.broadcast_to(a, (4, 3))))
    for i in range(4):
        for j, aj in enumerate(a):
            want = np.prod(
                [
                    brute(np.exp(chain.log_p0[i, s]), chain.proj[i, s], aj)[chain.correct[i, s]]
                    for s in range(3)
                ]
            )
            assert got[i, j] == pytest.approx(want, rel=1e-12)


def test_out_of_float_range_is_an_error_not_nan() -> None:
    """``a * x`` beyond float64 would give ``inf - inf``; zero-mass rows would give ``0/0``."""
    lp, x = np.log(np.full((1, 3), 1 / 3)), np.array([[0.0, 1.0, -1.0]])
    assert np.all(np.isfinite(tilted_log_normaliser(lp, x, [1e299, -1e299])))
    with pytest.raises(ValueError, match="float64 range"):
        tilted_log_normaliser(lp, 1e10 * x, [1e299])
    with pytest.raises(ValueError, match="float64 range"):
        helpfulness(lp, x, [0], [1e301])
    with pytest.raises(ValueError, match="finite entry"):
        behavior_expectation(np.full((1, 2), -np.inf), np.zeros((1, 2)), np.ones((1, 2)), [0.0])


def test_zero_mass_tokens_at_huge_steering() -> None:
    """Tokens of zero unsteered mass stay at zero however far they project (no NaN)."""
    with np.errstate(divide="ignore"):
        lp = np.log(np.array([[0.5, 0.5, 0.0]]))
    x = np.array([[0.0, -1.0, 50.0]])
    for a in (1e6, -1e6, 1e250):
        h = helpfulness(lp, x, [0], [a])
        b = behavior_expectation(lp, x, np.array([[1.0, -1.0, -1.0]]), [a])
        assert np.all(np.isfinite(h)) and np.all(np.isfinite(b))
        expected = 1.0 if a > 0 else 0.0
        np.testing.assert_allclose(h, expected, atol=1e-300)
        np.testing.assert_allclose(b, 2 * expected - 1, atol=1e-15)
