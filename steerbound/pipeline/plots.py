"""``steerbound empirical plot``: every figure of a run, each as PNG and SVG next to a tidy CSV of
the plotted points, with ``plots/index.json`` recording the config and what each figure shows.

Figures (in ``<output_dir>/plots``): ``<dataset>`` (logit-sweep means with their fits: behavior
proxy with ``tanh``, MMLU with the parabolic and ``1/k``-floor forms), ``<dataset>-judged``
(judged-generation behavior with its Wilson band and ``tanh`` fit), ``<humaneval name>`` (pass@1
with its band and parabolic fit), and ``assumption1-<dataset>``, ``assumption2-<dataset>``,
``assumption3-<dataset>`` from ``assumptions-<dataset>.json`` (written by ``assumptions``;
skipped, and listed as such, when absent). The fits drawn are those of ``fits.json`` (written
by ``fit``): plotting reads results and never recomputes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from steerbound._codec import encode
from steerbound.pipeline import artifacts
from steerbound.pipeline.config import ExperimentConfig
from steerbound.report import figures as plots

Row = tuple[str, float, float]  # (series, x, y)


def _band_rows(r: np.ndarray, points: dict[str, np.ndarray]) -> list[list[float]]:
    return [
        [float(x), float(v), float(lo), float(hi)]
        for x, v, lo, hi in zip(
            r, points["value"], points["ci_low"], points["ci_high"], strict=True
        )
    ]


def _fit_json(fit: Any) -> dict[str, Any]:
    return {} if fit is None else {fit.form: encode(fit.params)}


_STATS: dict[str, Callable[..., Any]] = {
    "mean": np.mean,
    "median": np.median,
    "min": np.min,
    "max": np.max,
}


def _stat_rows(series: str, r: np.ndarray, values: np.ndarray, stats: Sequence[str]) -> list[Row]:
    """Tidy rows ``(series_stat, r_e, stat over questions)`` of a ``(n_r, n_q)`` array."""
    return [
        (f"{series}_{stat}", float(x), float(y))
        for stat in stats
        for x, y in zip(r, _STATS[stat](values, axis=1), strict=True)
    ]


def _assumption_figures(name: str, results: dict[str, Any]) -> list[tuple[str, Any, list[Row]]]:
    """``(stem, figure, tidy rows)`` for the assumption results of one dataset."""
    figures: list[tuple[str, Any, list[Row]]] = []
    rows: list[Row]
    if "assumption1" in results:
        a1 = results["assumption1"]
        rows = _stat_rows("hidden_norm", a1.r_e, a1.hidden_norm, ("mean", "min", "max"))
        if a1.logit_norm is not None:
            rows += _stat_rows("logit_norm", a1.r_e, a1.logit_norm, ("mean", "min", "max"))
        figures.append((f"assumption1-{name}", plots.plot_assumption1(a1), rows))
    if "assumption2" in results:
        a2 = results["assumption2"]
        rows = _stat_rows("margin", a2.r_e, a2.margin, ("median", "min", "max"))
        rows += _stat_rows("separation", a2.r_e, a2.separation, ("median", "min", "max"))
        figures.append((f"assumption2-{name}", plots.plot_assumption2(a2), rows))
    if "assumption3" in results:
        a3 = results["assumption3"]
        rows = [
            ("std_logit", float(r), float(v)) for r, v in zip(a3.r_e, a3.std_logit, strict=True)
        ]
        rows += [("qq", float(t), float(o)) for t, o in zip(*a3.qq, strict=True)]
        counts, edges = a3.histogram
        rows += [("histogram", float(e), float(c)) for e, c in zip(edges[:-1], counts, strict=True)]
        figures.append((f"assumption3-{name}", plots.plot_assumption3(a3), rows))
    return figures


def draw_run(config: ExperimentConfig, out: Path) -> list[Path]:
    """Draw every figure (module docstring) from the run's result files in ``out``; returns the
    PNG paths."""
    fits = artifacts.load_fits(out).results
    folder = out / "plots"
    index: list[dict[str, Any]] = []
    missing: list[str] = []
    written: list[Path] = []

    def save(
        stem: str,
        fig: Any,
        rows: Iterable[Sequence[Any]],
        columns: Sequence[str],
        sources: list[str],
        shown: dict[str, Any],
    ) -> None:
        written.append(artifacts.save_figure(fig, folder / stem, rows, columns))
        index.append(
            {
                "figure": stem,
                "files": [f"{stem}.{e}" for e in ("png", "svg", "csv")],
                "sources": sources,
                **shown,
            }
        )

    for dataset in config.datasets:
        name, mine = dataset.name, fits.get(dataset.name, {})
        means = artifacts.sweep_means(artifacts.sweep_csv(out, name))
        key = "p_correct_options" if dataset.kind == "mmlu" else "behavior"
        r, y = means[key]
        if dataset.kind == "mmlu":
            chosen = [mine[f] for f in ("helpfulness_parabolic", "helpfulness_floor") if f in mine]
            title = f"{name}: helpfulness over the options"
            fig = plots.plot_helpfulness_fits(r, y, chosen, k=4, title=title)
        else:
            chosen = [mine["behavior_tanh"]] if "behavior_tanh" in mine else []
            title = f"{name}: one-token logit proxy"
            fig = plots.plot_behavior_fit(r, y, chosen[0] if chosen else None, title=title)
        rows = [(key, float(a), float(b)) for a, b in zip(r, y, strict=True)]
        shown = {"measurement": key, "fits": {f.form: encode(f.params) for f in chosen}}
        save(name, fig, rows, ("series", "r_e", "value"), [f"sweep-{name}.csv"], shown)
        summary = artifacts.generation_summary_csv(out, name)
        if dataset.generation is not None and summary.is_file():
            p = artifacts.summary_points(summary)
            fit = mine.get("judged_behavior_tanh")
            fig = plots.plot_behavior_fit(
                p["coefficient"],
                p["value"],
                fit,
                ci=(p["ci_low"], p["ci_high"]),
                title=f"{name}: judged generations",
            )
            save(
                f"{name}-judged",
                fig,
                _band_rows(p["coefficient"], p),
                ("r_e", "judged_behavior", "ci_low", "ci_high"),
                [summary.name],
                {"measurement": "judged_behavior", "fits": _fit_json(fit)},
            )
        elif dataset.generation is not None:
            missing.append(summary.name)
        source = artifacts.assumptions_json(out, name)
        if source.is_file():
            for stem, fig, rows in _assumption_figures(name, artifacts.load_assumptions(source)):
                save(stem, fig, rows, ("series", "x", "y"), [source.name], {})
        else:
            missing.append(source.name)
    if config.humaneval is not None:
        h = config.humaneval.name
        summary = artifacts.generation_summary_csv(out, h)
        if summary.is_file():
            p = artifacts.summary_points(summary)
            fit = fits.get(h, {}).get("pass_rate_parabolic")
            fig = plots.plot_helpfulness_fits(
                p["coefficient"],
                p["value"],
                [] if fit is None else [fit],
                ylabel="pass@1",
                title=f"{h}: pass rate",
            )
            fig.axes[0].fill_between(
                p["coefficient"], p["ci_low"], p["ci_high"], alpha=0.25, label="confidence interval"
            )
            fig.axes[0].legend(fontsize=7)
            columns = ("r_e", "pass_at_1", "ci_low", "ci_high")
            shown = {"measurement": "pass_at_1", "fits": _fit_json(fit)}
            save(h, fig, _band_rows(p["coefficient"], p), columns, [summary.name], shown)
        else:
            missing.append(summary.name)
    payload = {"config": config.to_dict(), "figures": index, "missing_sources": missing}
    artifacts.write_plot_index(folder, payload)
    return written
