"""Hidden-state reading and vector extraction, checked against independent computations."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from steerbound.empirical.data.prompts import ContrastPair
from steerbound.empirical.model.blocks import decoder_blocks
from steerbound.empirical.vectors.extraction import (
    dataset_hash,
    extract_vector,
    fit_direction,
    last_token_hidden_states,
    pair_flip_signs,
    split_pairs,
)

from ..conftest import NEGATIVE, PAIRS, POSITIVE, PROMPTS


@torch.no_grad()
def test_padding_side_does_not_matter(model_and_tokenizer: tuple[Any, Any]) -> None:
    model, tok = model_and_tokenizer
    layers = list(range(len(decoder_blocks(model))))
    original = tok.padding_side
    try:
        tok.padding_side = "left"
        left = last_token_hidden_states(model, tok, POSITIVE, layers, batch_size=5)
        tok.padding_side = "right"
        right = last_token_hidden_states(model, tok, POSITIVE, layers, batch_size=3)
    finally:
        tok.padding_side = original
    for layer in layers:
        torch.testing.assert_close(left[layer], right[layer], rtol=0, atol=1e-5)


@torch.no_grad()
def test_reads_hidden_states_at_last_real_token(model_and_tokenizer: tuple[Any, Any]) -> None:
    model, tok = model_and_tokenizer
    n = len(decoder_blocks(model))
    states = last_token_hidden_states(model, tok, PROMPTS, list(range(n - 1)), batch_size=4)
    for i, prompt in enumerate(PROMPTS):
        ids = tok([prompt], return_tensors="pt")["input_ids"]
        hidden = model(ids, output_hidden_states=True).hidden_states
        for layer in range(n - 1):
            torch.testing.assert_close(
                states[layer][i], hidden[layer + 1][0, -1], rtol=0, atol=1e-5
            )


def _numpy_repe_pca(diffs: np.ndarray, seed: int) -> np.ndarray:
    """Independent RepE PCA: the documented seeded random order within each pair (a balanced
    half of the differences negated), recentre, first right singular vector, majority vote."""
    flip = np.random.default_rng(seed).permutation(len(diffs)) < len(diffs) // 2
    flipped = np.where(flip[:, None], -diffs, diffs)
    _, _, vt = np.linalg.svd(flipped - flipped.mean(axis=0), full_matrices=False)
    direction = vt[0] / np.linalg.norm(vt[0])
    projections = diffs @ direction
    votes = np.sign(projections).sum()
    return -direction if votes < 0 or (votes == 0 and projections.mean() < 0) else direction


def test_pca_matches_numpy(model_and_tokenizer: tuple[Any, Any]) -> None:
    model, tok = model_and_tokenizer
    vector = extract_vector(model, tok, PAIRS, [0, 1], "pca", holdout_fraction=0.25, seed=3)
    states = last_token_hidden_states(model, tok, POSITIVE + NEGATIVE, [0, 1])
    train, _ = split_pairs(len(PAIRS), 0.25, 3)
    for layer in (0, 1):
        diffs = (states[layer][: len(PAIRS)] - states[layer][len(PAIRS) :]).double().numpy()[train]
        expected = _numpy_repe_pca(diffs, seed=3)
        ours = vector.directions[layer].double().numpy()
        np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-6)  # sign included
        assert np.linalg.norm(ours) == pytest.approx(1.0, abs=1e-6)
        assert (np.sign(diffs @ ours).sum()) >= 0


def test_pair_flip_signs_are_balanced_and_seeded() -> None:
    for n in (2, 3, 8, 33):
        signs = pair_flip_signs(n, seed=5)
        assert set(np.unique(signs)) <= {-1.0, 1.0} and int((signs < 0).sum()) == n // 2
        np.testing.assert_array_equal(signs, pair_flip_signs(n, seed=5))
    assert not np.array_equal(pair_flip_signs(64, 0), pair_flip_signs(64, 1))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pca_finds_the_shared_direction_of_the_differences(seed: int) -> None:
    """Regression: d_i = m u + noise with a constant shared part. Recentring without the random
    pair order removes m u entirely (the old behaviour: a direction of the noise, about
    orthogonal to u); RepE PCA with the flips recovers u, oriented towards the positives."""
    rng = np.random.default_rng(seed)
    n, hidden, m = 48, 32, 1.0
    u = rng.normal(size=hidden)
    u /= np.linalg.norm(u)
    noise = rng.normal(scale=0.4 / np.sqrt(hidden), size=(n, hidden))  # ||noise|| ~ 0.4 < m
    diffs = m * u + noise
    found = fit_direction(torch.from_numpy(diffs), "pca", seed=seed).numpy()
    assert abs(float(found @ u)) > 0.95
    assert float(found @ u) > 0  # + = towards the positive examples
    # the old recentred-only PCA fails this very check: the test can fail
    _, _, vt = np.linalg.svd(diffs - diffs.mean(axis=0), full_matrices=False)
    assert abs(float(vt[0] @ u)) < 0.5
    mean_diff = fit_direction(torch.from_numpy(diffs), "mean_diff").numpy()
    assert float(mean_diff @ u) > 0.95


def test_swapping_pairs_negates_the_vector(llama: tuple[Any, Any]) -> None:
    model, tok = llama
    swapped = [(neg, pos) for pos, neg in PAIRS]
    for method in ("pca", "mean_diff"):
        a = extract_vector(model, tok, PAIRS, [1, 2], method)
        b = extract_vector(model, tok, swapped, [1, 2], method)
        for layer in (1, 2):
            torch.testing.assert_close(a.directions[layer], -b.directions[layer], rtol=0, atol=1e-6)
        assert a.manifest.dataset_hash != b.manifest.dataset_hash


def test_mean_diff_and_manifest(llama: tuple[Any, Any]) -> None:
    model, tok = llama
    pairs = [ContrastPair(p, n) for p, n in PAIRS]
    vector = extract_vector(model, tok, pairs, [2], "mean_diff", holdout_fraction=0.0)
    states = last_token_hidden_states(model, tok, POSITIVE + NEGATIVE, [2])[2].double()
    mean = (states[: len(PAIRS)] - states[len(PAIRS) :]).mean(dim=0)
    torch.testing.assert_close(vector.directions[2].double(), mean / mean.norm(), rtol=0, atol=1e-6)
    m = vector.manifest
    assert m.read_accuracy_split == "train" and m.n_pairs == len(PAIRS) and m.method == "mean_diff"
    # mean difference: the mean projection of the differences is positive by construction
    assert m.read_accuracy[2] > 0.5
    assert m.mean_residual_norm[2] == pytest.approx(float(states.norm(dim=1).mean()))
    assert m.dataset_hash == dataset_hash(PAIRS) and len(m.dataset_hash) == 64
    assert m.scale == {2: 1.0}


def test_fit_direction_recovers_a_planted_direction() -> None:
    generator = torch.Generator().manual_seed(0)
    truth = torch.randn(16, generator=generator).double()
    truth /= truth.norm()
    size = 3.0 + torch.rand(40, 1, generator=generator).double()
    diffs = size * truth + 0.05 * torch.randn(40, 16, generator=generator).double()
    for method in ("pca", "mean_diff"):
        found = fit_direction(diffs, method)
        assert float(found @ truth) > 0.99
        assert float(fit_direction(-diffs, method) @ truth) < -0.99


def test_errors(llama: tuple[Any, Any]) -> None:
    model, tok = llama
    with pytest.raises(ValueError, match="at least 2 pairs"):
        extract_vector(model, tok, PAIRS[:1], [0])
    with pytest.raises(ValueError, match="method"):
        extract_vector(model, tok, PAIRS, [0], "svm")
    with pytest.raises(ValueError, match=r"pairs\[1\]"):
        extract_vector(model, tok, [PAIRS[0], ("only one",)], [0])
    with pytest.raises(ValueError, match="do not exist"):
        last_token_hidden_states(model, tok, PROMPTS, [9])
    with pytest.raises(ValueError, match="holdout_fraction"):
        split_pairs(8, 1.0, 0)
