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
    if args.allow_network:
        config = dataclasses.replace(
            config, model=dataclasses.replace(config.model, allow_network=True)
        )
    out: Path = args.out or config.output_dir
    progress = not args.no_progress
    try:
        if args.action == "extract":
            return _extract(config, args.model, out, progress)
        if args.action == "sweep":
            return _sweep(config, args.model, out, progress)
        return _analyse(args.action, config, out)
    except (FileNotFoundError, ValueError) as error:
        print(f"steerbound empirical {args.action}: {error}")
        return 1


def _extract(config: Any, model_path: str | None, out: Path, progress: bool) -> int:
    from steerbound.empirical.experiment import load_experiment_model, run_extract

    model, tokenizer = load_experiment_model(config, model_path)
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


def _sweep(config: Any, model_path: str | None, out: Path, progress: bool) -> int:
    from steerbound.empirical.experiment import load_experiment_model, run_sweeps
    from steerbound.empirical.vectors import SteeringVector

    model, tokenizer = load_experiment_model(config, model_path)
    vector_dir = out / "vector"
    if not vector_dir.is_dir():
        print(f"steerbound empirical sweep: no vector in {vector_dir}; run `extract` first")
        return 1
    vector = SteeringVector.load(vector_dir, model=model)
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


def _analyse(action: str, config: Any, out: Path) -> int:
    print(f"steerbound empirical {action}: not wired yet")
    return 2
