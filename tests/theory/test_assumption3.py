"""Assumption 3's probabilities and Corollary 3's union bound: values, validation, and a
Monte-Carlo check that 1/k and 1 - 2/k are the frequencies for exchangeable projections."""

from __future__ import annotations

import numpy as np
import pytest

import steerbound.theory as T


@pytest.mark.parametrize("k", [2, 3, 4, 10, 400])
def test_assumption3_values(k: int) -> None:
    assert T.assumption3_argmin_probability(k) == pytest.approx(1 / k, rel=1e-15)
    assert T.assumption3_both_sides_probability(k) == pytest.approx(1 - 2 / k, abs=1e-15)


def test_assumption3_frequencies_match() -> None:
    rng = np.random.default_rng(0)
    k, n = 5, 200_000
    x = rng.normal(size=(n, k))  # column 0 is the correct token c
    argmin = np.mean(np.argmin(x, axis=1) == 0)
    both = np.mean((np.argmin(x, axis=1) != 0) & (np.argmax(x, axis=1) != 0))
    assert argmin == pytest.approx(T.assumption3_argmin_probability(k), abs=4e-3)
    assert both == pytest.approx(T.assumption3_both_sides_probability(k), abs=4e-3)


def test_corollary3_probability_values() -> None:
    got = T.corollary3_probability(10, np.array([1, 2, 5, 7]))
    np.testing.assert_allclose(got, [0.8, 0.6, 0.0, 0.0], rtol=0, atol=1e-15)
    assert T.corollary3_probability(4, 1) == pytest.approx(T.assumption3_both_sides_probability(4))


@pytest.mark.parametrize("bad", [1, 0, -3, 2.5, float("nan"), float("inf"), True, "x"])
def test_k_validation_names_k(bad: object) -> None:
    for fn in (T.assumption3_argmin_probability, T.assumption3_both_sides_probability):
        with pytest.raises(ValueError, match="k"):
            fn(bad)


@pytest.mark.parametrize("bad", [0, 1.5, -1, float("nan")])
def test_length_validation_names_length(bad: float) -> None:
    with pytest.raises(ValueError, match="length"):
        T.corollary3_probability(10, bad)
