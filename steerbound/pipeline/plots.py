"""``steerbound empirical plot``: every figure of a run, each as PNG and SVG next to a tidy CSV of
the plotted points, with ``plots/index.json`` recording the config and what each figure shows.

Figures (in ``<output_dir>/plots``): ``<dataset>`` (logit-sweep means with their fits: behavior
proxy with ``tanh``, MMLU with the parabolic and ``1/k``-floor forms), ``<dataset>-judged``
(judged-generation behavior with its Wilson band and ``tanh`` fit), ``<humaneval name>`` (pass@1
with its band and parabolic fit), and ``assumption1-<dataset>``, ``assumption2-<dataset>``,
``assumption3-<dataset>`` from ``assumptions-<dataset>.json`` (written by ``assumptions``;
skipped, and listed as such, when absent). Fits are recomputed (``fits.json`` rewritten).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from steerbound.empirical.config import ExperimentConfig
from steerbound.empirical.results_io import jsonable

Row = tuple[str, float, float]  # (series, x, y)


def save_figure(
    fig: Any, stem: Path, rows: Iterable[Sequence[Any]], columns: Sequence[str]
) -> Path:
    """Write ``stem.png`` (120 dpi), ``stem.svg`` and the plotted points as ``stem.csv``."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(stem.with_suffix(".png"), dpi=120)
    fig.savefig(stem.with_suffix(".svg"))
    with stem.with_suffix(".csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return stem.with_suffix(".png")


def _band_rows(r: np.ndarray, points: dict[str, np.ndarray]) -> list[list[float]]:
    return [
        [float(x), float(v), float(lo), float(hi)]
        for x, v, lo, hi in zip(
            r, points["value"], points["ci_low"], points["ci_high"], strict=True
        )
    ]


def _fit_json(fit: Any) -> dict[str, Any]:
    return {} if fit is None else {fit.form: jsonable(fit.params)}


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
    from steerbound.report import empirical_plots as plots

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


def run_plots(config: ExperimentConfig, *, out_dir: Path | None = None) -> list[Path]:
    """Draw every figure (module docstring); returns the PNG paths."""
    from steerbound.empirical.analysis import run_fits, summary_points, sweep_means
    from steerbound.empirical.results_io import load_assumptions
    from steerbound.report import empirical_plots as plots

    out = out_dir or config.output_dir
    fits = run_fits(config, out_dir=out)
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
        written.append(save_figure(fig, folder / stem, rows, columns))
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
        means = sweep_means(out / f"sweep-{name}.csv")
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
        shown = {"measurement": key, "fits": {f.form: jsonable(f.params) for f in chosen}}
        save(name, fig, rows, ("series", "r_e", "value"), [f"sweep-{name}.csv"], shown)
        summary = out / f"gen-{name}-summary.csv"
        if dataset.generation is not None and summary.is_file():
            p = summary_points(summary)
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
        source = out / f"assumptions-{name}.json"
        if source.is_file():
            for stem, fig, rows in _assumption_figures(name, load_assumptions(source)):
                save(stem, fig, rows, ("series", "x", "y"), [source.name], {})
        else:
            missing.append(source.name)
    if config.humaneval is not None:
        h = config.humaneval.name
        summary = out / f"gen-{h}-summary.csv"
        if summary.is_file():
            p = summary_points(summary)
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
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.json").write_text(json.dumps(jsonable(payload), indent=2) + "\n", "utf-8")
    return written
