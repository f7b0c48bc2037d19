"""The demo's figures: analogues of the paper's figures 4 (behavior vs ``r_e`` with the tanh
fit), 5 (helpfulness vs ``r_e`` with the parabolic fits), 6-12 (assumption plots), plus the
tradeoff frontier, the marginal gain/loss ratio, per-layer read accuracy and metric comparisons.
"""

from __future__ import annotations

from typing import Any

from steerbound.report import figures as plots

CAPTIONS: dict[str, str] = {
    "behavior": "Fig. 4 analogue ({t}): behavior expectation (first-token probabilities, "
    "normalised over the two answer tokens) and the tanh fit of Theorem 1.",
    "behavior_metrics": "{t}: behavior from first-token probabilities (normalised and over the "
    "full vocabulary) and from judged greedy generations (95% Wilson interval).",
    "helpfulness": "Fig. 5 analogue ({t}): helpfulness over the options with the parabolic "
    "(Theorem 2) and 1/k-floor fits.",
    "helpfulness_metrics": "{t}: the helpfulness metrics; over the full vocabulary P(correct) "
    "falls towards 0 (not 1/k) as probability mass leaves the options.",
    "assumption1": "Figs. 6-7 analogue ({t}): ||Δh|| of the final hidden state (hidden units) "
    "and ||UΔh|| (logit units) against r_e, fitted on all points per side.",
    "assumption1_small": "{t}: the same, fitted within |r_e| <= {small:g} (the slope is lam).",
    "assumption2": "Figs. 8-9 analogue ({t}): projections of the aligned and misaligned answer "
    "tokens on Δh, and the margin Delta (minimum over pairs).",
    "assumption3": "Figs. 10-12 analogue ({t}): projections of (u_t - u_correct) on Δh for the "
    "top-10 unsteered tokens: histogram, QQ plot, std against r_e (slope lam*sigma).",
    "read_accuracy": "Read accuracy of the vector at every layer (held-out pairs); the steered "
    "layer is outlined.",
    "frontier": "The tradeoff frontier: behavior against helpfulness as r_e grows along the "
    "steering direction; bold: the efficient regime; star: the recommended coefficient.",
    "marginal_ratio": "Marginal alignment gain per unit of helpfulness lost on the fitted "
    "curves; shaded: the efficient regime (ratio > 1).",
}


def build_figures(result: Any) -> dict[str, tuple[Any, str]]:
    """``{file stem: (Figure, caption)}`` for every plot of the demo."""

    figs: dict[str, tuple[Any, str]] = {}
    small = result.config.small_r

    def add(key: str, name: str | None, fig: Any, title: str = "") -> None:
        stem = key if name is None else f"{key}_{name}"
        figs[stem] = (fig, CAPTIONS[key].format(t=title, small=small))

    for name, m in result.measurements.items():
        a, t = result.analyses[name], m.spec.title
        r, k = m.r_e, m.option_ids.shape[1]
        b, h = m.behavior.mean(axis=1), m.p_correct_options.mean(axis=1)
        fig = plots.plot_behavior_fit(r, b, a.behavior_fit, title=f"Behavior: {t}")
        add("behavior", name, fig, t)
        fig = plots.plot_behavior_metrics(
            r, b, m.behavior_full.mean(axis=1), m.judged, title=f"Behavior by metric: {t}"
        )
        add("behavior_metrics", name, fig, t)
        fits = [
            a.helpfulness_fits["parabolic (options)"],
            a.helpfulness_fits["floor 1/k (options)"],
        ]
        ylabel = "P(correct), normalised over the options"
        fig = plots.plot_helpfulness_fits(r, h, fits, k=k, ylabel=ylabel, title=f"Helpfulness: {t}")
        add("helpfulness", name, fig, t)
        curves = {
            "P(correct) over options": h,
            "P(correct) full vocabulary": m.p_correct_full.mean(axis=1),
            "accuracy (argmax over options)": m.correct_options.mean(axis=1),
            "accuracy (greedy token)": m.correct_greedy.mean(axis=1),
        }
        fig = plots.plot_helpfulness_metrics(r, curves, k=k, title=f"Helpfulness by metric: {t}")
        add("helpfulness_metrics", name, fig, t)
        add("assumption1", name, plots.plot_assumption1(a.assumption1), t)
        add("assumption1_small", name, plots.plot_assumption1(a.assumption1_small), t)
        add("assumption2", name, plots.plot_assumption2(a.assumption2), t)
        add("assumption3", name, plots.plot_assumption3(a.assumption3), t)
    acc = {n: m.read_accuracy for n, m in result.measurements.items()}
    layers = {n: m.layer for n, m in result.measurements.items()}
    add("read_accuracy", None, plots.plot_read_accuracy(acc, layers))
    an = result.analyses
    fig = plots.plot_frontier(
        {n: a.frontier for n, a in an.items()},
        {n: a.recommendation for n, a in an.items()},
        {n: a.regime for n, a in an.items()},
    )
    add("frontier", None, fig)
    add("marginal_ratio", None, plots.plot_marginal_ratio({n: a.regime for n, a in an.items()}))
    return figs
