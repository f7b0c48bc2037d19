"""`steerbound empirical extract | sweep | assumptions | fit | plot --config FILE [--out DIR]`.

A thin parser over :mod:`steerbound.empirical.experiment`; torch and transformers are imported
inside ``run`` so that ``steerbound --help`` stays instant.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

ACTIONS = ("extract", "sweep", "assumptions", "fit", "plot")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "empirical",
        help="steer a Hugging Face causal LM: extract vectors, sweep r_e, fit, plot",
        description=(
            "extract: build the steering vector of [pairs]/[vector] (saved to OUT/vector); "
            "sweep: sweep every [[datasets]] over the coefficient grid (logit measurements, "
            "OUT/sweep-<dataset>.csv), then the judged generations of [datasets.generation] "
            "and the [humaneval] pass rate (OUT/gen-<name>.csv, gen-<name>-summary.csv); all "
            "resumable; assumptions: measure Assumptions 1-3 (OUT/assumptions-<dataset>.json); "
            "fit: fit the bound forms (OUT/fits.json, fits.csv); plot: every figure as PNG, "
            "SVG and CSV (OUT/plots)."
        ),
    )
    parser.add_argument("action", choices=ACTIONS)
    parser.add_argument("--config", required=True, type=Path, help="TOML experiment config")
    parser.add_argument("--out", type=Path, default=None, help="output dir (default: config's)")
    parser.add_argument("--model", default=None, help="model dir or hub id overriding [model].path")
    parser.add_argument(
        "--allow-network", action="store_true", help="allow downloading the model from the hub"
    )
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    parser.add_argument(
        "--skip-generation",
        action="store_true",
        help="sweep: only the logit measurements (no judged generations, no HumanEval)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from steerbound.empirical.config import ConfigError, load_config

    try:
        config = load_config(args.config)
    except (FileNotFoundError, ConfigError) as error:
        print(f"steerbound empirical: {error}")
        return 2
    model_changes: dict[str, Any] = {}
    if args.allow_network:
        model_changes["allow_network"] = True
    if args.model is not None:  # recorded in outputs and store headers like any config value
        model_changes["path"] = args.model
    if model_changes:
        config = dataclasses.replace(
            config, model=dataclasses.replace(config.model, **model_changes)
        )
    out: Path = args.out or config.output_dir
    progress = not args.no_progress
    try:
        if args.action == "extract":
            return _extract(config, out, progress)
        if args.action == "sweep":
            return _sweep(config, out, progress, generate=not args.skip_generation)
        return _analyse(args.action, config, out, progress)
    except (FileNotFoundError, ValueError) as error:
        print(f"steerbound empirical {args.action}: {error}")
        return 1


def _extract(config: Any, out: Path, progress: bool) -> int:
    from steerbound.empirical.experiment import load_experiment_model, run_extract

    model, tokenizer = load_experiment_model(config)
    vector, path = run_extract(config, model, tokenizer, out_dir=out, progress=progress)
    m = vector.manifest
    print(f"vector ({m.method}, {m.n_pairs} pairs, layers {m.layers}) saved to {path}")
    print("layer  read_accuracy  mean_residual_norm  scale")
    for layer in m.layers:
        print(
            f"{layer:5d}  {m.read_accuracy[layer]:13.3f}  {m.mean_residual_norm[layer]:18.4f}  "
            f"{m.scale[layer]:.4f}"
        )
    return 0


def _sweep(config: Any, out: Path, progress: bool, *, generate: bool = True) -> int:
    from steerbound.empirical.experiment import run_generation_sweeps, run_sweeps

    model, tokenizer, vector = _load_vector(config, out)
    for name, csv_path in run_sweeps(
        config, model, tokenizer, vector, out_dir=out, progress=progress
    ).items():
        print(f"{name}: {csv_path}")
        print(_summary(csv_path))
    if not generate:
        return 0
    for name, found in run_generation_sweeps(
        config, model, tokenizer, vector, out_dir=out, progress=progress
    ).items():
        done = f"{found.computed_units} generated now, {found.skipped_units} already stored"
        print(f"{name} (generations; {done}): {found.table}")
        print(_generation_summary(found.summary_rows))
    return 0


def _generation_summary(rows: list[dict[str, Any]]) -> str:
    """Per-coefficient judged behavior or pass rate with its interval, as a text table."""
    if not rows:
        return "(no rows)"
    counts = "n_positive" in rows[0]
    head = f"r_e      {rows[0]['measurement']:>16s}  {'CI':>17s}  "
    lines = [head + ("  n  +/-/0" if counts else "problems  completions")]
    for r in rows:
        ci = f"[{r['ci_low']:+.3f}, {r['ci_high']:+.3f}]"
        if counts:
            tail = f"{r['n']:3d}  {r['n_positive']}/{r['n_negative']}/{r['n_unknown']}"
        else:
            tail = f"{r['n_problems']:8d}  {r['n_samples']:11d}"
        lines.append(f"{r['coefficient']:<8g} {r['value']:16.4f}  {ci:>17s}  {tail}")
    return "\n".join(lines)


def _summary(csv_path: Path) -> str:
    """Mean of each measurement per coefficient, as a small text table."""
    import csv
    from collections import defaultdict

    sums: dict[tuple[str, float], list[float]] = defaultdict(list)
    with csv_path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["value"] not in ("", "None"):
                sums[(row["measurement"], float(row["coefficient"]))].append(float(row["value"]))
    names = sorted({m for m, _ in sums})
    coefficients = sorted({c for _, c in sums})
    lines = ["r_e      " + "  ".join(f"{n:>24s}" for n in names)]
    for c in coefficients:
        cells = []
        for n in names:
            values = sums.get((n, c), [])
            cells.append(f"{sum(values) / len(values):24.4f}" if values else f"{'':>24s}")
        lines.append(f"{c:<8g} " + "  ".join(cells))
    return "\n".join(lines)


def _load_vector(config: Any, out: Path) -> tuple[Any, Any, Any]:
    from steerbound.empirical.experiment import load_experiment_model
    from steerbound.empirical.vectors import SteeringVector

    vector_dir = out / "vector"
    if not vector_dir.is_dir():
        raise FileNotFoundError(f"no vector in {vector_dir}; run `extract` first")
    model, tokenizer = load_experiment_model(config)
    return model, tokenizer, SteeringVector.load(vector_dir, model=model)


def _analyse(action: str, config: Any, out: Path, progress: bool) -> int:
    from steerbound.empirical import analysis

    if action == "assumptions":
        model, tokenizer, vector = _load_vector(config, out)
        results = analysis.run_assumptions(
            config, model, tokenizer, vector, out_dir=out, progress=progress
        )
        for name, found in results.items():
            a1 = found["assumption1"].hidden_fit
            for side, fit in (("r_e>0", a1.positive), ("r_e<0", a1.negative)):
                if fit is not None:
                    print(f"{name} A1 {side}: lam = {fit.slope:.4g} (R^2 {fit.r2:.3f})")
            print(f"{name}: {out / f'assumptions-{name}.json'}")
        return 0
    if action == "fit":
        import json

        for name, fits in analysis.run_fits(config, out_dir=out).items():
            for form, fit in fits.items():
                params = ", ".join(
                    f"{k}={v:.4g}±{fit.stderr[k]:.2g}" for k, v in fit.params.items()
                )
                print(f"{name} {form}: {params}, R^2={fit.r2:.4f}")
        sidecar = json.loads((out / "fits.config.json").read_text(encoding="utf-8"))
        for name, skipped in sidecar["skipped"].items():
            for form, reason in skipped.items():
                print(f"{name} {form}: {reason}")
        print(f"fits: {out / 'fits.json'}, {out / 'fits.csv'}")
        return 0
    paths = analysis.run_plots(config, out_dir=out)
    for path in paths:
        print(path)
    index = out / "plots" / "index.json"
    print(f"{len(paths)} figures (PNG + SVG + CSV), index: {index}")
    import json

    missing = json.loads(index.read_text(encoding="utf-8"))["missing_sources"]
    if missing:
        print("not drawn (run `sweep` / `assumptions` first): " + ", ".join(missing))
    return 0
