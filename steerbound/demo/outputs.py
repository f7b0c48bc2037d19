"""Step 7 of the demo: ``results.csv`` (tidy, one row per setting and ``r_e``), ``results.json``
(config, versions, timings, fits, measured parameters, bound checks, tradeoff, targets),
``plots/<name>.png|svg`` and the self-contained ``report.html``."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from steerbound import __version__
from steerbound._codec import encode
from steerbound.demo.figures import build_figures
from steerbound.demo.report import build_report
from steerbound.report.html import figure_png


def versions() -> dict[str, str]:
    """Versions of steerbound and of the libraries the numbers depend on."""
    import platform

    import matplotlib
    import scipy
    import sympy
    import torch
    import transformers

    return {
        "steerbound": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sympy": sympy.__version__,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "matplotlib": matplotlib.__version__,
    }


def targets(m: Any, a: Any) -> dict[str, dict[str, Any]]:
    """The demo's thresholds for one setting: measured value, threshold and whether it is met."""
    r = m.r_e
    b, h = m.behavior.mean(axis=1), m.p_correct_options.mean(axis=1)
    slope, offset = a.behavior_fit.params["slope"], a.behavior_fit.params["offset"]
    r_mid = -offset / slope if slope else float("nan")
    h_mid = (
        float(np.interp(r_mid, r, h))
        if np.isfinite(r_mid) and abs(r_mid) <= r.max()
        else float("nan")
    )
    small = [
        f.r2
        for f in (a.assumption1_small.hidden_fit.positive, a.assumption1_small.hidden_fit.negative)
        if f
    ]
    rows = {
        "behavior_min": (float(b.min()), "< -0.5", b.min() < -0.5),
        "behavior_max": (float(b.max()), "> +0.5", b.max() > 0.5),
        "tanh_r2": (a.behavior_fit.r2, ">= 0.95", a.behavior_fit.r2 >= 0.95),
        "logit_gap_linear_r2": (a.gap_fit.r2, "(reported)", None),
        "helpfulness_argmax_r_e": (float(r[np.argmax(h)]), "|r_e| <= 1", abs(r[np.argmax(h)]) <= 1),
        "behavior_midpoint_r_e": (float(r_mid), "(reported)", None),
        "helpfulness_at_midpoint": (h_mid, ">= 0.9", bool(h_mid >= 0.9)),
        "parabolic_r2_options": (
            a.helpfulness_fits["parabolic (options)"].r2,
            ">= 0.9",
            a.helpfulness_fits["parabolic (options)"].r2 >= 0.9,
        ),
        "delta_h_linear_r2_small_r": (
            min(small) if small else float("nan"),
            ">= 0.98",
            bool(small) and min(small) >= 0.98,
        ),
    }
    return {
        k: {"value": v, "target": t, "met": None if ok is None else bool(ok)}
        for k, (v, t, ok) in rows.items()
    }


def setting_record(m: Any, a: Any) -> dict[str, Any]:
    """Everything of one setting except the raw arrays (which go to ``results.csv``)."""

    def fit(f: Any) -> dict[str, Any]:
        return {
            "form": f.form,
            "params": f.params,
            "stderr": f.stderr,
            "r2": f.r2,
            "derived": f.derived,
            "fixed": f.fixed,
            "degenerate": f.degenerate,
        }

    return {
        "title": m.spec.title,
        "variant": m.spec.variant,
        "pushes_towards": m.spec.pushes_towards,
        "vector": {
            "method": m.method,
            "cosine_pca_mean_diff": m.method_cosine,
            "layer": m.layer,
            "kappa": m.kappa,
            "mean_residual_norm": m.residual_norm,
            "n_pairs": m.n_pairs,
            "read_accuracy": m.read_accuracy,
            "r_e_unit_abs": m.kappa * m.residual_norm,
        },
        "helpfulness_options_at_0": float(
            m.p_correct_options[np.flatnonzero(m.r_e == 0)[0]].mean()
        ),
        "n_behavior_prompts": int(m.behavior.shape[1]),
        "n_questions": int(m.p_correct_options.shape[1]),
        "fits": {
            "behavior_tanh": fit(a.behavior_fit),
            **{k: fit(v) for k, v in a.helpfulness_fits.items()},
        },
        "logit_gap_linear": {
            "slope": a.gap_fit.slope,
            "intercept": a.gap_fit.intercept,
            "r2": a.gap_fit.r2,
        },
        "measured_parameters": a.measured,
        "parameter_comparison": [
            {
                "name": p.name,
                "fitted": p.fitted,
                "fitted_stderr": p.fitted_stderr,
                "measured": p.measured,
                "ratio": p.ratio,
                "identifiable": p.identifiable,
            }
            for p in a.parameters
        ],
        "assumption1": {
            "hidden_fit_small_r": a.assumption1_small.hidden_fit,
            "linearity_range_r2_0.98": [a.linearity.r_max_negative, a.linearity.r_max_positive],
        },
        "assumption2": {
            "delta_min": a.assumption2.delta_min,
            "reference_r": a.assumption2.reference_r,
        },
        "assumption3": {
            "sigma": a.assumption3.sigma,
            "normality": a.assumption3.normality,
            "std_fit": a.assumption3.std_fit,
        },
        "bound_checks": a.bound_checks,
        "tradeoff": {
            "direction": a.direction,
            "prediction_fit": a.prediction_fit,
            "efficient_regime": {
                k: getattr(a.regime, k)
                for k in (
                    "intervals",
                    "r_end",
                    "threshold",
                    "behavior_end",
                    "helpfulness_end",
                    "saturated",
                )
            },
            "recommendation": a.recommendation,
        },
        "judged": {str(c): j for c, j in m.judged.items()},
        "sample_completions": {str(c): s for c, s in m.samples.items()},
        "targets": targets(m, a),
    }


def write_csv(path: Path, measurements: dict[str, Any], analyses: dict[str, Any]) -> Path:
    """Tidy table: one row per (setting, r_e), question/prompt means."""
    columns = [
        "setting",
        "r_e",
        "r_e_abs",
        "r_e_over_residual_norm",
        "behavior",
        "behavior_full_vocab",
        "logit_gap",
        "judged_behavior",
        "judged_ci_low",
        "judged_ci_high",
        "helpfulness_options",
        "helpfulness_full_vocab",
        "accuracy_options",
        "accuracy_greedy",
        "delta_h_norm",
        "delta_logit_norm",
        "assumption3_std_logit",
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for name, m in measurements.items():
            a = analyses[name]
            a1 = a.assumption1
            std = dict(
                zip(a.assumption3.r_e.tolist(), a.assumption3.std_logit.tolist(), strict=True)
            )
            for i, r in enumerate(m.r_e.tolist()):
                j = m.judged.get(r)
                writer.writerow(
                    [
                        name,
                        r,
                        float(m.r_abs[i]),
                        r * m.kappa,
                        *(float(x[i].mean()) for x in (m.behavior, m.behavior_full, m.logit_gap)),
                        *(("", "", "") if j is None else (j.behavior, j.ci_low, j.ci_high)),
                        *(
                            float(x[i].mean())
                            for x in (
                                m.p_correct_options,
                                m.p_correct_full,
                                m.correct_options,
                                m.correct_greedy,
                            )
                        ),
                        float(a1.hidden_norm[i].mean()),
                        float(a1.logit_norm[i].mean()),
                        std.get(r, 0.0),
                    ]
                )
    return path


def write_outputs(result: Any) -> dict[str, Path]:
    """Write every output of ``result`` (a :class:`~steerbound.demo.pipeline.DemoResult`)."""

    out = result.out_dir
    files: dict[str, Path] = {}
    files["csv"] = write_csv(out / "results.csv", result.measurements, result.analyses)
    record = {
        "config": result.config.to_dict(),
        "versions": versions(),
        "timings_s": result.timings,
        "organism": {
            "root": str(result.organism.root),
            "trained_now": result.organism.trained_now,
            **{k: v for k, v in result.organism.info.items() if k != "training"},
        },
        "theory": {k: v for k, v in result.theory.items() if k not in ("table", "records")},
        "simulation": {k: v for k, v in result.simulation.items() if k != "table"},
        "settings": {
            n: setting_record(m, result.analyses[n]) for n, m in result.measurements.items()
        },
        "errors": result.errors,
    }
    result.summary = encode(record)
    files["json"] = out / "results.json"
    files["json"].write_text(json.dumps(result.summary, indent=1) + "\n", encoding="utf-8")
    if not result.config.plots:
        return files
    figures = build_figures(result)
    plots = out / "plots"
    plots.mkdir(exist_ok=True)
    png: dict[str, bytes] = {}
    for name, (fig, _) in figures.items():
        png[name] = figure_png(fig)
        (plots / f"{name}.png").write_bytes(png[name])
        fig.savefig(plots / f"{name}.svg")
        files[f"plot_{name}_png"], files[f"plot_{name}_svg"] = (
            plots / f"{name}.png",
            plots / f"{name}.svg",
        )
    files["report"] = out / "report.html"
    files["report"].write_text(build_report(result, figures, png), encoding="utf-8")
    return files
