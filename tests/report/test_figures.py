"""Plots render to PNG from the measurement and fit results, and draw the fitted parameters
exactly (no rescaled curve)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from steerbound.empirical.analysis.fits import (
    fit_behavior_tanh,
    fit_helpfulness_floor,
    fit_helpfulness_parabolic,
)
from steerbound.empirical.measure.assumptions import (
    measure_assumption1,
    measure_assumption2,
    measure_assumption3,
    select_answer_tokens,
)
from steerbound.report.figures import (
    plot_assumption1,
    plot_assumption2,
    plot_assumption3,
    plot_behavior_fit,
    plot_helpfulness_fits,
)
from steerbound.theory import helpfulness_floor_form

R = np.round(np.arange(-3, 3.0001, 0.25), 10)


@pytest.fixture(scope="module")
def world():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    U = rng.normal(size=(300, 8))
    U[:4, 0], U[4:8, 0] = 1.0 + rng.random(4), -1.0 - rng.random(4)
    h0 = rng.normal(size=(20, 8))
    h0[:, 0] = 0.0
    hs = h0[None] + 1.5 * np.tanh(R)[:, None, None] * np.eye(8)[0]
    return U, h0, hs


def _save(fig: Figure, path: Path) -> None:
    fig.savefig(path, dpi=60)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 2000


def test_behavior_plot_draws_the_fit(tmp_path: Path) -> None:
    y = np.tanh(0.7 * R + 0.2) + np.random.default_rng(1).normal(0, 0.02, R.size)
    fit = fit_behavior_tanh(R, np.clip(y, -1, 1))
    fig = plot_behavior_fit(R, np.clip(y, -1, 1), fit, ci=(y - 0.1, y + 0.1))
    curve = fig.axes[0].lines[1]
    assert np.allclose(curve.get_ydata(), fit.predict(curve.get_xdata()))
    _save(fig, tmp_path / "behavior.png")


def test_helpfulness_plot(tmp_path: Path) -> None:
    y = helpfulness_floor_form(R, 0.3, 0.8, 4)
    fits = [fit_helpfulness_parabolic(R, y), fit_helpfulness_floor(R, y, k=4)]
    fig = plot_helpfulness_fits(R, y, fits, k=4)
    assert len(fig.axes[0].lines) == 1 + len(fits) + 1  # data, two fits, the 1/k line
    _save(fig, tmp_path / "helpfulness.png")


def test_assumption_plots(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    U, h0, hs = world
    a1 = measure_assumption1(R, hs, h0, U, max_abs_r=1.0)
    fig1 = plot_assumption1(a1)
    assert len(fig1.axes) == 2  # hidden and logit space
    _save(fig1, tmp_path / "a1.png")
    correct = np.argmax(h0 @ U.T, axis=1)
    fig3 = plot_assumption3(measure_assumption3(R, hs, h0, U, correct, k=10))
    assert len(fig3.axes) == 3
    _save(fig3, tmp_path / "a3.png")
    tokens = select_answer_tokens(h0 @ U.T, range(4), range(4, 8))
    fig2 = plot_assumption2(measure_assumption2(R, hs, h0, U, tokens))
    assert len(fig2.axes) == 2
    _save(fig2, tmp_path / "a2.png")
