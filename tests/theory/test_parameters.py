"""theorem2_parameters on hand-computed geometries."""

from __future__ import annotations

import numpy as np
import pytest

from steerbound.theory import theorem2_parameters


def test_counterexample_geometry() -> None:
    probs = np.array([0.5, 0.25, 0.25])
    x = np.array([0.0, 1.0, -3.0])
    par = theorem2_parameters(probs, x, correct=0, k=3)
    assert (par.p0, par.q_plus, par.q_minus) == (0.5, 0.25, 0.25)
    assert (par.g_plus, par.g_minus) == (1.0, 3.0)
    assert par.alpha == pytest.approx(1.0)
    assert par.sigma == pytest.approx(2.0)
    assert par.sigma * par.beta == pytest.approx(1.0)
    assert par.eps == pytest.approx(0.0)


def test_tail_and_empty_side() -> None:
    probs = np.array([0.1, 0.6, 0.2, 0.1])
    x = np.array([5.0, 1.0, 2.0, 0.0])
    par = theorem2_parameters(probs, x, correct=0, k=3, sigma=1.5)
    assert par.q_plus == 0.0 and par.g_plus == 0.0 and par.alpha == 0.0
    assert par.q_minus == pytest.approx(0.8)
    assert par.eps == pytest.approx(0.1)
    assert par.sigma == 1.5 and par.beta == 0.0


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"correct": 3, "k": 2}, "correct"),
        ({"correct": 0, "k": 0}, "k"),
        ({"correct": 9, "k": 2}, "correct"),
    ],
)
def test_errors(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        theorem2_parameters(np.array([0.4, 0.3, 0.2, 0.1]), np.zeros(4), **kwargs)


def test_probs_must_sum_to_one() -> None:
    with pytest.raises(ValueError, match="probs"):
        theorem2_parameters(np.array([0.4, 0.3]), np.zeros(2), correct=0, k=2)
