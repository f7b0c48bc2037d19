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
            "sweep: sweep every [[datasets]] over the coefficient grid (resumable; "
            "OUT/sweep-<dataset>.csv); assumptions, fit, plot: analyse the sweep results."
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
            return _sweep(config, out, progress)
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


def _sweep(config: Any, out: Path, progress: bool) -> int:
    from steerbound.empirical.experiment import run_sweeps

    model, tokenizer, vector = _load_vector(config, out)
    for name, csv_path in run_sweeps(
        config, model, tokenizer, vector, out_dir=out, progress=progress
    ).items():
        print(f"{name}: {csv_path}")
        print(_summary(csv_path))
    return 0


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
        for name, fits in analysis.run_fits(config, out_dir=out).items():
            for form, fit in fits.items():
                params = ", ".join(
                    f"{k}={v:.4g}±{fit.stderr[k]:.2g}" for k, v in fit.params.items()
                )
                print(f"{name} {form}: {params}, R^2={fit.r2:.4f}")
        print(f"fits: {out / 'fits.json'}")
        return 0
    for path in analysis.run_plots(config, out_dir=out):
        print(path)
    return 0
