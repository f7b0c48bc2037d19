"""Plots specific to ``steerbound demo``: the tradeoff frontier, the marginal gain/loss ratio,
per-layer read accuracy, and behavior/helpfulness by metric.

Same conventions as :mod:`steerbound.report.figures` (object-oriented matplotlib on the
Agg canvas, fitted curves drawn with the fitted parameters, data never smoothed). Inputs are the
plain arrays and result objects of :mod:`steerbound.empirical` (``tradeoff``, ``metrics``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def _figure(ncols: int = 1, width: float = 5.0, height: float = 3.8) -> tuple[Figure, list[Axes]]:
    fig = Figure(figsize=(width * ncols, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]


def plot_frontier(
    frontiers: Mapping[str, Any],
    recommendations: Mapping[str, Any] | None = None,
    regimes: Mapping[str, Any] | None = None,
) -> Figure:
    """Behavior against helpfulness along each setting's steering direction (points labelled by
    ``r_e``), the efficient part of the frontier drawn bold, and the recommended coefficient."""
    fig, (ax,) = _figure(width=6.0, height=4.5)
    for i, (name, f) in enumerate(frontiers.items()):
        color = f"C{i}"
        ax.plot(f.helpfulness, f.behavior, "o-", ms=3, lw=1, color=color, label=name)
        for r, h, b in list(zip(f.r_e, f.helpfulness, f.behavior, strict=True))[::4]:
            ax.annotate(f"{r:g}", (h, b), fontsize=6, xytext=(3, 2), textcoords="offset points")
        for lo, hi in regimes[name].intervals if regimes and name in regimes else []:
            inside = (np.abs(f.r_e) >= abs(lo) - 1e-12) & (np.abs(f.r_e) <= abs(hi) + 1e-12)
            ax.plot(
                f.helpfulness[inside],
                f.behavior[inside],
                "-",
                lw=4,
                alpha=0.35,
                color=color,
                label=f"{name}: efficient for |r_e| in [{abs(lo):.3g}, {abs(hi):.3g}]",
            )
        if recommendations and name in recommendations:
            rec = recommendations[name]
            ax.plot(
                rec.measured_helpfulness,
                rec.measured_behavior,
                "*",
                ms=14,
                color=color,
                markeredgecolor="k",
                label=f"{name}: r_e={rec.r_e:.3g} for a {rec.budget:.0%} budget",
            )
    ax.set(
        xlabel="helpfulness P(correct) over the options",
        ylabel="behavior expectation B",
        title="Tradeoff frontier (parametrised by r_e)",
        ylim=(-1.05, 1.05),
    )
    ax.invert_xaxis()
    ax.legend(fontsize=7)
    return fig


def plot_marginal_ratio(regimes: Mapping[str, Any]) -> Figure:
    """The marginal alignment gain per unit of helpfulness lost along each setting's fitted
    curves, with the threshold (1) and the end of the efficient regime."""
    fig, (ax,) = _figure()
    for i, (name, reg) in enumerate(regimes.items()):
        x, y = np.abs(reg.r_dense[1:]), reg.ratio_dense[1:]
        finite = np.isfinite(y) & (y > 0)
        ax.semilogy(x[finite], y[finite], "-", color=f"C{i}", label=name)
        for lo, hi in reg.intervals:
            ax.axvspan(abs(lo), abs(hi), color=f"C{i}", alpha=0.08)
    ax.axhline(1.0, color="0.3", ls="--", lw=1, label="gain = loss")
    ax.set(
        xlabel="|r_e| along the steering direction",
        ylabel="dB / (-dH)  (fitted curves)",
        title="Alignment gain per unit of helpfulness lost",
    )
    ax.legend(fontsize=7)
    return fig


def plot_read_accuracy(
    read_accuracy: Mapping[str, Mapping[int, float]], steered: Mapping[str, int]
) -> Figure:
    """Per-layer read accuracy of each setting's vector (held-out pairs); the steered layer is
    outlined."""
    fig, (ax,) = _figure()
    width = 0.8 / max(1, len(read_accuracy))
    for i, (name, acc) in enumerate(read_accuracy.items()):
        layers = sorted(acc)
        bars = ax.bar(np.array(layers) + i * width, [acc[l] for l in layers], width, label=name)
        for layer, bar in zip(layers, bars, strict=True):
            if layer == steered.get(name):
                bar.set_edgecolor("k")
                bar.set_linewidth(2)
    ax.axhline(0.5, color="0.5", ls="--", lw=1)
    ax.set(
        xlabel="decoder block (0-based)",
        ylabel="read accuracy",
        ylim=(0, 1.05),
        title="Steering vector read accuracy per layer",
    )
    ax.legend(fontsize=7)
    return fig


def plot_behavior_metrics(
    r_e: Any,
    behavior: Any,
    behavior_full: Any,
    judged: Mapping[float, Any],
    title: str = "Behavior by metric",
) -> Figure:
    """Behavior from first-token probabilities (normalised over the two tokens and over the
    full vocabulary) and from judged greedy generations (Wilson interval)."""
    fig, (ax,) = _figure()
    ax.plot(r_e, behavior, "o-", ms=3, label="first token, normalised over {+,-}")
    ax.plot(r_e, behavior_full, "s-", ms=3, label="first token, full vocabulary")
    xs = [c for c, j in judged.items() if np.isfinite(j.behavior)]
    if xs:
        ys = np.array([judged[c].behavior for c in xs])
        err = np.array(
            [
                [judged[c].behavior - judged[c].ci_low for c in xs],
                [judged[c].ci_high - judged[c].behavior for c in xs],
            ]
        )
        ax.errorbar(xs, ys, yerr=err, fmt="D", ms=5, capsize=3, label="judged greedy generations")
    ax.axhline(0, color="0.7", lw=0.8)
    ax.set(xlabel="r_e", ylabel="behavior expectation B", ylim=(-1.1, 1.1), title=title)
    ax.legend(fontsize=7)
    return fig


def plot_helpfulness_metrics(
    r_e: Any, curves: Mapping[str, Any], k: int | None = None, title: str = "Helpfulness by metric"
) -> Figure:
    """Helpfulness metrics (question means) against ``r_e``; dashed ``1/k``."""
    fig, (ax,) = _figure()
    markers: Sequence[str] = ("o", "s", "^", "v", "D")
    for i, (name, y) in enumerate(curves.items()):
        ax.plot(r_e, y, f"{markers[i % len(markers)]}-", ms=3, label=name)
    if k is not None:
        ax.axhline(1 / k, color="0.5", ls="--", lw=1, label=f"1/k = {1 / k:.3g}")
    ax.set(xlabel="r_e", ylabel="helpfulness", ylim=(0, 1.02), title=title)
    ax.legend(fontsize=7)
    return fig
