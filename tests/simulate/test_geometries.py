"""Every sampler really satisfies (or, in its broken variants, violates) its hypotheses."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from steerbound.simulate.geometries import (
    PROJECTION_LAWS,
    realise_unembedding,
    sample_answer_trees,
    sample_general_score,
    sample_hard_margin,
    sample_soft_margin,
    sample_topk,
    sample_trinary,
)
from steerbound.simulate.geometries.base import TokenGeometry

VOCAB = (2, 3, 17, 400)


def margin(g: TokenGeometry, upper: np.ndarray) -> np.ndarray:
    """min projection of the upper set minus max projection of the rest, per geometry."""
    lo = np.where(upper, g.proj, np.inf).min(axis=1)
    hi = np.where(upper, -np.inf, g.proj).max(axis=1)
    out: np.ndarray = lo - hi
    return out


def assert_normalised(g: TokenGeometry) -> None:
    np.testing.assert_allclose(np.exp(g.log_p0).sum(axis=1), 1.0, atol=1e-12)
    assert np.all(np.isfinite(g.log_p0)) and np.all(np.isfinite(g.proj))


@pytest.mark.parametrize("variant", ["valid", "two_cluster", "no_margin", "margin_overstated"])
def test_hard_margin(variant: str) -> None:
    blocks = sample_hard_margin(
        np.random.default_rng(0),
        40,
        VOCAB,
        variant=variant,
        matrix_shapes=((50, 8), (300, 64)) if variant == "valid" else (),
    )
    assert sum(g.n for g in blocks) == 40 + (2 if variant == "valid" else 0)
    for g in blocks:
        assert_normalised(g)
        assert g.scores is not None
        aligned = g.scores > 0
        assert np.all(aligned.any(axis=1)) and np.all((~aligned).any(axis=1))
        m, claimed = margin(g, aligned), g.claims["delta"]
        if variant in ("valid", "two_cluster"):
            assert np.all(m >= claimed - 1e-12)
        elif variant == "no_margin":
            assert np.all(m < 0)
        else:
            assert np.all(m < claimed * 1.29)
        if variant == "two_cluster":
            np.testing.assert_allclose(m, claimed, rtol=1e-12)
            for xs, mask in ((g.proj, aligned), (g.proj, ~aligned)):
                spread = np.where(mask, xs, -np.inf).max(1) - np.where(mask, xs, np.inf).min(1)
                assert np.all(spread == 0)


def test_matrix_geometries_come_from_a_real_unembedding() -> None:
    rng = np.random.default_rng(1)
    target = rng.normal(size=200)
    logits, proj = realise_unembedding(np.random.default_rng(7), 200, 16, target_proj=target)
    free_logits, free_proj = realise_unembedding(np.random.default_rng(7), 200, 16)
    np.testing.assert_allclose(proj, target, atol=1e-12)
    # Moving rows along v (orthogonal to h) leaves the logits unchanged.
    np.testing.assert_allclose(logits, free_logits, atol=1e-12)
    assert abs(np.corrcoef(free_logits, free_proj)[0, 1]) < 0.3
    with pytest.raises(ValueError, match="along_h"):
        realise_unembedding(rng, 10, 4, along_h=1.0)


@pytest.mark.parametrize("variant", ["valid", "eps_understated"])
def test_soft_margin_masses_and_depth_exact(variant: str) -> None:
    """Rebuild the groups from the sampler's own label draw and check eps, margin and depth."""
    from steerbound.simulate.geometries import soft_margin as sm

    rng = np.random.default_rng(3)
    labels = sm.random_groups(np.random.default_rng(3), 25, 12, [1, 1, 1, 1])
    (g,) = sample_soft_margin(rng, 25, (12,), variant=variant)
    assert np.array_equal(np.where(labels == sm.A_CLEAN, 1, 0).sum(1) > 0, np.ones(25, bool))
    assert np.array_equal(np.where((labels == 0) | (labels == 3), 1.0, -1.0), g.scores)
    eps = np.where((labels == sm.M_MIS) | (labels == sm.A_MIS), g.p0, 0).sum(axis=1)
    factor = 1.0 if variant == "valid" else 0.1  # the broken variant understates eps tenfold
    np.testing.assert_allclose(factor * eps, g.claims["eps_mis"], rtol=1e-9)
    assert np.all(1 + (g.p0 * g.scores).sum(axis=1) > 2 * eps)
    a_min = np.where(labels == sm.A_CLEAN, g.proj, np.inf).min(axis=1)
    m_clean_max = np.where(labels == sm.M_CLEAN, g.proj, -np.inf).max(axis=1)
    m_mis_max = np.where(labels == sm.M_MIS, g.proj, -np.inf).max(axis=1)
    assert np.all(a_min - m_clean_max >= g.claims["delta"] - 1e-12)
    np.testing.assert_allclose(m_mis_max - a_min, g.claims["depth"], atol=1e-12)
    if variant == "eps_understated":  # misclassified tokens sit above the whole aligned cluster
        a_max = np.where(labels == sm.A_CLEAN, g.proj, -np.inf).max(axis=1)
        assert np.all(m_mis_max > a_max)


@pytest.mark.parametrize("variant", ["valid", "no_margin"])
def test_trinary(variant: str) -> None:
    for g in sample_trinary(np.random.default_rng(4), 30, VOCAB, variant=variant):
        assert_normalised(g)
        assert g.scores is not None
        assert set(np.unique(g.scores)) <= {-1.0, 0.0, 1.0}
        m = margin(g, g.scores == 1.0)
        assert np.all(m >= g.claims["delta"] - 1e-12) if variant == "valid" else np.all(m < 0)


@pytest.mark.parametrize("variant", ["valid", "margin_overstated"])
def test_general_score(variant: str) -> None:
    for g in sample_general_score(np.random.default_rng(5), 30, VOCAB, variant=variant):
        assert_normalised(g)
        assert g.scores is not None
        b = g.claims["b"][:, None]
        upper = g.scores >= b
        assert np.all(np.abs(g.scores) <= 1) and np.all((b > -1) & (b <= 1))
        m = margin(g, upper)
        if variant == "valid":
            assert np.all(m >= g.claims["delta"] - 1e-12)
        else:
            assert np.all(m < g.claims["delta"] / 1.29)


@pytest.mark.parametrize("law", PROJECTION_LAWS)
def test_topk_structure_and_exchangeability(law: str) -> None:
    k, n = 4, 3000
    (g,) = sample_topk(np.random.default_rng(6), n, k, [k], law=law)
    assert g.correct is not None
    assert_normalised(g)
    x_c = g.proj[np.arange(n), g.correct]
    # Rank of the correct token among the k projections is uniform (exchangeability).
    rank = (g.proj < x_c[:, None]).sum(axis=1)
    assert stats.chisquare(np.bincount(rank, minlength=k)).pvalue > 1e-3
    # Permutation check: x_c has the law of any other top-k projection.
    other = g.proj[np.arange(n), (g.correct + 1) % k]
    assert stats.ks_2samp(x_c, other).pvalue > 1e-3


def test_topk_with_tail_and_broken_direction() -> None:
    k = 5
    for g in sample_topk(
        np.random.default_rng(7), 60, k, [k, 40, 2000], matrix_shapes=((300, 32),)
    ):
        assert g.correct is not None
        assert_normalised(g)
        p = g.p0
        order = np.sort(p, axis=1)[:, ::-1]
        assert np.all(order[:, k - 1] > order[:, k] if g.vocab > k else True)  # strict top-k
        kth = order[:, k - 1]
        assert np.all(p[np.arange(g.n), g.correct] >= kth)  # c is in T
    (bad,) = sample_topk(np.random.default_rng(8), 3000, k, [k], variant="along_h")
    assert bad.correct is not None
    x_c = bad.proj[np.arange(3000), bad.correct]
    rank = (bad.proj < x_c[:, None]).sum(axis=1)
    assert stats.chisquare(np.bincount(rank, minlength=k)).pvalue < 1e-6


@pytest.mark.parametrize("variant", ["valid", "step_without_margin"])
def test_answer_trees(variant: str) -> None:
    tree = sample_answer_trees(
        np.random.default_rng(9), 50, length=3, n_aligned=2, step_vocab=4, variant=variant
    )
    broken = np.zeros(tree.n, dtype=int)
    for lp, x in zip(tree.log_p0, tree.proj, strict=True):
        np.testing.assert_allclose(np.exp(lp).sum(axis=-1), 1.0, atol=1e-12)
        m = x[..., :2].min(axis=-1) - x[..., 2:].max(axis=-1)
        ok = m >= tree.claims["delta"][:, None] - 1e-12
        broken += (~ok).sum(axis=1)
    expected = 0 if variant == "valid" else 1
    assert np.all(broken == expected)


def test_same_seed_same_geometries() -> None:
    a = sample_topk(np.random.default_rng(11), 20, 3, [3, 50], law="student_t3")
    b = sample_topk(np.random.default_rng(11), 20, 3, [3, 50], law="student_t3")
    c = sample_topk(np.random.default_rng(12), 20, 3, [3, 50], law="student_t3")
    for x, y in zip(a, b, strict=True):
        assert np.array_equal(x.log_p0, y.log_p0) and np.array_equal(x.proj, y.proj)
        assert x.correct is not None and y.correct is not None
        assert np.array_equal(x.correct, y.correct)
    assert not np.array_equal(a[0].proj, c[0].proj)
