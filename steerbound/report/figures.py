"""Figures of empirical results: fitted curves, the assumption measurements, and the tradeoff
(frontier, marginal gain/loss ratio, per-layer read accuracy, behavior/helpfulness by metric).

Every function takes result objects of :mod:`steerbound.empirical` and returns a matplotlib
``Figure`` built with the object-oriented API on the Agg canvas (no pyplot state, no display);
save it with ``fig.savefig(path)``. Fitted curves are drawn with the fitted parameters exactly
(no rescaling) and data are never smoothed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from steerbound.empirical.analysis.fits import FitResult
from steerbound.empirical.measure.assumptions import (
    Assumption1Result,
    Assumption2Result,
    Assumption3Result,
    SideFits,
)


def _figure(ncols: int = 1, width: float = 5.0, height: float = 3.8) -> tuple[Figure, list[Axes]]:
    fig = Figure(figsize=(width * ncols, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    return fig, axes


def _dense(r_e: np.ndarray) -> np.ndarray:
    return np.linspace(float(np.min(r_e)), float(np.max(r_e)), 400)


def _fit_label(fit: FitResult) -> str:
    """Parameters ± stderr; for a degenerate helpfulness fit ``a`` and the identifiable
    curvature ``c = a b²/2`` instead of the undetermined ``b``."""
    shown = {k: (v, fit.stderr[k]) for k, v in fit.params.items()}
    if fit.degenerate and "c" in fit.derived:
        shown.pop("b", None)
        shown["c"] = fit.derived["c"]
    parts = [f"{k}={v:.3g}±{e:.2g}" for k, (v, e) in shown.items()]
    note = " (b not identifiable)" if fit.degenerate else ""
    return f"{fit.form}: " + ", ".join(parts) + f"{note}, R²={fit.r2:.3f}"


def plot_behavior_fit(
    r_e: Any,
    behavior: Any,
    fit: FitResult | None = None,
    *,
    ci: tuple[Any, Any] | None = None,
    title: str = "Behavior vs steering coefficient",
) -> Figure:
    """Behavior expectation against ``r_e`` (optional CI band ``(low, high)``) with the tanh fit;
    the legend reports ``slope = lam*Delta/2``."""
    r, b = np.asarray(r_e, float), np.asarray(behavior, float)
    fig, (ax,) = _figure()
    if ci is not None:
        ax.fill_between(
            r,
            np.asarray(ci[0], float),
            np.asarray(ci[1], float),
            alpha=0.25,
            label="confidence interval",
        )
    ax.plot(r, b, "o", ms=4, label="measured")
    if fit is not None:
        ax.plot(_dense(r), fit.predict(_dense(r)), "-", label=_fit_label(fit))
    ax.axhline(0, color="0.7", lw=0.8)
    ax.set(xlabel="r_e", ylabel="behavior expectation B", ylim=(-1.05, 1.05), title=title)
    ax.legend(fontsize=7)
    return fig


def plot_helpfulness_fits(
    r_e: Any,
    helpfulness: Any,
    fits: Sequence[FitResult] = (),
    *,
    k: int | None = None,
    ylabel: str = "P(correct)",
    title: str = "Helpfulness vs steering coefficient",
) -> Figure:
    """Helpfulness against ``r_e`` with the parabolic and/or ``1/k``-floor fits; a dashed line at
    ``1/k`` when ``k`` is given."""
    r, h = np.asarray(r_e, float), np.asarray(helpfulness, float)
    fig, (ax,) = _figure()
    ax.plot(r, h, "o", ms=4, label="measured")
    for fit in fits:
        ax.plot(_dense(r), fit.predict(_dense(r)), "-", label=_fit_label(fit))
    if k is not None:
        ax.axhline(1 / k, ls="--", color="0.5", label=f"1/k = {1 / k:.3g}")
    ax.set(xlabel="r_e", ylabel=ylabel, ylim=(0, 1.02), title=title)
    ax.legend(fontsize=7)
    return fig


def _side_lines(ax: Axes, r: np.ndarray, fits: SideFits, color: str) -> None:
    for fit, sign, name in ((fits.positive, 1, "r_e>0"), (fits.negative, -1, "r_e<0")):
        if fit is None:
            continue
        edge = float(np.abs(r[np.sign(r) == sign]).max())
        x = np.linspace(0, edge if fits.max_abs_r is None else min(edge, fits.max_abs_r), 50)
        label = f"{name}: slope {fit.slope:.3g}±{fit.slope_stderr:.2g}, R²={fit.r2:.3f}"
        ax.plot(sign * x, fit.slope * x + fit.intercept, "-", color=color, lw=1, label=label)


def plot_assumption1(result: Assumption1Result) -> Figure:
    """``||delta||`` (hidden units) and ``||U delta||`` (logit units) against ``r_e``: question
    mean with min-max band and the two side fits (slope = ``lam`` in hidden space)."""
    panels = [("hidden", result.hidden_norm, result.hidden_fit)]
    if result.logit_norm is not None and result.logit_fit is not None:
        panels.append(("logit", result.logit_norm, result.logit_fit))
    fig, axes = _figure(len(panels))
    for ax, (space, norms, fits) in zip(axes, panels, strict=True):
        ax.fill_between(
            result.r_e,
            norms.min(axis=1),
            norms.max(axis=1),
            alpha=0.2,
            label="min-max over questions",
        )
        ax.plot(result.r_e, norms.mean(axis=1), "o", ms=4, label="mean over questions")
        _side_lines(ax, result.r_e, fits, "C3")
        ylabel = "||Δh|| (hidden units)" if space == "hidden" else "||U Δh|| (logit units)"
        ax.set(xlabel="r_e", ylabel=ylabel, title=f"Assumption 1, {space} space")
        ax.legend(fontsize=7)
    return fig


def plot_assumption3(result: Assumption3Result) -> Figure:
    """Histogram of the pooled projections with the matching Gaussian, the QQ plot, and the std
    of the logit differences against ``r_e`` with its side fits (slope = ``lam*sigma``)."""
    fig, (hist, qq, std) = _figure(3, width=4.2)
    counts, edges = result.histogram
    hist.stairs(counts, edges, fill=True, alpha=0.5, label=f"n={result.samples.size}")
    x = np.linspace(edges[0], edges[-1], 200)
    mu, s = float(result.samples.mean()), result.sigma
    scale = result.samples.size * np.diff(edges).mean()
    hist.plot(
        x,
        scale * np.exp(-0.5 * ((x - mu) / s) ** 2) / (s * np.sqrt(2 * np.pi)),
        "C3-",
        label=f"N({mu:.2g}, {s:.2g}²)",
    )
    t = result.normality
    hist.set(
        xlabel="(u_t - u_c)·Δh/||Δh||",
        ylabel="count",
        title=f"r_e={result.reference_r:.3g}: {t.name} p={t.p_value:.2g}",
    )
    hist.legend(fontsize=7)
    theo, ordered = result.qq
    qq.plot(theo, ordered, ".", ms=3)
    qq.plot(theo, mu + s * theo, "C3-", lw=1)
    qq.set(
        xlabel="normal quantiles",
        ylabel="ordered samples",
        title=f"QQ (skew {t.skew:.2f}, excess kurtosis {t.excess_kurtosis:.2f})",
    )
    std.plot(result.r_e, result.std_logit, "o", ms=4, label="std of Δz_t - Δz_c")
    _side_lines(std, result.r_e, result.std_fit, "C3")
    std.set(xlabel="r_e", ylabel="std (logit units)", title="Assumption 3: std vs r_e")
    std.legend(fontsize=7)
    return fig


def plot_assumption2(result: Assumption2Result) -> Figure:
    """Mean oriented projections of the aligned and misaligned answer tokens against ``r_e``,
    and the minimum-over-pairs margin and mean separation (question median, min-max band)."""
    fig, (proj, margin) = _figure(2)
    for arr, name, color in (
        (result.positive_projections, "aligned", "C0"),
        (result.negative_projections, "misaligned", "C3"),
    ):
        per_q = arr.mean(axis=-1)
        proj.plot(result.r_e, np.median(per_q, axis=1), "o-", ms=3, color=color, label=name)
        proj.fill_between(
            result.r_e, arr.min(axis=(1, 2)), arr.max(axis=(1, 2)), alpha=0.15, color=color
        )
    proj.set(xlabel="r_e", ylabel="sign(r_e) u_t·Δh/||Δh||", title="Answer-token projections")
    proj.legend(fontsize=7)
    for arr, name, color in (
        (result.margin, "margin (min over pairs)", "C2"),
        (result.separation, "mean separation", "C1"),
    ):
        margin.plot(result.r_e, np.median(arr, axis=1), "o-", ms=3, color=color, label=name)
        margin.fill_between(result.r_e, arr.min(axis=1), arr.max(axis=1), alpha=0.15, color=color)
    margin.axhline(0, color="0.5", lw=0.8)
    title = f"Assumption 2: Δ_min={result.delta_min:.3g} at r_e={result.reference_r:.3g}"
    margin.set(xlabel="r_e", ylabel="logit units per unit ||Δh||", title=title)
    margin.legend(fontsize=7)
    return fig


# ----------------------------------------------------------------------------- tradeoff
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
